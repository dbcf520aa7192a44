"""A MariaDB environment after a PostgreSQL one: the same rollout, and a file MariaDB applies
only partly (each DDL statement commits on its own) is reported as needing a person."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.app.rollout.conftest import Target
from tests.app.rollout.harness import ForgeRepository, RolloutService, write_config
from tests.fakeforge import FakeForge

pytestmark = pytest.mark.anyio


async def test_a_mariadb_environment_after_postgresql(
    fake_forge: FakeForge,
    postgres_target: Callable[[], Target],
    mariadb_target: Target,
    tmp_path: Path,
    state_url: str,
) -> None:
    staging, analytics = postgres_target(), mariadb_target
    config = write_config(
        tmp_path / "schemabot.toml",
        fake=fake_forge,
        state_url=state_url,
        forge="gitlab",
        environments=[
            {"name": "staging", "url": staging.url},
            {"name": "analytics", "url": analytics.url, "lock_timeout": "2s"},
        ],
    )
    service = RolloutService(config)
    async with service:
        repo = ForgeRepository(fake_forge, "gitlab", service)
        fake_forge.set_access_level("acme/shop", "dba-bob", 40)
        first = repo.merge(
            {
                "0001_create.sql": "CREATE TABLE things (id int PRIMARY KEY, name varchar(40));\n",
                "0002_index.sql": "CREATE INDEX things_name ON things (name);\n",
            }
        )
        await repo.deliver_merged(first)
        done = await service.settled(first.number)
        assert done.status == "succeeded"
        assert analytics.applied() == ["0001", "0002"]
        assert analytics.query("SHOW INDEX FROM things WHERE Key_name = 'things_name'") != []

        # Valid on PostgreSQL, not on MariaDB: its first statement commits before the second
        # fails, so the file is half applied there.
        second = repo.merge(
            {
                "0003_tags.sql": (
                    "CREATE TABLE labels (id int);\nALTER TABLE things ADD COLUMN tags text[];\n"
                ),
            }
        )
        await repo.deliver_merged(second)
        failed = await service.settled(second.number)
        assert failed.status == "failed"
        assert staging.applied() == ["0001", "0002", "0003"]
        assert analytics.applied() == ["0001", "0002"]
        assert ("labels",) in analytics.query("SHOW TABLES")
        [report] = repo.comments_by(second.number, FakeForge.BOT)
        assert "`0003_tags.sql`, line 2:" in report
        assert "`0003_tags.sql` may be partly applied in `analytics`" in report
        assert "schemabot migrate resolve --version 0003 --applied" in report
        statuses = repo.statuses(str(second.merge_sha))
        assert statuses["schemabot/analytics"][0] == "failed"  # GitLab's word for failure

        # A retry before anyone resolved it: the runner refuses, and says what to check.
        await repo.comment(second, "/schemabot retry analytics", author="dba-bob")
        await service.settled(second.number)
        again = service.rollout(second.number)
        step = service.steps(again)["analytics"]
        assert (again.status, step.attempts) == ("failed", 2)
        assert step.failure is not None and step.failure["kind"] == "dirty"
        assert (
            "the database needs attention: migration 0003 (0003_tags.sql) failed"
            in (step.failure["error"])
        )
        [report] = [c for c in repo.comments_by(second.number, FakeForge.BOT) if "###" in c]
        assert "Resolve the database's state as described" in report
