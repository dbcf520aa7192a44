"""One rollout per commit, however many events announce it; one rollout at a time per
repository; a newer merge supersedes an older rollout waiting at a gate."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.rollout import ROLLOUT_MARKER
from tests.app.rollout.conftest import Target
from tests.app.rollout.harness import ForgeRepository, RolloutService, write_config
from tests.fakeforge import FakeForge

pytestmark = pytest.mark.anyio


def gated_service(
    fake: FakeForge, tmp_path: Path, state_url: str, staging: Target, production: Target
) -> RolloutService:
    config = write_config(
        tmp_path / "schemabot.toml",
        fake=fake,
        state_url=state_url,
        environments=[
            {"name": "staging", "url": staging.url},
            {
                "name": "production",
                "url": production.url,
                "approval": True,
                "approvers": ["dba-bob"],
            },
        ],
    )
    return RolloutService(config)


async def test_the_merged_event_twice_and_the_push_make_one_rollout(
    fake_forge: FakeForge, postgres_target: Callable[[], Target], tmp_path: Path, state_url: str
) -> None:
    staging, production = postgres_target(), postgres_target()
    service = gated_service(fake_forge, tmp_path, state_url, staging, production)
    async with service:
        repo = ForgeRepository(fake_forge, "github", service)
        before = repo.head()
        pull = repo.merge({"0001_create.sql": "CREATE TABLE things (id int);\n"})
        assert pull.merge_sha is not None
        # GitHub sends the push first, then the pull request event; people redeliver.
        await repo.deliver_push(before, pull.merge_sha)
        await repo.deliver_merged(pull, delivery="d-1")
        await repo.deliver_merged(pull, delivery="d-1")
        await repo.deliver_merged(pull, delivery="d-2")  # a second hook on the same event
        await repo.deliver_push(before, pull.merge_sha)
        rollout = await service.settled(pull.number)

        rollouts = service.store.rollouts.of_repository("github", "acme/shop")
        assert [(r.commit_sha, r.pull_number) for r in rollouts] == [(pull.merge_sha, 1)]
        assert (rollout.status, rollout.waiting_for) == ("waiting", "approval")
        assert staging.applied() == ["0001"]
        assert [
            entry.action
            for entry in service.store.audit.entries(subject=rollout.subject)
            if entry.action.startswith("rollout.")
        ] == ["rollout.pull_request", "rollout.created"]
        reports = [c for c in repo.comments_by(1, FakeForge.BOT) if ROLLOUT_MARKER in c]
        assert len(reports) == 1

        await repo.comment(pull, "/schemabot deploy production", author="dev-dana")
        await service.settled(pull.number)
        assert repo.comments_by(1, FakeForge.BOT)[-1] == (
            "@dev-dana nothing happened: `/schemabot deploy production`: `deploy` is not a"
            " command. schemabot understands `/schemabot approve <environment>`,"
            " `/schemabot retry <environment>` and `/schemabot cancel`, each at the start of a"
            " line."
        )
        refused = service.store.audit.entries(subject=rollout.subject)[0]
        assert (refused.actor, refused.action) == ("dev-dana", "command.refused")


async def test_a_push_to_another_branch_rolls_nothing_out(
    fake_forge: FakeForge, postgres_target: Callable[[], Target], tmp_path: Path, state_url: str
) -> None:
    staging, production = postgres_target(), postgres_target()
    service = gated_service(fake_forge, tmp_path, state_url, staging, production)
    async with service:
        repo = ForgeRepository(fake_forge, "github", service)
        before, after = repo.push({"0001_create.sql": "CREATE TABLE things (id int);\n"})
        response = await repo.deliver_push(before, after, branch="feature")
        assert response.json() == {
            "status": "ignored",
            "reason": "feature is not the deploy branch (main)",
        }
        assert service.store.rollouts.of_repository("github", "acme/shop") == []
        assert staging.applied() == []


async def test_a_newer_merge_supersedes_a_rollout_waiting_for_approval(
    fake_forge: FakeForge, postgres_target: Callable[[], Target], tmp_path: Path, state_url: str
) -> None:
    staging, production = postgres_target(), postgres_target()
    service = gated_service(fake_forge, tmp_path, state_url, staging, production)
    async with service:
        repo = ForgeRepository(fake_forge, "github", service)
        fake_forge.set_role("acme/shop", "dba-bob", "write")
        first = repo.merge({"0001_create.sql": "CREATE TABLE things (id int);\n"})
        await repo.deliver_merged(first)
        older = await service.settled(first.number)
        assert (older.status, older.waiting_for) == ("waiting", "approval")

        second = repo.merge({"0002_more.sql": "ALTER TABLE things ADD COLUMN name text;\n"})
        assert first.merge_sha is not None and second.merge_sha is not None
        await repo.deliver_merged(second)
        newer = await service.settled(second.number)
        await service.settled(first.number)
        older = service.rollout(first.number)
        assert (older.status, older.superseded_by) == ("superseded", newer.id)
        assert (newer.status, newer.waiting_for) == ("waiting", "approval")
        assert service.steps(older)["production"].status == "skipped"
        assert staging.applied() == ["0001", "0002"]
        assert production.applied() == []

        await repo.comment(first, "/schemabot approve production", author="dba-bob")
        await service.settled(first.number)
        assert production.applied() == []
        refusal = repo.comments_by(first.number, FakeForge.BOT)[-1]
        assert refusal == (
            "@dba-bob nothing happened: this pull request's rollout was superseded by the"
            f" rollout of `{second.merge_sha[:7]}` (#2), which carries its migrations on:"
            " approve there"
        )

        await repo.comment(second, "/schemabot approve production", author="dba-bob")
        done = await service.settled(second.number)
        assert done.status == "succeeded"
        assert production.applied() == ["0001", "0002"], "the newer carries both"
        assert repo.statuses(second.merge_sha)["schemabot/production"][1].startswith(
            "applied 2 migrations"
        )
        carried = repo.statuses(first.merge_sha)
        assert carried["schemabot/staging"][0] == "success"  # the older did staging itself
        assert carried["schemabot/production"][0] == "success"
        assert carried["schemabot/production"][1].startswith(f"via {second.merge_sha[:7]}: ")
        [report] = [
            c for c in repo.comments_by(second.number, FakeForge.BOT) if ROLLOUT_MARKER in c
        ]
        assert f"also carries the migrations of `{first.merge_sha[:7]}` (#1)" in report


async def test_two_merges_in_a_row_are_serialised(
    fake_forge: FakeForge, postgres_target: Callable[[], Target], tmp_path: Path, state_url: str
) -> None:
    """The second merge arrives while the first applies a slow migration to staging: it waits,
    and when the first reaches production's gate, the second takes over."""
    staging, production = postgres_target(), postgres_target()
    service = gated_service(fake_forge, tmp_path, state_url, staging, production)
    async with service:
        repo = ForgeRepository(fake_forge, "github", service)
        first = repo.merge(
            {
                "0001_create.sql": "CREATE TABLE things (id int);\n",
                "0002_slow.sql": "SELECT pg_sleep(1.5);\nALTER TABLE things ADD COLUMN a int;\n",
            }
        )
        await repo.deliver_merged(first)

        def first_is_applying_the_slow_one() -> bool:
            rollout = service.store.rollouts.for_pull_request("github", "acme/shop", 1)
            return rollout is not None and (
                service.steps(rollout)["staging"].current_script == "0002_slow.sql"
            )

        await service.until(first_is_applying_the_slow_one, what="0002 running")
        second = repo.merge({"0003_b.sql": "ALTER TABLE things ADD COLUMN b int;\n"})
        await repo.deliver_merged(second)

        def second_waits_behind_the_first() -> bool:
            rollout = service.store.rollouts.for_pull_request("github", "acme/shop", 2)
            return rollout is not None and rollout.waiting_for == "rollout"

        await service.until(second_waits_behind_the_first, what="the second waiting")
        assert staging.applied() == ["0001"], "the second did not start beside the first"

        newer = await service.settled(second.number)
        older = service.rollout(first.number)
        assert (older.status, older.superseded_by) == ("superseded", newer.id)
        assert (newer.status, newer.waiting_for) == ("waiting", "approval")
        assert staging.applied() == ["0001", "0002", "0003"]
        first_staging = service.steps(older)["staging"]
        second_staging = service.steps(newer)["staging"]
        assert first_staging.status == "succeeded"
        assert [entry["script"] for entry in second_staging.applied] == ["0003_b.sql"]
        assert first_staging.finished_at is not None and second_staging.started_at is not None
        assert second_staging.started_at >= first_staging.finished_at
