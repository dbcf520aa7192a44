"""Each delivery is handled once, and a delivery whose job could not be queued is not lost: with
Redis (claimed in the same atomic script that queues the job, shared by every replica) and
without (the state store's deliveries table, forgotten again when queueing fails)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import redis
from arq.jobs import deserialize_job
from fastapi import FastAPI

from app.api import webhooks
from app.api.middleware import RequestContextMiddleware
from app.api.services import Services
from app.config import Config
from app.jobs import JOBS, JobContext
from app.logs import configure_logging
from app.queue import InlineQueue, Queue
from app.queue.arq_queue import DELIVERY_KEY_PREFIX, DELIVERY_TTL_SECONDS, ArqQueue
from app.store import Store
from tests.app.review.harness import REPOSITORY, SECRET, service_config
from tests.app.webhooks.payloads import github_delivery, github_pull_request
from tests.fakeforge import FakeForge, fake_forge

__all__ = ["fake_forge"]

pytestmark = pytest.mark.anyio

#: Nothing listens there: connecting fails at once.
REDIS_DOWN = "redis://127.0.0.1:1/0"


@pytest.fixture
def config(fake_forge: FakeForge, tmp_path: Path) -> Config:
    return service_config(fake_forge, tmp_path)


@pytest.fixture
def store(config: Config) -> Iterator[Store]:
    store = Store(config.server.state_url)
    store.upgrade()
    yield store
    store.close()


class Replica:
    """The webhook router of one API replica, in this process, on the given queue."""

    def __init__(self, config: Config, store: Store, queue: Queue) -> None:
        app = FastAPI()
        app.add_middleware(RequestContextMiddleware)
        app.include_router(webhooks.router)
        self.services = Services(config=config, store=store, queue=queue)
        app.state.services = self.services
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://schemabot.test"
        )

    async def deliver(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        answer = await self.client.post("/webhooks/github", content=body, headers=headers)
        return answer.status_code, answer.json()["status"]


@pytest.fixture
async def arq_queues(redis_url: str) -> AsyncIterator[list[ArqQueue]]:
    queues = [ArqQueue(redis_url), ArqQueue(redis_url)]
    for queue in queues:
        await queue.start()
    yield queues
    for queue in queues:
        await queue.stop()


async def test_with_redis_a_failed_enqueue_claims_nothing(
    config: Config, store: Store, redis_url: str, arq_queues: list[ArqQueue]
) -> None:
    body, headers = github_delivery(github_pull_request(number=3, head_sha="d" * 40), SECRET)
    down = ArqQueue(REDIS_DOWN)
    await down.start()  # logged, not raised: the API starts without its Redis
    assert await Replica(config, store, down).deliver(body, headers) == (503, "unavailable")

    # Redis is back: the forge's redelivery is new, and queued once.
    replica = Replica(config, store, arq_queues[0])
    assert await replica.deliver(body, headers) == (202, "queued")
    assert await replica.deliver(body, headers) == (200, "duplicate")

    client = redis.Redis.from_url(redis_url)
    key = f"{DELIVERY_KEY_PREFIX}github:123456789:{headers['X-GitHub-Delivery']}"
    job_id = f"review:github:{REPOSITORY}:3:{'d' * 40}:main"
    assert DELIVERY_TTL_SECONDS - 60 < client.ttl(key) <= DELIVERY_TTL_SECONDS
    assert client.get(key) == job_id.encode()
    # arq's own layout and serializer: what `schemabot worker` reads back.
    assert client.zscore("arq:queue", job_id) is not None
    job = deserialize_job(client.get(f"arq:job:{job_id}"))
    assert (job.function, job.kwargs, job.job_try) == ("review", {}, None)
    assert job.args[0]["head_sha"] == "d" * 40 and job.args[0]["number"] == 3
    assert 0 < client.pttl(f"arq:job:{job_id}") <= 86_400_000
    client.close()
    # With Redis the claim lives there; the state store's table is not written.
    assert store.deliveries.record(
        forge="github", key=f"123456789:{headers['X-GitHub-Delivery']}", event="probe"
    )


async def test_replicas_sharing_redis_queue_each_delivery_exactly_once(
    config: Config, store: Store, arq_queues: list[ArqQueue]
) -> None:
    replicas = [Replica(config, store, queue) for queue in arq_queues]
    body, headers = github_delivery(github_pull_request(number=4), SECRET)
    # The same delivery, twenty times at once across two replicas.
    answers = await asyncio.gather(
        *(replicas[index % 2].deliver(body, headers) for index in range(20))
    )
    assert Counter(answers) == {(202, "queued"): 1, (200, "duplicate"): 19}
    # Ten deliveries of one event (other hooks, other delivery ids): one job.
    deliveries = [
        github_delivery(github_pull_request(number=5), SECRET, hook_id=str(hook))
        for hook in range(10)
    ]
    answers = await asyncio.gather(
        *(replicas[index % 2].deliver(*delivery) for index, delivery in enumerate(deliveries))
    )
    assert Counter(answers) == {(202, "queued"): 1, (202, "already_queued"): 9}


async def test_a_job_running_or_done_is_not_queued_again(
    redis_url: str, arq_queues: list[ArqQueue]
) -> None:
    queue = arq_queues[0]
    client = redis.Redis.from_url(redis_url)
    client.set("arq:in-progress:probe:running", b"1")
    client.set("arq:result:probe:done", b"result")
    for job_id in ("probe:running", "probe:done"):
        assert not await queue.enqueue("probe", job_id=job_id, payload={})
        assert await queue.enqueue_delivery(
            "probe", job_id=job_id, payload={}, delivery=f"github:{job_id}"
        ) == ("already_queued")
        assert client.zscore("arq:queue", job_id) is None
    client.close()


async def test_without_redis_a_failed_enqueue_forgets_the_delivery(
    config: Config, store: Store
) -> None:
    context = JobContext(config=config, store=store)
    # An in-process queue that knows no job kinds: every enqueue raises.
    broken = InlineQueue(context, jobs={})
    replica = Replica(config, store, broken)
    body, headers = github_delivery(github_pull_request(number=6), SECRET)
    assert await replica.deliver(body, headers) == (503, "unavailable")
    # The queue works again (not started: the job stays queued in the store for us to see).
    replica.services.queue = InlineQueue(context, jobs=JOBS)
    assert await replica.deliver(body, headers) == (202, "queued")
    assert await replica.deliver(body, headers) == (200, "duplicate")
    assert store.jobs.count("queued") == 1


async def test_a_rollout_delivery_whose_enqueue_failed_is_handled_on_redelivery(
    config: Config, store: Store, arq_queues: list[ArqQueue]
) -> None:
    merged = github_pull_request(number=8, action="closed", merged=True)
    body, headers = github_delivery(merged, SECRET)
    down = ArqQueue(REDIS_DOWN)
    assert await Replica(config, store, down).deliver(body, headers) == (503, "unavailable")
    replica = Replica(config, store, arq_queues[0])
    assert await replica.deliver(body, headers) == (202, "queued")
    assert await replica.deliver(body, headers) == (200, "duplicate")


async def test_log_lines_carry_request_and_delivery_ids(
    config: Config,
    store: Store,
    arq_queues: list[ArqQueue],
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(level="info", json=True)
    body, headers = github_delivery(github_pull_request(number=9), SECRET)
    delivery_id = f"123456789:{headers['X-GitHub-Delivery']}"
    accepted = await Replica(config, store, arq_queues[0]).deliver(
        body, {**headers, "X-Request-ID": "req-accepted"}
    )
    failed = await Replica(config, store, ArqQueue(REDIS_DOWN)).deliver(
        *github_delivery(github_pull_request(number=10), SECRET, delivery="d-10")
    )
    assert (accepted, failed) == ((202, "queued"), (503, "unavailable"))
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line[:1] == "{"]
    requests = [line for line in lines if line["event"] == "http.request"]
    assert [(r["status"], r["webhook_outcome"], r["delivery_id"]) for r in requests] == [
        (202, "queued", delivery_id),
        (503, "unavailable", "123456789:d-10"),
    ]
    assert requests[0]["request_id"] == "req-accepted"
    assert requests[0]["path"] == "/webhooks/github" and requests[0]["level"] == "info"
    [error] = [line for line in lines if line["event"] == "webhook.enqueue_failed"]
    assert error["level"] == "error" and error["delivery_id"] == "123456789:d-10"
    assert error["request_id"] == requests[1]["request_id"] and len(error["request_id"]) == 32
