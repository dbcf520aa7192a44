"""Which rules judge a pull request: the base branch's ``.schemabot.toml`` (never the pull
request's own) on top of the server's, and file rules comparing with the base branch."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.store import PullRequestRef, ReviewRecord
from tests.app.review.harness import REPOSITORY, ForgeCase, RunningService, service_config
from tests.app.review.test_review_flow import V1, V1_SQL, V2, V2_UNSAFE, V3_SAFE
from tests.fakeforge import FakeForge, fake_forge

__all__ = ["fake_forge"]

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["github", "gitlab"])
def case(request: pytest.FixtureRequest) -> ForgeCase:
    return ForgeCase(request.param)


@pytest.fixture
async def service(fake_forge: FakeForge, tmp_path: Path) -> AsyncIterator[RunningService]:
    running = RunningService(service_config(fake_forge, tmp_path, lint='postgres_version = "16"'))
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def _review(
    fake: FakeForge,
    service: RunningService,
    case: ForgeCase,
    base: dict[str, str],
    changes: dict[str, tuple[str | None, str | None]],
    renamed: dict[str, str] | None = None,
) -> ReviewRecord:
    fake.add_repository(REPOSITORY, forge=case.name, files=base)
    pull = fake.add_pull_request(REPOSITORY, changes, forge=case.name, renamed=renamed)
    await service.deliver(case.name, *case.delivery(pull))
    await service.drain()
    [review] = service.store.reviews.of_pull_request(
        PullRequestRef(case.name, REPOSITORY, pull.number)
    )
    return review


def _rules(review: ReviewRecord) -> dict[str, str]:
    return {finding["rule"]: finding["severity"] for finding in review.findings}


async def test_the_pull_requests_own_config_cannot_weaken_the_rules(
    fake_forge: FakeForge, service: RunningService, case: ForgeCase
) -> None:
    weakening = '[lint]\nignore = ["ALL"]\nseverity = { "create-index-not-concurrently" = "off" }\n'
    review = await _review(
        fake_forge,
        service,
        case,
        {V1: V1_SQL},
        {V2: (None, V2_UNSAFE), ".schemabot.toml": (None, weakening)},
    )
    assert _rules(review)["create-index-not-concurrently"] == "error"
    assert review.state == "failure"


async def test_the_base_branch_config_can_make_the_rules_stricter(
    fake_forge: FakeForge, service: RunningService, case: ForgeCase
) -> None:
    stricter = '[lint]\nseverity = { "statement-timeout-missing" = "error" }\n'
    review = await _review(
        fake_forge,
        service,
        case,
        {V1: V1_SQL, ".schemabot.toml": stricter},
        {V2: (None, V2_UNSAFE)},
    )
    assert _rules(review)["statement-timeout-missing"] == "error"


async def test_a_broken_base_config_is_named_in_the_summary(
    fake_forge: FakeForge, service: RunningService, case: ForgeCase
) -> None:
    review = await _review(
        fake_forge,
        service,
        case,
        {V1: V1_SQL, ".schemabot.toml": '[lint]\nselect = ["no-such-rule"]\n'},
        {V2: (None, V2_UNSAFE)},
    )
    assert _rules(review)["create-index-not-concurrently"] == "error"
    [summary] = case.summaries(fake_forge, review.number)
    assert "`.schemabot.toml` on `main` was not used" in summary["body"]
    assert "lint.select[0]: unknown rule id or group 'no-such-rule'" in summary["body"]


async def test_file_rules_compare_with_the_base_branch(
    fake_forge: FakeForge, service: RunningService, case: ForgeCase
) -> None:
    v5 = "db/migrations/V5__later.sql"
    v3 = "db/migrations/V3__branched_earlier.sql"
    base = {V1: V1_SQL, v5: V3_SAFE}
    review = await _review(
        fake_forge,
        service,
        case,
        base,
        {v3: (None, V3_SAFE), V1: (V1_SQL, V1_SQL.replace("NOT NULL", "NULL"))},
    )
    found = {(f["rule"], f["path"]) for f in review.findings}
    assert ("version-out-of-order", v3) in found
    assert ("applied-migration-modified", V1) in found
    # Only files of the pull request were read on the base side: the edited V1, not V5.
    base_reads = [
        r
        for r in fake_forge.requests("GET", forge=case.name)
        if "V5__later.sql" in r.path or r.query.get("path") == v5
    ]
    assert base_reads == []


async def test_a_renamed_migration_is_reported_as_removed_from_the_base(
    fake_forge: FakeForge, service: RunningService, case: ForgeCase
) -> None:
    renamed_to = "db/migrations/V7__create_orders.sql"
    review = await _review(
        fake_forge,
        service,
        case,
        {V1: V1_SQL},
        {renamed_to: (V1_SQL, V1_SQL)},
        renamed={renamed_to: V1},
    )
    deleted = [f for f in review.findings if f["message"].startswith("Restore ")]
    # Reported about the change, not a file of it: in the summary only.
    assert [(f["rule"], f["path"], f["placement"], f["note"]) for f in deleted] == [
        ("applied-migration-modified", "", "summary", "about the change as a whole")
    ]
    assert "V1__create_orders.sql" in deleted[0]["message"]
    assert review.state == "failure"
