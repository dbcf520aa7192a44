"""When the forge fails: retried, then an ``error`` status with the reason; when even the status
cannot be written, a logged error and a failed job; and a rerun never comments twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import structlog

from app.review import ReviewRequest, run_review
from app.store import PullRequestRef
from tests.app.review.harness import REPOSITORY, ForgeCase, RunningService, service_config
from tests.app.review.test_review_flow import V1, V1_SQL, V2, V2_UNSAFE, V3, V3_UNSAFE
from tests.fakeforge import FakeForge, FakePull, fake_forge

__all__ = ["fake_forge"]

pytestmark = pytest.mark.anyio

#: The review job's max_tries (app/jobs.py).
TRIES = 5


@pytest.fixture(params=["github", "gitlab"])
def case(request: pytest.FixtureRequest) -> ForgeCase:
    return ForgeCase(request.param)


@pytest.fixture
async def service(
    fake_forge: FakeForge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[RunningService]:
    monkeypatch.setattr("app.queue.inline.RETRY_BASE_SECONDS", 0)
    running = RunningService(service_config(fake_forge, tmp_path))
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


def _pull(fake: FakeForge, case: ForgeCase) -> FakePull:
    fake.add_repository(REPOSITORY, forge=case.name, files={V1: V1_SQL})
    return fake.add_pull_request(
        REPOSITORY, {V2: (None, V2_UNSAFE), V3: (None, V3_UNSAFE)}, forge=case.name
    )


def _files_listing(case: ForgeCase, number: int) -> str:
    return f"/pulls/{number}/files" if case.name == "github" else f"/merge_requests/{number}/diffs"


async def test_a_forge_outage_is_retried_then_reported_as_error(
    fake_forge: FakeForge, service: RunningService, case: ForgeCase
) -> None:
    pull = _pull(fake_forge, case)
    fake_forge.fail_always(_files_listing(case, pull.number), status=502, method="GET")
    await service.deliver(case.name, *case.delivery(pull))
    await service.drain()

    # Each run: the adapter tries twice (the harness's policy); the queue runs the job 5 times.
    assert len(fake_forge.requests("GET", _files_listing(case, pull.number))) == 2 * TRIES
    statuses = case.statuses(fake_forge, pull.head_sha)
    expected_state = "error" if case.name == "github" else "failure"  # GitLab: failed
    assert [state for state, _, _ in statuses] == [expected_state] * TRIES
    description = statuses[-1][1]
    assert description.startswith("Review could not finish: list changed files of acme/shop")
    assert "gave up after 2 tries" in description and "502" in description
    [review] = service.store.reviews.of_pull_request(
        PullRequestRef(case.name, REPOSITORY, pull.number)
    )
    assert review.state == "error" and "502" in (review.error or "")
    assert statuses[-1][2] == f"https://schemabot.example/reviews/{review.id}"
    job = service.store.jobs.get(_job_id(case, pull))
    assert job is not None and (job.status, job.attempts) == ("failed", TRIES)
    assert case.summaries(fake_forge, pull.number) == []


async def test_a_short_outage_ends_in_a_normal_review_without_duplicates(
    fake_forge: FakeForge, service: RunningService, case: ForgeCase
) -> None:
    pull = _pull(fake_forge, case)
    # Two runs fail at the summary (after the comments were posted), the third succeeds.
    comments_path = f"/issues/{pull.number}/comments" if case.name == "github" else "/notes"
    fake_forge.fail_next(comments_path, status=503, times=4, method="GET")
    await service.deliver(case.name, *case.delivery(pull))
    await service.drain()
    states = [state for state, _, _ in case.statuses(fake_forge, pull.head_sha)]
    expected_error = "error" if case.name == "github" else "failure"
    assert states == [expected_error, expected_error, "failure"]
    assert len(case.inline_comments(fake_forge, pull.number)) == 6
    assert len(case.summaries(fake_forge, pull.number)) == 1


async def test_gitlab_comments_posted_before_a_failure_are_not_posted_again(
    fake_forge: FakeForge, service: RunningService
) -> None:
    # GitLab takes one discussion per comment: the third one fails for both of the adapter's
    # tries, after two were posted; the job's next run posts only the four missing.
    case = ForgeCase("gitlab")
    pull = _pull(fake_forge, case)
    discussions = f"/merge_requests/{pull.number}/discussions"
    fake_forge.fail_next(discussions, status=502, times=2, method="POST", after=2)
    await service.deliver(case.name, *case.delivery(pull))
    await service.drain()
    comments = case.inline_comments(fake_forge, pull.number)
    assert len(comments) == 6 and len({comment.body for comment in comments}) == 6
    # The adapter's own retry looked first whether the failed attempt had posted it.
    paths = [(r.method, r.path) for r in fake_forge.requests(forge="gitlab")]
    third_post = [
        i for i, (method, path) in enumerate(paths) if method == "POST" and discussions in path
    ][2]
    assert ("GET", f"/api/v4/projects/acme%2Fshop/merge_requests/{pull.number}/notes") in {
        (method, path.split("?")[0]) for method, path in paths[third_post + 1 : third_post + 3]
    }
    states = [state for state, _, _ in case.statuses(fake_forge, pull.head_sha)]
    assert states == ["failure", "failure"]  # the failed run's error, then the findings
    assert len(case.summaries(fake_forge, pull.number)) == 1


async def test_when_even_the_status_cannot_be_written_the_job_fails_with_a_logged_error(
    fake_forge: FakeForge, service: RunningService, case: ForgeCase
) -> None:
    pull = _pull(fake_forge, case)
    fake_forge.fail_always(".", status=503)
    with structlog.testing.capture_logs() as logs:
        await service.deliver(case.name, *case.delivery(pull))
        await service.drain()
    failures = [entry for entry in logs if entry["event"] == "review.status_failed"]
    assert len(failures) == TRIES
    assert failures[0]["log_level"] == "error" and "503" in failures[0]["error"]
    job = service.store.jobs.get(_job_id(case, pull))
    assert job is not None and job.status == "failed" and "503" in (job.error or "")


async def test_a_rerun_of_a_finished_review_posts_no_comment_twice(
    fake_forge: FakeForge, service: RunningService, case: ForgeCase
) -> None:
    pull = _pull(fake_forge, case)
    request = ReviewRequest(case.name, REPOSITORY, pull.number, pull.head_sha, "main")
    forge = service.forges[case.name]
    first = await run_review(request, forge=forge, store=service.store, config=service.config)
    second = await run_review(request, forge=forge, store=service.store, config=service.config)
    assert first is not None and second is not None
    assert first.review_id == second.review_id
    assert {item.placement for item in second.findings} == {"earlier"}
    assert len(case.inline_comments(fake_forge, pull.number)) == 6
    assert len(case.summaries(fake_forge, pull.number)) == 1
    assert [s for s, _, _ in case.statuses(fake_forge, pull.head_sha)][-1] == "failure"


async def test_a_job_for_a_head_that_was_pushed_over_stands_down(
    fake_forge: FakeForge, service: RunningService, case: ForgeCase
) -> None:
    pull = _pull(fake_forge, case)
    request = ReviewRequest(case.name, REPOSITORY, pull.number, "0" * 40, "main")
    forge = service.forges[case.name]
    outcome = await run_review(request, forge=forge, store=service.store, config=service.config)
    assert outcome is None
    assert case.writes(fake_forge) == 0


def _job_id(case: ForgeCase, pull: FakePull) -> str:
    return f"review:{case.name}:{REPOSITORY}:{pull.number}:{pull.head_sha}:main"
