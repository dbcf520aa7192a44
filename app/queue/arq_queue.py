"""arq on Redis: any number of API replicas enqueue, any number of workers run.

Jobs are written in arq's own layout (``arq:job:<id>`` holding the job serialized by arq's
``serialize_job``, its id in the ``arq:queue`` sorted set) by one Lua script, so an enqueue is
one round trip where arq's ``enqueue_job`` takes three (WATCH + EXISTS, then MULTI/EXEC), and
the enqueues of one turn of the event loop share that round trip (``ScriptBatches``). The same
script can claim a webhook delivery first (``SET NX``): claiming the delivery and queueing its
job happen together or not at all, across every replica sharing this Redis.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

import structlog
from arq import ArqRedis, create_pool
from arq.connections import RedisSettings
from arq.constants import in_progress_key_prefix, job_key_prefix, result_key_prefix
from arq.jobs import serialize_job
from arq.utils import timestamp_ms

from app.dsn import masked
from app.queue.script_batches import ScriptBatches

__all__ = ["DELIVERY_KEY_PREFIX", "DELIVERY_TTL_SECONDS", "ArqQueue", "DeliveryOutcome"]

log = structlog.get_logger(__name__)

#: Where a claimed webhook delivery is remembered: ``schemabot:delivery:<forge>:<key>``.
DELIVERY_KEY_PREFIX = "schemabot:delivery:"
#: A person can redeliver a GitHub delivery for 3 days; GitLab retries within minutes.
DELIVERY_TTL_SECONDS = 3 * 24 * 3600

#: ``duplicate``: the delivery was claimed before; ``already_queued``: new delivery, but a job
#: with this id is queued, running or its result is kept; ``queued``: a new job.
DeliveryOutcome = Literal["queued", "already_queued", "duplicate"]
_OUTCOMES: dict[int, DeliveryOutcome] = {0: "duplicate", 1: "already_queued", 2: "queued"}

# KEYS: job, result, in-progress, queue[, delivery]; ARGV: job id, job bytes, job ttl (ms),
# score (ms)[, delivery ttl (s)]. A Lua script runs atomically: no other client sees the
# delivery claimed without the job written. arq's own enqueue_job checks the job and result
# keys; the in-progress key is checked too, so a job whose key expired while it still runs is
# not queued a second time.
_ENQUEUE = """
if #KEYS == 5 and not redis.call('SET', KEYS[5], ARGV[1], 'NX', 'EX', ARGV[5]) then
  return 0
end
if redis.call('EXISTS', KEYS[1], KEYS[2], KEYS[3]) > 0 then
  return 1
end
redis.call('PSETEX', KEYS[1], ARGV[3], ARGV[2])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
return 2
"""


class ArqQueue:
    def __init__(self, redis_url: str) -> None:
        # Fail fast instead of arq's 5 retries a second apart: the caller reports and retries.
        self._settings = replace(RedisSettings.from_dsn(redis_url), conn_retries=0, conn_timeout=2)
        self._url = redis_url
        self._pool: ArqRedis | None = None
        self._enqueues = ScriptBatches(_ENQUEUE, self._connect)

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
        # arq refuses a second job with the same id while it is queued, running, or its result
        # is kept: duplicates from redeliveries collapse here.
        return await self._enqueue(kind, job_id, payload, None) == "queued"

    async def enqueue_delivery(
        self, kind: str, *, job_id: str, payload: dict[str, Any], delivery: str
    ) -> DeliveryOutcome:
        """Claim the webhook ``delivery`` (``<forge>:<key>``) for 3 days and queue the job, in
        one atomic round trip. Raises when Redis cannot be reached: then nothing was claimed,
        so the forge's redelivery is new (if the reply alone was lost, the job is queued and a
        redelivery is answered as a duplicate; the event is not lost either way)."""
        return await self._enqueue(kind, job_id, payload, DELIVERY_KEY_PREFIX + delivery)

    async def _enqueue(
        self, kind: str, job_id: str, payload: dict[str, Any], delivery_key: str | None
    ) -> DeliveryOutcome:
        pool = await self._connect()
        now = timestamp_ms()
        # arq's serializer (pickle unless the pool says otherwise): the worker reads it back.
        job = serialize_job(kind, (payload,), {}, None, now, serializer=pool.job_serializer)
        keys = [
            job_key_prefix + job_id,
            result_key_prefix + job_id,
            in_progress_key_prefix + job_id,
            pool.default_queue_name,
        ]
        # The job key lives as long as arq's own enqueue_job lets it: a day past its score.
        args: list[str | bytes | int] = [job_id, job, pool.expires_extra_ms, now]
        if delivery_key is not None:
            keys.append(delivery_key)
            args.append(DELIVERY_TTL_SECONDS)
        # EVALSHA, batched with the enqueues of the same turn of the event loop.
        result = await self._enqueues.call(keys, args)
        return _OUTCOMES[int(str(result))]

    async def ping(self) -> None:
        pool = await self._connect()
        await pool.ping()
