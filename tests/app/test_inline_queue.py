"""The in-process queue: once per job id, retries, and nothing lost across a restart."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.config import Config, ServerSection
from app.jobs import JobContext, JobSpec
from app.queue import InlineQueue
from app.store import Store

pytestmark = pytest.mark.anyio


class Recorder:
    """Job functions whose runs the tests can count."""

    def __init__(self) -> None:
        self.runs: list[str] = []
        self.release = asyncio.Event()
        self.fail_times = 0

    async def quick(self, context: JobContext, payload: dict[str, Any]) -> None:
        self.runs.append(payload["name"])

    async def flaky(self, context: JobContext, payload: dict[str, Any]) -> None:
        self.runs.append(payload["name"])
        if len(self.runs) <= self.fail_times:
            raise ConnectionError("forge unavailable")

    async def slow(self, context: JobContext, payload: dict[str, Any]) -> None:
        self.runs.append(payload["name"])
        await self.release.wait()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path}/state.db")
    store.upgrade()
    yield store
    store.close()


def make_queue(store: Store, recorder: Recorder, **options: Any) -> InlineQueue:
    context = JobContext(config=Config(server=ServerSection()), store=store)
    jobs = {
        "quick": JobSpec("quick", recorder.quick),
        "flaky": JobSpec("flaky", recorder.flaky, max_tries=3),
        "slow": JobSpec("slow", recorder.slow, timeout=timedelta(seconds=30)),
    }
    return InlineQueue(context, jobs=jobs, poll_seconds=0.05, **options)


async def test_a_job_enqueued_twice_runs_once(store: Store) -> None:
    recorder = Recorder()
    queue = make_queue(store, recorder)
    await queue.start()
    assert await queue.enqueue("quick", job_id="quick:1", payload={"name": "one"})
    assert not await queue.enqueue("quick", job_id="quick:1", payload={"name": "one"})
    await queue.drain()
    assert not await queue.enqueue("quick", job_id="quick:1", payload={"name": "one"})
    await queue.drain()
    await queue.stop()
    assert recorder.runs == ["one"]


async def test_a_failing_job_is_retried_then_succeeds(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.queue.inline.RETRY_BASE_SECONDS", 0)
    recorder = Recorder()
    recorder.fail_times = 2
    queue = make_queue(store, recorder)
    await queue.start()
    await queue.enqueue("flaky", job_id="flaky:1", payload={"name": "f"})
    await queue.drain()
    await queue.stop()
    assert recorder.runs == ["f", "f", "f"]
    job = store.jobs.get("flaky:1")
    assert job is not None and job.status == "done"


async def test_a_job_failing_every_try_ends_failed_with_the_error(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.queue.inline.RETRY_BASE_SECONDS", 0)
    recorder = Recorder()
    recorder.fail_times = 99
    queue = make_queue(store, recorder)
    await queue.start()
    await queue.enqueue("flaky", job_id="flaky:2", payload={"name": "f"})
    await queue.drain()
    await queue.stop()
    job = store.jobs.get("flaky:2")
    assert job is not None
    assert (job.status, job.attempts, job.error) == (
        "failed",
        3,
        "ConnectionError: forge unavailable",
    )


async def test_a_job_pending_at_shutdown_runs_after_restart(store: Store) -> None:
    recorder = Recorder()
    first = make_queue(store, recorder)
    await first.start()
    await first.stop()
    # Enqueued by a process that stops before any worker takes it (e.g. the webhook answered,
    # then the service was redeployed).
    store.jobs.add(job_id="quick:late", kind="quick", payload={"name": "late"}, max_tries=3)
    assert recorder.runs == []
    second = make_queue(store, recorder)
    await second.start()
    await second.drain()
    await second.stop()
    assert recorder.runs == ["late"]


async def test_a_job_running_at_shutdown_is_requeued_and_runs_after_restart(
    store: Store,
) -> None:
    recorder = Recorder()
    first = make_queue(store, recorder, shutdown_grace=0.1)
    await first.start()
    await first.enqueue("slow", job_id="slow:1", payload={"name": "slow"})
    for _ in range(100):
        if recorder.runs:
            break
        await asyncio.sleep(0.02)
    await first.stop()
    job = store.jobs.get("slow:1")
    assert job is not None and (job.status, job.attempts) == ("queued", 0)
    recorder.release.set()
    second = make_queue(store, recorder)
    await second.start()
    await second.drain()
    await second.stop()
    assert recorder.runs == ["slow", "slow"]
    job = store.jobs.get("slow:1")
    assert job is not None and job.status == "done"


async def test_shutdown_lets_a_running_job_finish_within_the_grace(store: Store) -> None:
    recorder = Recorder()
    queue = make_queue(store, recorder, shutdown_grace=5)
    await queue.start()
    await queue.enqueue("slow", job_id="slow:2", payload={"name": "s"})
    for _ in range(100):
        if recorder.runs:
            break
        await asyncio.sleep(0.02)
    asyncio.get_running_loop().call_later(0.2, recorder.release.set)
    await queue.stop()
    job = store.jobs.get("slow:2")
    assert job is not None and job.status == "done"


async def test_a_crash_left_running_job_resumes(store: Store) -> None:
    store.jobs.add(job_id="quick:crash", kind="quick", payload={"name": "c"}, max_tries=3)
    assert store.jobs.claim_next() is not None  # the process that claimed it died
    recorder = Recorder()
    queue = make_queue(store, recorder)
    await queue.start()
    await queue.drain()
    await queue.stop()
    assert recorder.runs == ["c"]


async def test_an_unknown_kind_is_refused(store: Store) -> None:
    queue = make_queue(store, Recorder())
    with pytest.raises(ValueError, match="unknown job kind 'nope'"):
        await queue.enqueue("nope", job_id="x", payload={})
