"""Where jobs go: arq on Redis when ``redis_url`` is set, otherwise in-process."""

from __future__ import annotations

from typing import Any, Protocol

from app.jobs import JOBS, JobContext
from app.queue.inline import InlineQueue

__all__ = ["InlineQueue", "Queue", "create_queue"]


class Queue(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def enqueue(self, kind: str, *, job_id: str, payload: dict[str, Any]) -> bool:
        """Queue a job once: False when a job with this id is queued, running or done."""
        ...

    async def ping(self) -> None:
        """Raise when the queue cannot take jobs."""
        ...

    @property
    def description(self) -> str: ...


def create_queue(context: JobContext) -> Queue:
    server = context.config.server
    if server.redis_url:
        from app.queue.arq_queue import ArqQueue

        return ArqQueue(server.redis_url)
    return InlineQueue(
        context,
        jobs=JOBS,
        concurrency=server.job_concurrency,
        shutdown_grace=server.shutdown_grace.total_seconds(),
    )
