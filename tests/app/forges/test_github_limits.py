"""GitHub adapter under pressure: rate limits honoured, outages retried then reported, no
retries inside PyGithub, writes paced and reads not; and GitHub App authentication."""

from __future__ import annotations

import itertools
import socket
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.forges.base import CommitStatus, ForgeError, RateLimited
from app.forges.github import GitHub
from app.forges.github_clients import SECONDARY_LIMIT_WAIT
from app.forges.retry import RetryPolicy
from tests.app.forges.conftest import TRIES
from tests.fakeforge import FakeForge

REPO = "octo/shop"
PULL = r"/repos/octo/shop/pulls/1$"


@pytest.fixture
def shop(fake_forge: FakeForge) -> str:
    fake_forge.add_repository(REPO, forge="github", files={"m/001.sql": "SELECT 1;\n"})
    pull = fake_forge.add_pull_request(REPO, {"m/002.sql": (None, "SELECT 2;\n")}, forge="github")
    return pull.head_sha


def test_a_secondary_limit_waits_retry_after_then_succeeds(
    fake_forge: FakeForge, github: GitHub, shop: str, sleeps: list[float]
) -> None:
    fake_forge.secondary_rate_limit_next(PULL, retry_after=3)
    assert github.pull_request(REPO, 1).head_sha == shop
    assert sleeps == [3.0]
    assert [r.status for r in fake_forge.requests("GET", "/pulls/1")] == [403, 200]


def test_a_secondary_limit_without_retry_after_waits_a_minute(
    fake_forge: FakeForge, github: GitHub, shop: str, sleeps: list[float]
) -> None:
    fake_forge.secondary_rate_limit_next(PULL, retry_after=None)
    github.pull_request(REPO, 1)
    assert sleeps == [SECONDARY_LIMIT_WAIT]


def test_the_primary_limit_waits_until_the_reset(
    fake_forge: FakeForge, github: GitHub, shop: str, sleeps: list[float]
) -> None:
    fake_forge.primary_rate_limit_next(PULL, reset_in=30)
    github.pull_request(REPO, 1)
    (waited,) = sleeps
    assert 29 <= waited <= 32  # until the reset (whole seconds) plus a second of slack


def test_a_429_is_a_rate_limit_too(
    fake_forge: FakeForge, github: GitHub, shop: str, sleeps: list[float]
) -> None:
    fake_forge.too_many_requests_next(PULL, retry_after=2)
    github.pull_request(REPO, 1)
    assert sleeps == [2.0]


def test_a_reset_far_away_is_reported_at_once(fake_forge: FakeForge, shop: str) -> None:
    sleeps: list[float] = []
    github = GitHub(
        api_url=fake_forge.github_url,
        token=FakeForge.GITHUB_TOKEN,
        retry=RetryPolicy(tries=3, max_rate_limit_wait=120, sleep=sleeps.append),
    )
    fake_forge.primary_rate_limit_next(PULL, reset_in=3600)
    with pytest.raises(RateLimited) as raised:
        github.pull_request(REPO, 1)
    assert raised.value.retry_after > 3500
    assert sleeps == []
    assert len(fake_forge.requests("GET", "/pulls/1")) == 1


def test_an_outage_is_retried_then_reported_with_the_reason(
    fake_forge: FakeForge, github: GitHub, shop: str, sleeps: list[float]
) -> None:
    fake_forge.fail_always(PULL, status=502)
    with pytest.raises(ForgeError) as raised:
        github.pull_request(REPO, 1)
    message = str(raised.value)
    assert message.startswith(f"read pull request {REPO}#1: gave up after {TRIES} tries:")
    assert "GitHub answered 502" in message
    assert raised.value.status == 502
    assert raised.value.retryable
    # Exactly our tries: PyGithub's own urllib3 retries are off.
    assert len(fake_forge.requests("GET", "/pulls/1")) == TRIES
    assert sleeps == [0.5, 1.0]


def test_a_transient_500_is_retried(
    fake_forge: FakeForge, github: GitHub, shop: str, sleeps: list[float]
) -> None:
    fake_forge.fail_next(r"/statuses/", status=500, times=1)
    github.set_status(REPO, shop, CommitStatus("success", "schemabot/lint", "ok"))
    assert [r.status for r in fake_forge.requests("POST")] == [500, 201]
    assert len(fake_forge.statuses(REPO, forge="github")) == 1


def test_not_found_is_not_retried(fake_forge: FakeForge, github: GitHub, shop: str) -> None:
    with pytest.raises(ForgeError) as raised:
        github.pull_request(REPO, 99)
    assert raised.value.status == 404
    assert not raised.value.retryable
    assert len(fake_forge.requests()) == 1


