"""The job functions and their limits: what the queue runs, in-process or in an arq worker.

Jobs are at-least-once (arq's model, and ours after a crash): every job must be idempotent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from app.config import Config
from app.store import Store

__all__ = ["JOBS", "JobContext", "JobSpec", "job_id"]


@dataclass
class JobContext:
    """What every job receives: the config and the state store."""

    config: Config
    store: Store


JobFunction = Callable[[JobContext, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class JobSpec:
    kind: str
    function: JobFunction
    #: Attempts before a job is marked failed (a crash counts, as in arq).
    max_tries: int = 5
    #: arq kills a job after this; a killed worker's job reruns only after timeout + 10 s.
    timeout: timedelta = timedelta(minutes=5)


def job_id(kind: str, *parts: str) -> str:
    """Derive a job id from the event, so announcing the same event twice queues one job."""
    return ":".join((kind, *parts))


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


JOBS: dict[str, JobSpec] = {
    spec.kind: spec
    for spec in (JobSpec("probe", probe, max_tries=3, timeout=timedelta(seconds=30)),)
}
