"""The forge failing under a rollout: nothing is lost, nothing is applied twice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.app.rollout.conftest import Target
from tests.app.rollout.harness import ForgeRepository, RolloutService, write_config
from tests.fakeforge import FakeForge

pytestmark = pytest.mark.anyio


def one_environment(
    fake: FakeForge, tmp_path: Path, state_url: str, staging: Target
) -> RolloutService:
    config = write_config(
        tmp_path / "schemabot.toml",
        fake=fake,
        state_url=state_url,
        environments=[{"name": "staging", "url": staging.url}],
    )
    return RolloutService(config)


async def test_the_files_unreadable_for_a_while_the_rollout_goes_on_after(
    fake_forge: FakeForge, postgres_target: Callable[[], Target], tmp_path: Path, state_url: str
) -> None:
    staging = postgres_target()
    service = one_environment(fake_forge, tmp_path, state_url, staging)
    async with service:
        repo = ForgeRepository(fake_forge, "github", service)
        pull = repo.merge({"0001_create.sql": "CREATE TABLE things (id int);\n"})
        # Two jobs' worth of failures (the adapter tries twice per read).
        fake_forge.fail_next(r"/git/trees/", status=502, times=4)
        await repo.deliver_merged(pull)
        done = await service.reaches(pull.number, "succeeded", within=30)
        assert staging.applied() == ["0001"]
        assert len(fake_forge.requests("GET", "/git/trees/")) >= 5, "tried again after the outage"
        assert service.steps(done)["staging"].attempts >= 2


async def test_statuses_refused_by_the_forge_are_written_later(
    fake_forge: FakeForge,
    postgres_target: Callable[[], Target],
    tmp_path: Path,
    state_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SCHEMABOT_ROLLOUT_REPORT_RETRY_SECONDS", "3")
    staging = postgres_target()
    service = one_environment(fake_forge, tmp_path, state_url, staging)
    async with service:
        repo = ForgeRepository(fake_forge, "github", service)
        pull = repo.merge({"0001_create.sql": "CREATE TABLE things (id int);\n"})
        # Every status write of the rollout's job fails (two, each tried twice by the adapter).
        fake_forge.fail_next(r"/statuses/", status=503, method="POST", times=4)
        await repo.deliver_merged(pull)
        done = await service.reaches(pull.number, "succeeded", within=30)
        assert done.report_due_at is not None, "a report is still owed"
        assert repo.statuses(str(pull.merge_sha)) == {}

        def reported() -> bool:
            rollout = service.rollout(pull.number)
            return rollout.report_due_at is None and rollout.lease_holder is None

        await service.until(reported, within=30, what="the statuses written")
        assert repo.statuses(str(pull.merge_sha))["schemabot/staging"][0] == "success"
        assert staging.applied() == ["0001"], "reporting again applies nothing again"
