"""A failing migration stops the rollout where it failed, with the file, the statement and the
database's message on the pull request; ``/schemabot retry <env>`` goes on.

Retry means: run the failed environment again with the newest commit of the deploy branch
schemabot has seen. Without a newer merge that is the same commit (the cause was outside the
files: a lock, the data); with a fix merged since, the fix's rollout (waiting behind the failed
one) supersedes it and starts from its first environment.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from app.rollout import ROLLOUT_MARKER
from tests.app.rollout.conftest import Target
from tests.app.rollout.harness import ForgeRepository, RolloutService, write_config
from tests.fakeforge import FakeForge

pytestmark = pytest.mark.anyio

CREATE = {"0001_create_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n"}
BROKEN = {
    "0002_add_total.sql": (
        "-- the total of an order, taxes included\n"
        "ALTER TABLE orders ADD COLUMN total numeric(12, 2);\n"
        "UPDATE orders SET totl = 0;\n"
    )
}
FIXED = {
    "0002_add_total.sql": (
        "-- the total of an order, taxes included\n"
        "ALTER TABLE orders ADD COLUMN total numeric(12, 2);\n"
        "UPDATE orders SET total = 0;\n"
    )
}


def two_environments(
    fake: FakeForge, tmp_path: Path, state_url: str, staging: Target, production: Target
) -> RolloutService:
    config = write_config(
        tmp_path / "schemabot.toml",
        fake=fake,
        state_url=state_url,
        environments=[
            {"name": "staging", "url": staging.url, "lock_timeout": "1s"},
            {"name": "production", "url": production.url},
        ],
    )
    return RolloutService(config)


async def test_a_failure_stops_at_staging_and_a_retry_rolls_out_the_fix(
    fake_forge: FakeForge, postgres_target: Callable[[], Target], tmp_path: Path, state_url: str
) -> None:
    staging, production = postgres_target(), postgres_target()
    service = two_environments(fake_forge, tmp_path, state_url, staging, production)
    async with service:
        repo = ForgeRepository(fake_forge, "github", service)
        fake_forge.set_role("acme/shop", "dba-bob", "maintain")
        fake_forge.set_role("acme/shop", "guest-gus", "read")
        first = repo.merge(CREATE | BROKEN)
        assert first.merge_sha is not None
        await repo.deliver_merged(first)

        failed = await service.settled(first.number)
        assert failed.status == "failed"
        assert staging.applied() == ["0001"], "0002 rolled back as a whole"
        columns = "SELECT column_name FROM information_schema.columns WHERE table_name = 'orders'"
        assert staging.query(columns) == [("id",)]
        assert production.applied() == [], "later environments are not touched"
        assert production.query("SELECT to_regclass('schemabot_history')") == [(None,)]
        statuses = repo.statuses(first.merge_sha)
        assert statuses["schemabot/staging"][0] == "failure"
        assert statuses["schemabot/staging"][1].startswith(
            'failed at 0002_add_total.sql: column "totl" of relation "orders" does not exist'
        )
        assert statuses["schemabot/production"] == ("pending", "not started: staging failed")
        [report] = repo.comments_by(first.number, FakeForge.BOT)
        assert "❌ Rollout of `" + first.merge_sha[:7] + "`: failed in **staging**" in report
        assert "`0002_add_total.sql`, line 3:" in report
        assert "```sql\nUPDATE orders SET totl = 0\n```" in report
        assert 'column "totl" of relation "orders" does not exist' in report
        assert "Nothing of `0002_add_total.sql` remains in `staging`" in report
        assert "comment `/schemabot retry staging`" in report

        # The fix is merged: it waits behind the failure instead of rolling out on its own.
        second = repo.merge(FIXED, title="Fix the total migration")
        assert second.merge_sha is not None
        await repo.deliver_merged(second)
        waiting = await service.settled(second.number)
        assert (waiting.status, waiting.waiting_for, waiting.blocked_by) == (
            "waiting",
            "rollout",
            failed.id,
        )
        assert staging.applied() == ["0001"]
        [waiting_report] = repo.comments_by(second.number, FakeForge.BOT)
        assert f"waiting behind the rollout of `{first.merge_sha[:7]}` (#1)" in waiting_report

        await repo.comment(first, "/schemabot retry staging", author="guest-gus")
        await service.settled(first.number)
        assert service.rollout(first.number).status == "failed"
        refusal = repo.comments_by(first.number, FakeForge.BOT)[-1]
        assert refusal.startswith("@guest-gus nothing happened: `staging` needs write permission")

        await repo.comment(first, "/schemabot retry production", author="dba-bob")
        await service.settled(first.number)
        refusal = repo.comments_by(first.number, FakeForge.BOT)[-1]
        assert refusal == (
            "@dba-bob nothing happened: the rollout failed in `staging`, not `production`:"
            " comment `/schemabot retry staging`"
        )

        await repo.comment(first, "/schemabot retry staging", author="dba-bob")
        done = await service.settled(second.number)
        assert done.status == "succeeded"
        old = service.rollout(first.number)
        assert (old.status, old.superseded_by) == ("superseded", done.id)
        assert staging.applied() == ["0001", "0002"]
        assert production.applied() == ["0001", "0002"]
        assert staging.query(
            "SELECT commit_sha FROM schemabot_history WHERE version = '0002' AND success"
        ) == [(second.merge_sha,)]
        # The first merge's statuses follow the rollout that carried its migrations on.
        statuses = repo.statuses(first.merge_sha)
        assert statuses["schemabot/staging"][0] == "success"
        assert statuses["schemabot/production"][0] == "success"
        assert statuses["schemabot/production"][1].startswith(f"via {second.merge_sha[:7]}: ")
        [old_report] = [
            c for c in repo.comments_by(first.number, FakeForge.BOT) if ROLLOUT_MARKER in c
        ]
        assert f"superseded by the rollout of `{second.merge_sha[:7]}` (#2)" in old_report
        entries = service.store.audit.entries(subject=failed.subject, limit=50)
        assert ("dba-bob", "command.retry") in [(e.actor, e.action) for e in entries]


async def test_a_retry_without_a_new_commit_runs_the_same_files_again(
    fake_forge: FakeForge, postgres_target: Callable[[], Target], tmp_path: Path, state_url: str
) -> None:
    """The cause was outside the files: a long transaction held a lock past ``lock_timeout``."""
    staging, production = postgres_target(), postgres_target()
    service = two_environments(fake_forge, tmp_path, state_url, staging, production)
    for target in (staging, production):
        target.query("CREATE TABLE customers (id bigint PRIMARY KEY)")
    await service.start()
    blocker = psycopg.connect(staging.url)
    try:
        blocker.execute("LOCK TABLE customers IN ACCESS EXCLUSIVE MODE")
        repo = ForgeRepository(fake_forge, "github", service)
        fake_forge.set_role("acme/shop", "dba-bob", "write")
        pull = repo.merge({"0001_add_email.sql": "ALTER TABLE customers ADD COLUMN email text;\n"})
        await repo.deliver_merged(pull)
        failed = await service.settled(pull.number)
        assert failed.status == "failed"
        report = repo.comments_by(pull.number, FakeForge.BOT)[0]
        assert "canceling statement due to lock timeout" in report

        blocker.rollback()  # the long transaction ends
        await repo.comment(pull, "/schemabot retry staging", author="dba-bob")
        done = await service.settled(pull.number)
        assert done.status == "succeeded", service.steps(done)
        assert done.id == failed.id, "the same rollout, at the same commit"
        assert staging.applied() == ["0001"]
        assert production.applied() == ["0001"]
        steps = service.steps(done)
        assert (steps["staging"].attempts, steps["staging"].failure) == (2, None)
    finally:
        blocker.close()
        await service.stop()


async def test_cancel_stops_a_running_rollout_after_the_current_migration(
    fake_forge: FakeForge, postgres_target: Callable[[], Target], tmp_path: Path, state_url: str
) -> None:
    staging, production = postgres_target(), postgres_target()
    service = two_environments(fake_forge, tmp_path, state_url, staging, production)
    async with service:
        repo = ForgeRepository(fake_forge, "github", service)
        fake_forge.set_role("acme/shop", "dev-dana", "write")
        pull = repo.merge(
            {
                "0001_slow.sql": "SELECT pg_sleep(1.5);\nCREATE TABLE first (id int);\n",
                "0002_never.sql": "CREATE TABLE second (id int);\n",
            }
        )
        await repo.deliver_merged(pull)

        def running_the_slow_one() -> bool:
            rollout = service.store.rollouts.for_pull_request("github", "acme/shop", pull.number)
            if rollout is None:
                return False
            return service.steps(rollout)["staging"].current_script == "0001_slow.sql"

        await service.until(running_the_slow_one, what="the slow migration running")
        await repo.comment(pull, "/schemabot cancel", author="dev-dana")
        done = await service.settled(pull.number)
        assert (done.status, done.cancel_requested_by) == ("cancelled", "dev-dana")
        assert staging.applied() == ["0001"], "the running migration finished, no other began"
        assert production.applied() == []
        steps = service.steps(done)
        assert (steps["staging"].status, steps["production"].status) == ("cancelled", "cancelled")
        assert [entry["script"] for entry in steps["staging"].applied] == ["0001_slow.sql"]
        assert repo.statuses(str(pull.merge_sha))["schemabot/production"] == (
            "error",
            "cancelled by @dev-dana",
        )
        acknowledgement = repo.comments_by(pull.number, FakeForge.BOT)[-1]
        assert acknowledgement.startswith("@dev-dana cancelling after the running migration")


async def test_migration_files_the_runner_cannot_use_fail_the_step_with_the_reason(
    fake_forge: FakeForge, postgres_target: Callable[[], Target], tmp_path: Path, state_url: str
) -> None:
    staging, production = postgres_target(), postgres_target()
    service = two_environments(fake_forge, tmp_path, state_url, staging, production)
    async with service:
        repo = ForgeRepository(fake_forge, "github", service)
        pull = repo.merge(
            {
                "0001_create.sql": "CREATE TABLE things (id int);\n",
                "0001_again.sql": "CREATE TABLE others (id int);\n",
            }
        )
        await repo.deliver_merged(pull)
        failed = await service.settled(pull.number)
        assert failed.status == "failed"
        failure = service.steps(failed)["staging"].failure
        assert failure is not None and failure["kind"] == "files"
        assert "0001" in failure["error"]
        assert staging.applied() == []
        [report] = repo.comments_by(pull.number, FakeForge.BOT)
        assert "Fix the migration files in a new pull request, merge it into `main`" in report
