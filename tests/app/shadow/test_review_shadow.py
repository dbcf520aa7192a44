"""The review job with a shadow server, for GitHub and GitLab: verified findings are commented
inline like lint findings, the summary gains the shadow run's section, and a fork gets none."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from app.config import parse_config
from app.shadow import FORK_REASON
from tests.app.review.harness import REPOSITORY, ForgeCase, RunningService, service_config_text
from tests.app.shadow.conftest import POSTGRES_SHADOW
from tests.fakeforge import FakeForge, FakePull, fake_forge

__all__ = ["fake_forge"]

pytestmark = pytest.mark.anyio

V1 = "db/migrations/V1__create_orders.sql"
V1_SQL = "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL);\n"
V2 = "db/migrations/V2__orders_note.sql"
V2_SQL = (
    "SET lock_timeout = '2s';\nSET statement_timeout = '5min';\n"
    "ALTER TABLE orders ADD COLUMN note text;\n"
    "ALTER TABLE orders ALTER COLUMN customer_id TYPE text;\n"
)
V3 = "db/migrations/V3__index_email.sql"
V3_SQL = (
    "-- schemabot:no-transaction\n"
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_orders_email ON orders (email);\n"
)
#: Nothing listens here: a shadow run that tried it would say it could not run.
UNREACHABLE_SHADOW = "postgresql://postgres@127.0.0.1:1/postgres"

#: Starts the service with ``acme/shop`` verified on the given shadow server.
StartService = Callable[[str], Awaitable[RunningService]]


@pytest.fixture(params=["github", "gitlab"])
def case(request: pytest.FixtureRequest) -> ForgeCase:
    return ForgeCase(request.param)


@pytest.fixture
async def start_service(fake_forge: FakeForge, tmp_path: Path) -> AsyncIterator[StartService]:
    running: list[RunningService] = []

    async def start(shadow_url: str) -> RunningService:
        text = service_config_text(fake_forge, tmp_path).replace(
            'migrations = "db/migrations"\n',
            f'migrations = "db/migrations"\nshadow_url = "{shadow_url}"\n',
        )
        service = RunningService(parse_config(text, env={}))
        await service.start()
        running.append(service)
        return service

    yield start
    for service in running:
        await service.stop()


def open_pull(fake: FakeForge, case: ForgeCase, **options: str) -> FakePull:
    if fake.find_repository(case.name, REPOSITORY) is None:
        fake.add_repository(REPOSITORY, forge=case.name, files={V1: V1_SQL})
    return fake.add_pull_request(
        REPOSITORY, {V2: (None, V2_SQL), V3: (None, V3_SQL)}, forge=case.name, **options
    )


def rules_at(case: ForgeCase, fake: FakeForge, number: int) -> list[tuple[str, int, str]]:
    comments = case.inline_comments(fake, number)
    return sorted((c.path, c.line, c.body.split("]")[0].removeprefix("**[")) for c in comments)


async def test_verified_findings_are_commented_inline_and_the_summary_shows_the_run(
    fake_forge: FakeForge, start_service: StartService, case: ForgeCase
) -> None:
    service = await start_service(POSTGRES_SHADOW)
    pull = open_pull(fake_forge, case)
    await service.deliver(case.name, *case.delivery(pull))
    await service.drain()

    found = rules_at(case, fake_forge, pull.number)
    # Line 4's rewrite and lock are change-column-type's: no verified duplicate there.
    assert [(path, line, rule) for path, line, rule in found if rule.startswith("verified")] == [
        (V2, 3, "verified-access-exclusive-lock"),
        (V3, 2, "verified-apply-failure"),
    ]
    assert (V2, 4, "change-column-type") in found
    comments = case.inline_comments(fake_forge, pull.number)
    failure = next(c for c in comments if "verified-apply-failure" in c.body)
    assert 'column "email" does not exist' in failure.body
    assert "**Why:** The rollout would stop at this statement" in failure.body

    [summary] = case.summaries(fake_forge, pull.number)
    body = summary["body"]
    section = body[body.index("### Shadow run") : body.index("### Plan")]
    assert f"**Fails** at `{V3}` line 2" in section
    assert (
        "- table `orders`\n  - changed column `customer_id`: `bigint NOT NULL` → `text NOT NULL`"
        in section
    )
    assert "| `V2__orders_note.sql:3` | `ALTER TABLE orders ADD COLUMN note text` |" in section
    assert "**ACCESS EXCLUSIVE** on `orders`: blocks reads and writes" in section
    [status] = case.statuses(fake_forge, pull.head_sha)
    assert status[0] == "failure"  # the migration does not apply: that blocks the merge


async def test_a_fork_gets_no_shadow_run_and_the_summary_says_why(
    fake_forge: FakeForge, start_service: StartService, case: ForgeCase
) -> None:
    service = await start_service(UNREACHABLE_SHADOW)
    pull = open_pull(fake_forge, case, fork="mallory/shop")
    await service.deliver(case.name, *case.delivery(pull))
    await service.drain()

    assert not [rule for *_, rule in rules_at(case, fake_forge, pull.number) if "verified" in rule]
    [summary] = case.summaries(fake_forge, pull.number)
    assert f"### Shadow run\nNo shadow run: {FORK_REASON}." in summary["body"]
    # The same pull request from the repository itself would have tried the server.
    own = open_pull(fake_forge, case, head_branch="own")
    await service.deliver(case.name, *case.delivery(own))
    await service.drain()
    [own_summary] = case.summaries(fake_forge, own.number)
    assert "### Shadow run\n**Could not run.**" in own_summary["body"]


async def test_a_suppression_comment_naming_a_verified_id_silences_that_finding(
    fake_forge: FakeForge, start_service: StartService, case: ForgeCase
) -> None:
    service = await start_service(POSTGRES_SHADOW)
    fake_forge.add_repository(REPOSITORY, forge=case.name, files={V1: V1_SQL})
    reviewed = V2_SQL.replace(
        "ALTER TABLE orders ADD COLUMN note text;",
        "-- schemabot:ignore verified-access-exclusive-lock -- orders is tiny\n"
        "ALTER TABLE orders ADD COLUMN note text;",
    )
    pull = fake_forge.add_pull_request(
        REPOSITORY, {V2: (None, reviewed), V3: (None, V3_SQL)}, forge=case.name
    )
    await service.deliver(case.name, *case.delivery(pull))
    await service.drain()

    found = rules_at(case, fake_forge, pull.number)
    # The lock on line 4 is silenced; nothing calls the comment unknown or unused.
    assert [(path, line, rule) for path, line, rule in found if rule.startswith("verified")] == [
        (V3, 2, "verified-apply-failure"),
    ]
    assert not [rule for *_, rule in found if rule == "unused-suppression"]
    assert (V2, 5, "change-column-type") in found
