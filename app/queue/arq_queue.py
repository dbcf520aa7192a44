"""arq on Redis: any number of API replicas enqueue, any number of workers run."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import structlog
from arq import ArqRedis, create_pool
from arq.connections import RedisSettings

from app.dsn import masked

__all__ = ["ArqQueue"]

log = structlog.get_logger(__name__)


class ArqQueue:
    def __init__(self, redis_url: str) -> None:
        # Fail fast instead of arq's 5 retries a second apart: the caller reports and retries.
        self._settings = replace(RedisSettings.from_dsn(redis_url), conn_retries=0, conn_timeout=2)
        self._url = redis_url
        self._pool: ArqRedis | None = None

    @property
    def description(self) -> str:
        return f"arq on {masked(self._url)}"

    async def start(self) -> None:
        # A Redis that is down at start must not keep the API from starting: /readyz says 503
        # with the reason, and the next enqueue or probe connects again.
        try:
            await self._connect()
        except Exception as error:  # redis-py's connection errors are not OSErrors
            log.warning("queue.unavailable", queue=self.description, error=str(error))

    async def _connect(self) -> ArqRedis:
        if self._pool is None:
            self._pool = await create_pool(self._settings)
        return self._pool

    async def stop(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()
            self._pool = None

    async def enqueue(self, kind: str, *, job_id: str, payload: dict[str, Any]) -> bool:
        pool = await self._connect()
        # arq refuses a second job with the same id while it is queued, running, or its result
        # is kept: duplicates from redeliveries collapse here.
        job = await pool.enqueue_job(kind, payload, _job_id=job_id)
        return job is not None

    async def ping(self) -> None:
        pool = await self._connect()
        await pool.ping()
