"""Merge -> staging applied -> production waits -> an unauthorised approval is refused with a
reply -> an authorised approval applies it; statuses and the report tell each step.

Real PostgreSQL databases as environments, the real GitHub / GitLab adapters against the fake
forge, webhooks through the real endpoints, the in-process queue.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from app.rollout import ROLLOUT_MARKER
from tests.app.rollout.conftest import Target
from tests.app.rollout.harness import REPOSITORY, ForgeRepository, RolloutService, write_config
from tests.fakeforge import FakeForge

pytestmark = pytest.mark.anyio

ORDERS = {
    "0001_create_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, customer bigint);\n",
    "0002_add_total.sql": "ALTER TABLE orders ADD COLUMN total numeric(12, 2);\n",
}


def grant(fake: FakeForge, forge: str, user: str, role: str) -> None:
    """A role on the repository: GitHub role names, GitLab access levels."""
    if forge == "github":
        fake.set_role(REPOSITORY, user, role)
    else:
        fake.set_access_level(REPOSITORY, user, {"write": 30, "maintain": 40, "admin": 50}[role])


@pytest.mark.parametrize("forge", ["github", "gitlab"])
async def test_production_waits_for_an_authorised_approval(
    forge: str,
    fake_forge: FakeForge,
    postgres_target: Callable[[], Target],
    tmp_path: Path,
    state_url: str,
) -> None:
    staging, production = postgres_target(), postgres_target()
    config = write_config(
        tmp_path / "schemabot.toml",
        fake=fake_forge,
        state_url=state_url,
        forge=forge,
        environments=[
            {"name": "staging", "url": staging.url},
            {
                "name": "production",
                "url": production.url,
                "approval": True,
                "min_permission": "maintain",
            },
        ],
    )
    service = RolloutService(config)
    async with service:
        repo = ForgeRepository(fake_forge, forge, service)
        grant(fake_forge, forge, "dba-bob", "maintain")
        grant(fake_forge, forge, "dev-mallory", "write")
        pull = repo.merge(ORDERS)
        assert pull.merge_sha is not None
        await repo.deliver_merged(pull)

        rollout = await service.settled(pull.number)
        assert (rollout.status, rollout.waiting_for) == ("waiting", "approval")
        assert rollout.commit_sha == pull.merge_sha
        assert staging.applied() == ["0001", "0002"]
        assert production.applied() == []
        statuses = repo.statuses(pull.merge_sha)
        assert statuses["schemabot/staging"][0] == "success"
        assert re.fullmatch(r"applied 2 migrations in \d+ ms", statuses["schemabot/staging"][1])
        # GitLab keeps a pending status's first description (it refuses pending -> pending).
        waiting = "waiting for approval" if forge == "github" else "waiting for staging"
        assert statuses["schemabot/production"] == ("pending", waiting)
        [report] = repo.comments_by(pull.number, FakeForge.BOT)
        assert ROLLOUT_MARKER in report
        assert "waiting for approval of **production**" in report
        assert "pending: `0001_create_orders.sql`, `0002_add_total.sql`" in report
        assert "comment `/schemabot approve production`" in report

        await repo.comment(pull, "/schemabot approve production", author="dev-mallory")
        rollout = await service.settled(pull.number)
        assert (rollout.status, rollout.waiting_for) == ("waiting", "approval")
        assert production.applied() == []
        [refusal] = [
            c for c in repo.comments_by(pull.number, FakeForge.BOT) if ROLLOUT_MARKER not in c
        ]
        assert refusal == (
            "@dev-mallory nothing happened: `production` needs maintain permission on the"
            " repository; @dev-mallory has write"
        )

        await repo.comment(pull, "/schemabot approve production", author="dba-bob")
        rollout = await service.settled(pull.number)
        assert rollout.status == "succeeded"
        assert production.applied() == ["0001", "0002"]
        assert staging.applied() == ["0001", "0002"]  # nothing twice
        statuses = repo.statuses(pull.merge_sha)
        assert statuses["schemabot/production"][0] == "success"
        assert statuses["schemabot/production"][1].startswith("applied 2 migrations in ")
        bot_comments = repo.comments_by(pull.number, FakeForge.BOT)
        reports = [c for c in bot_comments if ROLLOUT_MARKER in c]
        assert len(reports) == 1, "the report is one comment edited in place"
        assert len(bot_comments) == 2, "one report and one refusal, nothing else"
        assert "Rollout of `" + pull.merge_sha[:7] + "`: done in every environment" in reports[0]
        assert "| `production` | ✅ applied 2 migrations" in reports[0]
        assert "@dba-bob (maintain)" in reports[0]

        entries = service.store.audit.entries(subject=rollout.subject, limit=50)
        actions = [(entry.actor, entry.action) for entry in reversed(entries)]
        assert actions == [
            ("schemabot", "rollout.created"),
            ("schemabot", "step.started"),
            ("schemabot", "step.succeeded"),
            ("dev-mallory", "command.approve.refused"),
            ("dba-bob", "command.approve"),
            ("schemabot", "step.started"),
            ("schemabot", "step.succeeded"),
            ("schemabot", "rollout.succeeded"),
        ]
        approval = service.store.approvals.of_rollout(rollout.id)["production"]
        assert (approval.username, approval.permission) == ("dba-bob", "maintain")
