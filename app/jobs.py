"""The job functions and their limits: what the queue runs, in-process or in an arq worker.

Jobs are at-least-once (arq's model, and ours after a crash): every job must be idempotent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from app.config import Config
from app.store import Store

if TYPE_CHECKING:
    from app.forges import Forge

__all__ = ["JOBS", "JobContext", "JobQueue", "JobSpec", "job_id"]


class JobQueue(Protocol):
    """Where a job queues follow-up jobs (a rollout wakes another): the running queue."""

    async def enqueue(self, kind: str, *, job_id: str, payload: dict[str, Any]) -> bool: ...


@dataclass
class JobContext:
    """What every job receives: the config, the state store, and the forges."""

    config: Config
    store: Store
    #: Built from the config on first use; tests pass adapters with their own pacing.
    forges: dict[str, Forge] | None = field(default=None)
    #: The queue this context's jobs run on, set once it is built.
    queue: JobQueue | None = field(default=None)

    def forge(self, name: str) -> Forge:
        if self.forges is None:
            from app.forges import create_forges

            self.forges = create_forges(self.config)
        return self.forges[name]


JobFunction = Callable[[JobContext, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class JobSpec:
    kind: str
    function: JobFunction
    #: Attempts before a job is marked failed (a crash counts, as in arq).
    max_tries: int = 5
    #: arq kills a job after this; a killed worker's job reruns only after timeout + 10 s.
    timeout: timedelta = timedelta(minutes=5)


#: The jobs table's id column holds 200 characters; longer ids (deep GitLab groups) are hashed.
MAX_JOB_ID = 200


def job_id(kind: str, *parts: str) -> str:
    """Derive a job id from the event, so announcing the same event twice queues one job."""
    candidate = ":".join((kind, *parts))
    if len(candidate) <= MAX_JOB_ID:
        return candidate
    return f"{kind}:{hashlib.sha256(candidate.encode()).hexdigest()}"


async def probe(context: JobContext, payload: dict[str, Any]) -> None:
    """Record that the queue delivered a job: checks a worker end to end (``/readyz?probe``)."""
    import asyncio

    await asyncio.to_thread(
        context.store.audit.record,
        actor="queue",
        action="probe",
        subject=str(payload.get("subject", "probe")),
        detail={"token": payload.get("token")},
    )


async def review(context: JobContext, payload: dict[str, Any]) -> None:
    """Lint a pull request's changed migrations; comment, summarise, set the status."""
    import structlog

    from app.review import ReviewRequest, run_review

    request = ReviewRequest.from_payload(payload)
    structlog.contextvars.bind_contextvars(delivery_id=request.delivery)
    await run_review(
        request, forge=context.forge(request.forge), store=context.store, config=context.config
    )


async def rollout(context: JobContext, payload: dict[str, Any]) -> None:
    """Move a rollout on: its environments in order, through their gates and the runner."""
    from app.rollout import rollout_job

    await rollout_job(context, payload)


async def rollout_start(context: JobContext, payload: dict[str, Any]) -> None:
    """Create (once) and wake the rollout of a commit announced on the deploy branch."""
    from app.rollout import rollout_start_job

    await rollout_start_job(context, payload)


async def rollout_command(context: JobContext, payload: dict[str, Any]) -> None:
    """Act on ``/schemabot approve|retry|cancel`` in a pull request comment, or say why not."""
    from app.rollout import rollout_command_job

    await rollout_command_job(context, payload)


JOBS: dict[str, JobSpec] = {
    spec.kind: spec
    for spec in (
        JobSpec("probe", probe, max_tries=3, timeout=timedelta(seconds=30)),
        # Five tries a few seconds to minutes apart ride out a forge hiccup; a review of a
        # 300-file pull request takes seconds, ten minutes is far beyond a healthy one.
        JobSpec("review", review, max_tries=5, timeout=timedelta(minutes=10)),
        # A rollout job may apply migrations for hours; a dead worker is noticed by its lease
        # (app.rollout.timing), not by this timeout, which only bounds a runaway job.
        JobSpec("rollout", rollout, max_tries=5, timeout=timedelta(hours=24)),
        JobSpec("rollout-start", rollout_start, max_tries=5, timeout=timedelta(minutes=5)),
        JobSpec("rollout-command", rollout_command, max_tries=3, timeout=timedelta(minutes=5)),
    )
}
