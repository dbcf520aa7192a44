"""Script calls of one turn of the event loop share one pipeline; each keeps its own answer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from app.queue.arq_queue import ArqQueue
from app.queue.script_batches import ScriptBatches

pytestmark = pytest.mark.anyio

ECHO = """
if ARGV[1] == 'boom' then
  return redis.error_reply('boom: ' .. KEYS[1])
end
return redis.call('INCR', KEYS[1]) .. ':' .. ARGV[1]
"""


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[redis.asyncio.Redis]:
    connection = redis.asyncio.Redis.from_url(redis_url, decode_responses=True)
    yield connection
    await connection.aclose()


def counting(client: redis.asyncio.Redis) -> tuple[list[int], ScriptBatches]:
    """Batches over ``client``, and how many batches were sent (one client lookup each)."""
    sent = [0]

    async def connect() -> redis.asyncio.Redis:
        sent[0] += 1
        return client

    return sent, ScriptBatches(ECHO, connect)


async def test_calls_of_one_turn_go_in_one_pipeline_in_order(client: redis.asyncio.Redis) -> None:
    sent, batches = counting(client)
    results = await asyncio.gather(*(batches.call(["n"], [str(i)]) for i in range(50)))
    assert results == [f"{i + 1}:{i}" for i in range(50)]
    assert sent == [1]
    # A call alone in its turn is sent by itself, at once.
    assert await batches.call(["n"], ["alone"]) == "51:alone"
    assert sent == [2]


async def test_an_error_of_one_call_is_that_call_s_alone(client: redis.asyncio.Redis) -> None:
    _, batches = counting(client)
    results = await asyncio.gather(
        batches.call(["a"], ["1"]),
        batches.call(["b"], ["boom"]),
        batches.call(["a"], ["2"]),
        return_exceptions=True,
    )
    assert results[0] == "1:1" and results[2] == "2:2"
    assert isinstance(results[1], ResponseError) and "boom: b" in str(results[1])


async def test_a_script_redis_forgot_is_loaded_again(client: redis.asyncio.Redis) -> None:
    _, batches = counting(client)
    assert await batches.call(["n"], ["first"]) == "1:first"
    await client.script_flush()
    results = await asyncio.gather(*(batches.call(["n"], [str(i)]) for i in range(3)))
    assert results == ["2:0", "3:1", "4:2"]


async def test_when_redis_is_unreachable_every_call_of_the_batch_raises() -> None:
    unreachable = redis.asyncio.Redis.from_url("redis://127.0.0.1:1/0")
    _, batches = counting(unreachable)
    results = await asyncio.gather(
        *(batches.call(["n"], [str(i)]) for i in range(3)), return_exceptions=True
    )
    assert all(isinstance(result, RedisConnectionError) for result in results)
    await unreachable.aclose()


async def test_deliveries_queued_in_one_batch_are_claimed_once(redis_url: str) -> None:
    queue = ArqQueue(redis_url)
    await queue.start()
    try:
        same_delivery = await asyncio.gather(
            *(
                queue.enqueue_delivery("review", job_id="review:1", payload={}, delivery="gh:d1")
                for _ in range(10)
            )
        )
        assert sorted(same_delivery) == ["duplicate"] * 9 + ["queued"]
        same_job = await asyncio.gather(
            *(
                queue.enqueue_delivery("review", job_id="review:2", payload={}, delivery=f"gh:{i}")
                for i in range(5)
            )
        )
        assert sorted(same_job) == ["already_queued"] * 4 + ["queued"]
    finally:
        await queue.stop()
