"""Rollouts on arq and Redis, run by real ``schemabot worker`` processes: the approval flow,
and a worker killed with SIGKILL in the middle of staging.

The state store is PostgreSQL here (several processes share it, as in a deployment).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.app.rollout.conftest import Target
from tests.app.rollout.harness import (
    ForgeRepository,
    RolloutService,
    WorkerProcess,
    write_config,
)
from tests.fakeforge import FakeForge

pytestmark = pytest.mark.anyio


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[[Path], WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(config_path: Path) -> WorkerProcess:
        worker = WorkerProcess(config_path, tmp_path / f"worker-{len(started) + 1}.log").start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


async def test_approval_flow_on_redis_with_a_worker_process(
    fake_forge: FakeForge,
    postgres_target: Callable[[], Target],
    tmp_path: Path,
    redis_url: str,
    workers: Callable[[Path], WorkerProcess],
) -> None:
    staging, production, state = postgres_target(), postgres_target(), postgres_target()
    config_path = tmp_path / "schemabot.toml"
    config = write_config(
        config_path,
        fake=fake_forge,
        state_url=state.url,
        redis_url=redis_url,
        environments=[
            {"name": "staging", "url": staging.url},
            {"name": "production", "url": production.url, "approval": True},
        ],
    )
    service = RolloutService(config)
    await service.start()
    workers(config_path)
    try:
        repo = ForgeRepository(fake_forge, "github", service)
        fake_forge.set_role("acme/shop", "dba-bob", "admin")
        fake_forge.set_role("acme/shop", "stranger", "read")
        pull = repo.merge({"0001_create.sql": "CREATE TABLE things (id int);\n"})
        await repo.deliver_merged(pull)
        rollout = await service.settled(pull.number)
        assert (rollout.status, rollout.waiting_for) == ("waiting", "approval")
        assert (staging.applied(), production.applied()) == (["0001"], [])

        await repo.comment(pull, "/schemabot approve production", author="stranger")

        def replied() -> bool:
            return any("nothing happened" in c for c in repo.comments_by(1, FakeForge.BOT))

        await service.until(replied, what="the refusal")
        assert production.applied() == []

        await repo.comment(pull, "/schemabot approve production", author="dba-bob")
        await service.reaches(pull.number, "succeeded")
        assert production.applied() == ["0001"]
        statuses = repo.statuses(str(pull.merge_sha))
        assert {context: state for context, (state, _) in statuses.items()} == {
            "schemabot/staging": "success",
            "schemabot/production": "success",
        }
    finally:
        await service.stop()


async def test_a_worker_killed_mid_staging_finishes_after_a_restart(
    fake_forge: FakeForge,
    postgres_target: Callable[[], Target],
    tmp_path: Path,
    redis_url: str,
    workers: Callable[[Path], WorkerProcess],
) -> None:
    staging, production, state = postgres_target(), postgres_target(), postgres_target()
    config_path = tmp_path / "schemabot.toml"
    config = write_config(
        config_path,
        fake=fake_forge,
        state_url=state.url,
        redis_url=redis_url,
        environments=[
            {"name": "staging", "url": staging.url},
            {"name": "production", "url": production.url},
        ],
    )
    # Only the workers recover rollouts here: the API process does not sweep.
    service = RolloutService(config, recovery=False)
    await service.start()
    first = workers(config_path)
    try:
        repo = ForgeRepository(fake_forge, "github", service)
        pull = repo.merge(
            {
                "0001_create.sql": "CREATE TABLE things (id int);\n",
                "0002_slow.sql": "SELECT pg_sleep(3);\nALTER TABLE things ADD COLUMN slow int;\n",
                "0003_after.sql": "ALTER TABLE things ADD COLUMN after int;\n",
            }
        )
        await repo.deliver_merged(pull)

        def applying_the_slow_one() -> bool:
            found = service.store.rollouts.for_pull_request("github", "acme/shop", pull.number)
            return found is not None and (
                service.steps(found)["staging"].current_script == "0002_slow.sql"
            )

        await service.until(applying_the_slow_one, within=30, what="0002 running")
        first.kill()
        killed = service.rollout(pull.number)
        assert killed.status == "running" and killed.lease_holder is not None

        restarted = time.monotonic()
        workers(config_path)
        await service.reaches(pull.number, "succeeded", within=60)
        took = time.monotonic() - restarted
        assert took < 60, f"continued {took:.1f} s after the replacement started"

        for target in (staging, production):
            assert target.applied() == ["0001", "0002", "0003"], "every migration once"
            assert target.query("SELECT count(*) FROM schemabot_history") == [(3,)]
        steps = service.steps(service.rollout(pull.number))
        assert [entry["script"] for entry in steps["staging"].applied] == [
            "0001_create.sql",
            "0002_slow.sql",
            "0003_after.sql",
        ]
        assert steps["staging"].attempts == 2
        assert steps["production"].attempts == 1
        print(f"continued and finished {took:.1f} s after the replacement worker started")
    finally:
        await service.stop()
