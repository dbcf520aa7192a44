"""One machine, no Redis: ``schemabot serve`` runs the jobs in-process. Killed with SIGKILL in
the middle of staging and started again, it finishes the rollout, every migration once."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path

import httpx
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(config_path: Path, log: Path, port: int) -> WorkerProcess:
    process = WorkerProcess(config_path, log, ("serve", "--port", str(port))).start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.stop()
    raise TimeoutError(f"schemabot serve did not answer; see {log}")


async def test_a_killed_service_finishes_the_rollout_after_a_restart(
    fake_forge: FakeForge, postgres_target: Callable[[], Target], tmp_path: Path, state_url: str
) -> None:
    staging, production = postgres_target(), postgres_target()
    config_path = tmp_path / "schemabot.toml"
    config = write_config(
        config_path,
        fake=fake_forge,
        state_url=state_url,
        environments=[
            {"name": "staging", "url": staging.url},
            {"name": "production", "url": production.url},
        ],
    )
    port = free_port()
    service = RolloutService(config, remote=f"http://127.0.0.1:{port}")
    first = serve(config_path, tmp_path / "serve-1.log", port)
    second = None
    try:
        repo = ForgeRepository(fake_forge, "github", service)
        pull = repo.merge(
            {
                "0001_create.sql": "CREATE TABLE things (id int);\n",
                "0002_slow.sql": "SELECT pg_sleep(2);\nALTER TABLE things ADD COLUMN slow int;\n",
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
        assert service.rollout(pull.number).status == "running"

        second = serve(config_path, tmp_path / "serve-2.log", port)
        done = await service.reaches(pull.number, "succeeded", within=60)
        for target in (staging, production):
            assert target.applied() == ["0001", "0002", "0003"]
        steps = service.steps(done)
        assert [entry["script"] for entry in steps["staging"].applied] == [
            "0001_create.sql",
            "0002_slow.sql",
            "0003_after.sql",
        ]
        assert repo.statuses(str(pull.merge_sha))["schemabot/production"][0] == "success"
    finally:
        first.stop()
        if second is not None:
            second.stop()
        await service.stop()
