"""A soak waits after the previous environment succeeded; no job is held open meanwhile, and
the sweep wakes the rollout when the soak is over."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.app.rollout.conftest import Target
from tests.app.rollout.harness import ForgeRepository, RolloutService, write_config
from tests.fakeforge import FakeForge

pytestmark = pytest.mark.anyio


async def test_production_soaks_after_staging_then_goes_on_by_itself(
    fake_forge: FakeForge, postgres_target: Callable[[], Target], tmp_path: Path, state_url: str
) -> None:
    staging, production = postgres_target(), postgres_target()
    config = write_config(
        tmp_path / "schemabot.toml",
        fake=fake_forge,
        state_url=state_url,
        environments=[
            {"name": "staging", "url": staging.url},
            {"name": "production", "url": production.url, "soak": "2s"},
        ],
    )
    service = RolloutService(config)
    async with service:
        repo = ForgeRepository(fake_forge, "github", service)
        pull = repo.merge({"0001_create.sql": "CREATE TABLE things (id int);\n"})
        await repo.deliver_merged(pull)

        def soaking_with_nothing_held_open() -> bool:
            # The job that started the soak records its own end just after releasing the lease.
            found = service.store.rollouts.for_pull_request("github", "acme/shop", pull.number)
            soaking = found is not None and found.waiting_for == "soak" and not found.lease_holder
            return soaking and service.store.jobs.count("running") == 0

        await service.until(soaking_with_nothing_held_open, what="the soak, no job running")
        rollout = service.rollout(pull.number)
        assert rollout.waiting_for == "soak", "still soaking: the 2 s are not over"
        assert production.applied() == []
        status = repo.statuses(str(pull.merge_sha))["schemabot/production"]
        assert status[0] == "pending" and status[1].startswith("soaking until ")

        done = await service.reaches(pull.number, "succeeded", within=30)
        assert production.applied() == ["0001"]
        steps = service.steps(done)
        staging_done, production_started = (
            steps["staging"].finished_at,
            steps["production"].started_at,
        )
        assert staging_done is not None and production_started is not None
        assert rollout.wait_until is not None
        assert production_started >= rollout.wait_until
        assert (production_started - staging_done).total_seconds() >= 2
