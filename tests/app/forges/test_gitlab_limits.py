"""GitLab adapter under pressure: 429s honoured without python-gitlab's own retry loop,
outages retried then reported, writes paced and reads not."""

from __future__ import annotations

import itertools

import pytest

from app.forges.base import CommitStatus, ForgeError, InlineComment, RateLimited
from app.forges.gitlab import GitLab
from app.forges.retry import RetryPolicy
from tests.app.forges.conftest import TRIES
from tests.fakeforge import FakeForge

REPO = "group/shop"
MR = r"/projects/group/shop/merge_requests/1$"


@pytest.fixture
def shop(fake_forge: FakeForge) -> str:
    fake_forge.add_repository(REPO, forge="gitlab", files={"m/001.sql": "SELECT 1;\n"})
    pull = fake_forge.add_pull_request(REPO, {"m/002.sql": (None, "SELECT 2;\n")}, forge="gitlab")
    return pull.head_sha


def test_a_429_waits_retry_after_then_succeeds(
    fake_forge: FakeForge, gitlab: GitLab, shop: str, sleeps: list[float]
) -> None:
    fake_forge.too_many_requests_next(MR, retry_after=4)
    assert gitlab.pull_request(REPO, 1).head_sha == shop
    assert sleeps == [4.0]
    # One 429 and one success: python-gitlab did not sleep and retry on its own.
    assert [r.status for r in fake_forge.requests("GET", "/merge_requests/1")] == [429, 200]


def test_a_429_without_retry_after_waits_until_the_reset(
    fake_forge: FakeForge, gitlab: GitLab, shop: str, sleeps: list[float]
) -> None:
    fake_forge.too_many_requests_next(MR, retry_after=None, reset_in=20)
    gitlab.pull_request(REPO, 1)
    (waited,) = sleeps
    assert 18 <= waited <= 21


def test_a_429_on_a_write_is_retried_once_it_may(
    fake_forge: FakeForge, gitlab: GitLab, shop: str, sleeps: list[float]
) -> None:
    fake_forge.too_many_requests_next(r"/statuses/", retry_after=1)
    gitlab.set_status(REPO, shop, CommitStatus("success", "schemabot/lint", "ok"))
    assert [r.status for r in fake_forge.requests("POST")] == [429, 201]
    assert sleeps == [1.0]


def test_a_rate_limit_longer_than_allowed_is_reported(fake_forge: FakeForge, shop: str) -> None:
    sleeps: list[float] = []
    gitlab = GitLab(
        url=fake_forge.gitlab_url,
        token=FakeForge.GITLAB_TOKEN,
        retry=RetryPolicy(max_rate_limit_wait=30, sleep=sleeps.append),
    )
    fake_forge.too_many_requests_next(MR, retry_after=600)
    with pytest.raises(RateLimited) as raised:
        gitlab.pull_request(REPO, 1)
    assert raised.value.retry_after == 600
    assert sleeps == []


def test_an_outage_is_retried_then_reported_with_the_reason(
    fake_forge: FakeForge, gitlab: GitLab, shop: str, sleeps: list[float]
) -> None:
    fake_forge.fail_always(r"/merge_requests/1/diffs", status=502)
    with pytest.raises(ForgeError) as raised:
        gitlab.changed_files(REPO, 1)
    message = str(raised.value)
    assert message.startswith(f"list changed files of {REPO}!1: gave up after {TRIES} tries:")
    assert "GitLab answered 502" in message
    assert raised.value.retryable
    assert len(fake_forge.requests("GET", "/diffs")) == TRIES
    assert sleeps == [0.5, 1.0]


def test_an_outage_while_commenting_is_an_error_not_a_refusal(
    fake_forge: FakeForge, gitlab: GitLab, shop: str
) -> None:
    pull = gitlab.pull_request(REPO, 1)
    fake_forge.fail_always(r"/discussions", status=503)
    with pytest.raises(ForgeError, match="503"):
        gitlab.post_review(pull, [InlineComment("m/002.sql", 1, "x")])


def test_a_bad_token_is_not_retried(fake_forge: FakeForge, shop: str, retry: RetryPolicy) -> None:
    gitlab = GitLab(url=fake_forge.gitlab_url, token="wrong", retry=retry)
    with pytest.raises(ForgeError) as raised:
        gitlab.read_file(REPO, "m/001.sql", shop)
    assert raised.value.status == 401
    assert len(fake_forge.requests()) == 1


def test_writes_are_spaced_by_the_write_interval_and_reads_are_not(
    fake_forge: FakeForge, shop: str
) -> None:
    interval = 0.2
    gitlab = GitLab(
        url=fake_forge.gitlab_url, token=FakeForge.GITLAB_TOKEN, write_interval=interval
    )
    for n in range(3):
        gitlab.set_status(REPO, shop, CommitStatus("pending", f"schemabot/{n}", "running"))
    for _ in range(4):
        gitlab.read_file(REPO, "m/001.sql", shop)

    writes = [r.at for r in fake_forge.requests("POST")]
    reads = [r.at for r in fake_forge.requests("GET", "/raw")]
    assert len(writes) == 3
    assert all(b - a >= interval for a, b in itertools.pairwise(writes))
    assert reads[-1] - reads[0] < interval
