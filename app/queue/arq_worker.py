"""The arq worker that ``schemabot worker`` runs: the same job functions as the inline queue."""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from typing import Any

import structlog
from arq import func
from arq.connections import RedisSettings
from arq.worker import Worker

from app.config import Config
from app.jobs import JOBS, JobContext, JobSpec
from app.metrics import JOB_SECONDS
from app.metrics import JOBS as JOB_COUNTS
from app.queue.arq_queue import ArqQueue
from app.rollout import RolloutRecovery
from app.store import Store

__all__ = ["create_worker"]

log = structlog.get_logger(__name__)

#: arq keeps a job's result (and so refuses its id again) this long: redeliveries of an event
#: within the hour collapse; a deliberate re-run uses its own id.
KEEP_RESULT_SECONDS = 3600


def _arq_function(spec: JobSpec) -> Callable[..., Coroutine[Any, Any, None]]:
    async def run(ctx: dict[str, Any], payload: dict[str, Any]) -> None:
        context: JobContext = ctx["schemabot"]
        started = time.perf_counter()
        bound = log.bind(job_id=ctx.get("job_id"), job_kind=spec.kind, attempt=ctx.get("job_try"))
        try:
            await spec.function(context, payload)
        except Exception as error:
            JOB_COUNTS.labels(spec.kind, "failed").inc()
            bound.warning("job.error", error=f"{type(error).__name__}: {error}")
            raise
        finally:
            JOB_SECONDS.labels(spec.kind).observe(time.perf_counter() - started)
        JOB_COUNTS.labels(spec.kind, "success").inc()
        bound.info("job.done", duration_ms=round((time.perf_counter() - started) * 1000))

    run.__qualname__ = run.__name__ = spec.kind
    return run


def create_worker(config: Config, *, burst: bool = False) -> Worker:
    store = Store(config.server.state_url)
    store.upgrade()

    async def on_startup(ctx: dict[str, Any]) -> None:
        # Jobs queue follow-up jobs (a rollout wakes another) on the same Redis.
        queue = ArqQueue(config.server.redis_url)
        await queue.start()
        ctx["schemabot"] = JobContext(config=config, store=store, queue=queue)
        ctx["rollout_recovery"] = recovery = RolloutRecovery(store=store, queue=queue)
        await recovery.start()

    async def on_shutdown(ctx: dict[str, Any]) -> None:
        if "rollout_recovery" in ctx:
            await ctx["rollout_recovery"].stop()
            await ctx["schemabot"].queue.stop()
        store.close()

    functions = [
        func(
            _arq_function(spec),
            name=spec.kind,
            max_tries=spec.max_tries,
            timeout=spec.timeout.total_seconds(),
            keep_result=KEEP_RESULT_SECONDS,
        )
        for spec in JOBS.values()
    ]
    return Worker(
        functions=functions,
        redis_settings=RedisSettings.from_dsn(config.server.redis_url),
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        max_jobs=config.server.job_concurrency,
        keep_result=KEEP_RESULT_SECONDS,
        burst=burst,
        handle_signals=True,
        job_completion_wait=int(config.server.shutdown_grace.total_seconds()),
    )