def test_an_unreachable_forge_is_a_retryable_error(sleeps: list[float]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once the socket is closed
    github = GitHub(
        api_url=f"http://127.0.0.1:{port}/api/v3",
        token="t",
        retry=RetryPolicy(tries=2, base_delay=0.01, sleep=sleeps.append),
    )
    with pytest.raises(ForgeError, match="GitHub unreachable") as raised:
        github.read_file(REPO, "a.sql", "main")
    assert raised.value.retryable
    assert len(sleeps) == 1


def test_writes_are_spaced_by_the_write_interval_and_reads_are_not(
    fake_forge: FakeForge, shop: str
) -> None:
    interval = 0.2
    github = GitHub(
        api_url=fake_forge.github_url, token=FakeForge.GITHUB_TOKEN, write_interval=interval
    )
    for n in range(3):
        github.set_status(REPO, shop, CommitStatus("pending", f"schemabot/{n}", "running"))
    for _ in range(4):
        github.read_file(REPO, "m/001.sql", shop)

    writes = [r.at for r in fake_forge.requests("POST")]
    reads = [r.at for r in fake_forge.requests("GET", "/contents/")]
    assert len(writes) == 3
    assert all(b - a >= interval for a, b in itertools.pairwise(writes))
    assert reads[-1] - reads[0] < interval  # four reads in less than one write interval


# -- GitHub App ------------------------------------------------------------------------------


@pytest.fixture
def app_key(fake_forge: FakeForge) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    fake_forge.enable_app(public.decode(), app_id=4242)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def test_an_app_finds_the_installation_and_reports_with_check_runs(
    fake_forge: FakeForge, shop: str, app_key: str, retry: RetryPolicy
) -> None:
    installation = fake_forge.install_app(REPO)
    github = GitHub(
        api_url=fake_forge.github_url,
        app_id=4242,
        private_key=app_key,
        write_interval=0,
        retry=retry,
    )

    assert github.pull_request(REPO, 1).head_sha == shop
    github.set_status(
        REPO, shop, CommitStatus("error", "schemabot/lint", "GitHub timed out", "https://b/1")
    )
    github.set_status(REPO, shop, CommitStatus("pending", "schemabot/lint", "linting"))
    github.upsert_comment(REPO, 1, marker="<!-- m -->", body="<!-- m -->\nsummary")
    github.upsert_comment(REPO, 1, marker="<!-- m -->", body="<!-- m -->\nsummary 2")

    first = fake_forge.requests()[:3]
    assert [(r.method, r.path) for r in first] == [
        ("GET", "/api/v3/repos/octo/shop/installation"),
        ("POST", f"/api/v3/app/installations/{installation}/access_tokens"),
        ("GET", "/api/v3/repos/octo/shop/pulls/1"),
    ]
    assert first[0].headers["authorization"].startswith("Bearer ")
    assert first[2].headers["authorization"].startswith("token ghs_")
    runs = fake_forge.check_runs(REPO)
    assert [(r["status"], r.get("conclusion")) for r in runs] == [
        ("completed", "failure"),
        ("in_progress", None),
    ]
    assert runs[0]["name"] == "schemabot/lint"
    assert runs[0]["details_url"] == "https://b/1"
    assert runs[0]["output"] == {"title": "GitHub timed out", "summary": "GitHub timed out"}
    assert fake_forge.statuses(REPO, forge="github") == []
    # The App's comments are written, and found again, as <slug>[bot].
    (summary,) = fake_forge.comments(REPO, 1, forge="github")
    assert summary["author"] == "schemabot-app[bot]"
    assert summary["body"] == "<!-- m -->\nsummary 2"
    assert len(fake_forge.requests("GET", "/repos/octo/shop/installation")) == 1


def test_an_app_installation_token_is_renewed_before_it_expires(
    fake_forge: FakeForge, shop: str, app_key: str, retry: RetryPolicy
) -> None:
    fake_forge.install_app(REPO)
    # Tokens that live less than PyGithub's refresh margin are renewed before each use.
    fake_forge.installation_token_ttl = 15
    github = GitHub(api_url=fake_forge.github_url, app_id=4242, private_key=app_key, retry=retry)

    github.read_file(REPO, "m/001.sql", shop)
    github.read_file(REPO, "m/001.sql", shop)

    assert len(fake_forge.requests("POST", "/access_tokens")) == 2
    used = [r.headers["authorization"] for r in fake_forge.requests("GET", "/contents/")]
    assert used[0] != used[1]
    assert all(r.status == 200 for r in fake_forge.requests("GET", "/contents/"))


def test_an_app_not_installed_on_the_repository_is_an_error(
    fake_forge: FakeForge, shop: str, app_key: str, retry: RetryPolicy
) -> None:
    github = GitHub(api_url=fake_forge.github_url, app_id=4242, private_key=app_key, retry=retry)
    with pytest.raises(ForgeError, match="GitHub App is not installed on octo/shop") as raised:
        github.pull_request(REPO, 1)
    assert raised.value.status == 404


def test_time_is_not_slept_by_the_clients(fake_forge: FakeForge, github: GitHub, shop: str) -> None:
    """Neither PyGithub's default pacing (0.25 s a request, 1 s a write) nor its retries."""
    started = time.monotonic()
    for n in range(5):
        github.set_status(REPO, shop, CommitStatus("success", f"c{n}", "ok"))
        github.pull_request(REPO, 1)
    assert time.monotonic() - started < 1.0
