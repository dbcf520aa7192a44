"""The in-process queue: jobs persisted in the state store, run by asyncio tasks.

One machine, no Redis: the same job functions as the arq worker. A job queued or running when
the process stops is in the store, and runs after the restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import structlog

from app.jobs import JobContext, JobSpec
from app.metrics import JOB_SECONDS, JOBS
from app.store import JobRecord

__all__ = ["InlineQueue"]

log = structlog.get_logger(__name__)

#: How often an idle queue looks for due jobs (retries scheduled for later).
POLL_SECONDS = 0.5
#: Retry delays grow like arq's: 5 s, 10 s, 20 s ... capped at 5 minutes.
RETRY_BASE_SECONDS = 5
RETRY_MAX_SECONDS = 300


class InlineQueue:
    def __init__(
        self,
        context: JobContext,
        *,
        jobs: Mapping[str, JobSpec],
        concurrency: int = 4,
        shutdown_grace: float = 20.0,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._context = context
        self._store = context.store
        self._jobs = jobs
        self._slots = asyncio.Semaphore(concurrency)
        self._grace = shutdown_grace
        self._poll = poll_seconds
        self._wake = asyncio.Event()
        self._stopping = False
        self._loop_task: asyncio.Task[None] | None = None
        self._running: dict[str, asyncio.Task[None]] = {}

    @property
    def description(self) -> str:
        return "in-process (jobs persisted in the state store)"

    async def start(self) -> None:
        resumed = await asyncio.to_thread(self._store.jobs.requeue_interrupted)
        if resumed:
            log.info("queue.resumed", jobs=resumed)
        self._stopping = False
        self._loop_task = asyncio.create_task(self._loop(), name="schemabot-inline-queue")

    async def enqueue(self, kind: str, *, job_id: str, payload: dict[str, Any]) -> bool:
        spec = self._jobs.get(kind)
        if spec is None:
            raise ValueError(f"unknown job kind {kind!r}")
        added = await asyncio.to_thread(
            self._store.jobs.add,
            job_id=job_id,
            kind=kind,
            payload=payload,
            max_tries=spec.max_tries,
        )
        if added:
            self._wake.set()
        return added

    async def ping(self) -> None:
        await asyncio.to_thread(self._store.ping)
        if self._loop_task is None or self._loop_task.done():
            raise RuntimeError("the in-process queue is not running")

    async def _loop(self) -> None:
        while not self._stopping:
            await self._slots.acquire()
            record = None
            try:
                record = await asyncio.to_thread(self._store.jobs.claim_next)
            finally:
                if record is None:
                    self._slots.release()
            if record is None:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
                continue
            task = asyncio.create_task(self._run(record), name=f"job {record.id}")
            self._running[record.id] = task

    async def _run(self, record: JobRecord) -> None:
        spec = self._jobs.get(record.kind)
        started = time.perf_counter()
        bound = log.bind(job_id=record.id, job_kind=record.kind, attempt=record.attempts)
        try:
            if spec is None:
                raise LookupError(f"unknown job kind {record.kind!r}")
            await asyncio.wait_for(
                spec.function(self._context, record.payload), spec.timeout.total_seconds()
            )
        except asyncio.CancelledError:
            # Shutdown: the job did not fail, it was interrupted; it runs again after restart.
            await asyncio.shield(
                asyncio.to_thread(self._store.jobs.requeue, record.id, undo_attempt=True)
            )
            JOBS.labels(record.kind, "interrupted").inc()
            bound.info("job.interrupted")
            raise
        except Exception as error:  # a failing job must never stop the queue
            message = f"{type(error).__name__}: {error}"
            if record.attempts < record.max_tries:
                delay = min(RETRY_BASE_SECONDS * 2 ** (record.attempts - 1), RETRY_MAX_SECONDS)
                await asyncio.to_thread(
                    self._store.jobs.retry_later,
                    record.id,
                    delay=timedelta(seconds=delay),
                    error=message,
                )
                JOBS.labels(record.kind, "retry").inc()
                bound.warning("job.retry", error=message, retry_in_s=delay)
            else:
                await asyncio.to_thread(
                    self._store.jobs.finish, record.id, failed=True, error=message
                )
                JOBS.labels(record.kind, "failed").inc()
                bound.error("job.failed", error=message)
        else:
            await asyncio.to_thread(self._store.jobs.finish, record.id)
            JOBS.labels(record.kind, "success").inc()
            bound.info("job.done", duration_ms=round((time.perf_counter() - started) * 1000))
        finally:
            JOB_SECONDS.labels(record.kind).observe(time.perf_counter() - started)
            self._running.pop(record.id, None)
            self._slots.release()

    async def stop(self) -> None:
        """Stop taking jobs, let running ones finish within the grace period, re-queue the rest."""
        self._stopping = True
        self._wake.set()
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
        running = list(self._running.values())
        if running:
            log.info("queue.draining", jobs=len(running), grace_s=self._grace)
            _, pending = await asyncio.wait(running, timeout=self._grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def drain(self, within: float = 10.0) -> None:
        """Wait until no job is queued or running (tests and one-shot commands)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            # The store, not self._running, is the truth: a job being claimed is already
            # "running" there but not yet in self._running.
            # One query: two separate counts could each miss a job moving between states.
            unfinished = await asyncio.to_thread(self._store.jobs.count, "queued", "running")
            if not unfinished and not self._running:
                return
            await asyncio.sleep(0.02)
        raise TimeoutError("jobs still pending")
