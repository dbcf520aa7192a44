"""A pull request's life, for GitHub and GitLab: webhook in, comments, summary and status out.

Everything real but the forge: the webhook router, the state store (SQLite), the in-process
queue, the review job, the PyGithub and python-gitlab adapters, against the fake forge.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.review import SUMMARY_MARKER
from app.store import PullRequestRef, ReviewRecord
from tests.app.review.harness import (
    PUBLIC_URL,
    REPOSITORY,
    ForgeCase,
    RunningService,
    push,
    service_config,
)
from tests.fakeforge import FakeForge, FakePull, fake_forge

__all__ = ["fake_forge"]

pytestmark = pytest.mark.anyio

V1 = "db/migrations/V1__create_orders.sql"
V1_SQL = "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL);\n"
V2 = "db/migrations/V2__index_orders.sql"
V2_UNSAFE = "-- speeds up the order history page\nCREATE INDEX ix_orders_customer ON orders (customer_id);\n"  # noqa: E501
#: The same statement two lines further down: not commented again.
V2_MOVED = (
    "-- speeds up the order history page\n-- reviewed with the DBA\n\n"
    + V2_UNSAFE.split("\n", 1)[1]
)
V2_SAFE = (
    "-- schemabot:no-transaction\n"
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_orders_customer ON orders (customer_id);\n"
)
V3 = "db/migrations/V3__orders_note.sql"
V3_UNSAFE = "ALTER TABLE orders ADD COLUMN note text NOT NULL;\n"
V3_SAFE = (
    "SET lock_timeout = '2s';\nSET statement_timeout = '5min';\n"
    "ALTER TABLE orders ADD COLUMN note text;\n"
)


@pytest.fixture(params=["github", "gitlab"])
def case(request: pytest.FixtureRequest) -> ForgeCase:
    return ForgeCase(request.param)


@pytest.fixture
async def service(fake_forge: FakeForge, tmp_path: Path) -> AsyncIterator[RunningService]:
    running = RunningService(service_config(fake_forge, tmp_path))
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


def open_pull(
    fake: FakeForge, case: ForgeCase, files: dict[str, tuple[str | None, str | None]], **kw: str
) -> FakePull:
    fake.add_repository(REPOSITORY, forge=case.name, files={V1: V1_SQL})
    return fake.add_pull_request(REPOSITORY, files, forge=case.name, **kw)


def latest_review(service: RunningService, case: ForgeCase, number: int) -> ReviewRecord:
    return service.store.reviews.of_pull_request(PullRequestRef(case.name, REPOSITORY, number))[-1]


async def test_opened_pull_request_gets_line_comments_a_summary_and_a_failing_status(
    fake_forge: FakeForge, service: RunningService, case: ForgeCase
) -> None:
    pull = open_pull(fake_forge, case, {V2: (None, V2_UNSAFE), V3: (None, V3_UNSAFE)})
    answer = await service.deliver(case.name, *case.delivery(pull))
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "queued"
    await service.drain()

    comments = case.inline_comments(fake_forge, pull.number)
    rules_at = sorted((c.path, c.line, c.body.split("]")[0].removeprefix("**[")) for c in comments)
    assert rules_at == [
        (V2, 2, "create-index-not-concurrently"),
        (V2, 2, "lock-timeout-missing"),
        (V2, 2, "statement-timeout-missing"),
        (V3, 1, "add-column-required"),
        (V3, 1, "lock-timeout-missing"),
        (V3, 1, "statement-timeout-missing"),
    ]
    index = next(c for c in comments if "create-index-not-concurrently" in c.body.split("\n")[0])
    opening = "```suggestion" if case.name == "github" else "```suggestion:-0+0"
    assert (
        f"{opening}\nCREATE INDEX CONCURRENTLY ix_orders_customer ON orders (customer_id);\n```"
        in index.body
    )
    assert "Create index `ix_orders_customer` CONCURRENTLY" in index.body
    # GitHub: every comment in one review; GitLab: one discussion each.
    assert case.comment_writes(fake_forge, pull.number) == (1 if case.name == "github" else 6)

    [summary] = case.summaries(fake_forge, pull.number)
    body = summary["body"]
    assert body.startswith(SUMMARY_MARKER)
    assert "### schemabot: 2 errors, 2 warnings, 2 notes in 2 migration files" in body
    assert "**Verdict: blocked.** 2 errors must be fixed" in body
    assert f"#### `{V2}`" in body and f"#### `{V3}`" in body
    assert f"1. `{V2}`\n2. `{V3}`" in body
    assert "1. `staging`\n2. `production`: **waits for approval** by someone with maintain" in body

    [status] = case.statuses(fake_forge, pull.head_sha)
    review = latest_review(service, case, pull.number)
    assert status == (
        "failure",
        "2 errors, 2 warnings, 2 notes in 2 migration files",
        f"{PUBLIC_URL}/reviews/{review.id}",
    )
    assert review.state == "failure" and review.files == [V2, V3]
    assert {f["placement"] for f in review.findings} == {"inline"}


async def test_pushing_fixes_edits_the_one_summary_without_commenting_again(
    fake_forge: FakeForge, service: RunningService, case: ForgeCase
) -> None:
    pull = open_pull(fake_forge, case, {V2: (None, V2_UNSAFE), V3: (None, V3_UNSAFE)})
    await service.deliver(case.name, *case.delivery(pull))
    await service.drain()
    commented = case.inline_comments(fake_forge, pull.number)
    writes = case.comment_writes(fake_forge, pull.number)
    [first_summary] = case.summaries(fake_forge, pull.number)

    # Push 1: V2's statement moves down two lines (same finding), V3 is fixed.
    first_head = pull.head_sha
    head = push(fake_forge, case.name, pull.number, {V2: V2_MOVED, V3: V3_SAFE})
    pull = fake_forge.repository(REPOSITORY, forge=case.name).pulls[pull.number]
    await service.deliver(
        case.name, *case.delivery(pull, action="pushed", previous_head=first_head)
    )
    await service.drain()
    assert case.inline_comments(fake_forge, pull.number) == commented
    assert case.comment_writes(fake_forge, pull.number) == writes
    [summary] = case.summaries(fake_forge, pull.number)
    assert summary["id"] == first_summary["id"]
    assert "commented at an earlier push" in summary["body"]
    assert "| 4 | error | [create-index-not-concurrently]" in summary["body"]
    assert [state for state, _, _ in case.statuses(fake_forge, head)] == ["failure"]

    # Push 2: everything fixed.
    second_head = head
    head = push(fake_forge, case.name, pull.number, {V2: V2_SAFE})
    pull = fake_forge.repository(REPOSITORY, forge=case.name).pulls[pull.number]
    await service.deliver(
        case.name, *case.delivery(pull, action="pushed", previous_head=second_head)
    )
    await service.drain()
    assert case.inline_comments(fake_forge, pull.number) == commented
    [summary] = case.summaries(fake_forge, pull.number)
    assert summary["id"] == first_summary["id"]
    assert "### schemabot: no findings in 2 migration files" in summary["body"]
    assert "**Verdict: all clear.** The findings of earlier pushes are fixed." in summary["body"]
    assert [s[:2] for s in case.statuses(fake_forge, head)] == [
        ("success", "No findings in 2 migration files")
    ]
    # Older heads keep their own status.
    assert [s[0] for s in case.statuses(fake_forge, first_head)] == ["failure"]


async def test_the_same_delivery_ten_times_is_reviewed_once(
    fake_forge: FakeForge, service: RunningService, case: ForgeCase
) -> None:
    pull = open_pull(fake_forge, case, {V2: (None, V2_UNSAFE)})
    body, headers = case.delivery(pull)
    answers = await asyncio.gather(*(service.deliver(case.name, body, headers) for _ in range(10)))
    outcomes = sorted((a.status_code, a.json()["status"]) for a in answers)
    assert outcomes == [(200, "duplicate")] * 9 + [(202, "queued")]
    await service.drain()
    again = await service.deliver(case.name, body, headers)
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    await service.drain()
    assert case.comment_writes(fake_forge, pull.number) == (1 if case.name == "github" else 3)
    assert len(case.summaries(fake_forge, pull.number)) == 1
    assert len(case.statuses(fake_forge, pull.head_sha)) == 1


async def test_a_new_delivery_of_the_same_event_collapses_into_the_queued_job(
    fake_forge: FakeForge, service: RunningService, case: ForgeCase
) -> None:
    pull = open_pull(fake_forge, case, {V2: (None, V2_UNSAFE)})
    first = await service.deliver(case.name, *case.delivery(pull))
    second = await service.deliver(case.name, *case.delivery(pull, action="reopened"))
    assert (first.status_code, second.status_code) == (202, 202)
    assert second.json() == {"status": "already_queued", "job_id": first.json()["job_id"]}
    await service.drain()
    assert len(case.statuses(fake_forge, pull.head_sha)) == 1


async def test_a_pull_request_without_migrations_gets_a_green_status_only(
    fake_forge: FakeForge, service: RunningService, case: ForgeCase
) -> None:
    pull = open_pull(
        fake_forge, case, {"README.md": (None, "# Shop\n"), "db/seed.sql": (None, "x")}
    )
    await service.deliver(case.name, *case.delivery(pull))
    await service.drain()
    assert [s[:2] for s in case.statuses(fake_forge, pull.head_sha)] == [
        ("success", "No migrations changed")
    ]
    assert case.summaries(fake_forge, pull.number) == []
    assert case.comment_writes(fake_forge, pull.number) == 0
    assert case.writes(fake_forge) == 1


async def test_removing_every_migration_later_says_so_in_the_summary(
    fake_forge: FakeForge, service: RunningService, case: ForgeCase
) -> None:
    pull = open_pull(fake_forge, case, {V2: (None, V2_UNSAFE)})
    await service.deliver(case.name, *case.delivery(pull))
    await service.drain()
    previous = pull.head_sha
    head = push(fake_forge, case.name, pull.number, {V2: None})
    await service.deliver(case.name, *case.delivery(pull, action="pushed", previous_head=previous))
    await service.drain()
    [summary] = case.summaries(fake_forge, pull.number)
    assert "### schemabot: no migration files changed" in summary["body"]
    assert [s[:2] for s in case.statuses(fake_forge, head)] == [
        ("success", "No migrations changed")
    ]


async def test_three_hundred_changed_files(
    fake_forge: FakeForge, service: RunningService, case: ForgeCase
) -> None:
    files: dict[str, tuple[str | None, str | None]] = {
        f"docs/page_{index:03}.md": (None, f"page {index}\n") for index in range(290)
    }
    migrations = [f"db/migrations/V{version}__step.sql" for version in range(2, 12)]
    files.update({path: (None, V3_SAFE) for path in migrations})
    pull = open_pull(fake_forge, case, files)
    await service.deliver(case.name, *case.delivery(pull))
    await service.drain()
    [(state, description, _)] = case.statuses(fake_forge, pull.head_sha)
    assert (state, description) == ("success", "No findings in 10 migration files")
    review = latest_review(service, case, pull.number)
    assert review.files == migrations
    listing = "/pulls/1/files" if case.name == "github" else "/merge_requests/1/diffs"
    pages = {r.query.get("page", "1") for r in fake_forge.requests("GET", listing)}
    assert pages == {"1", "2", "3"}


async def test_a_fork_is_reviewed_like_any_pull_request(
    fake_forge: FakeForge, service: RunningService, case: ForgeCase
) -> None:
    pull = open_pull(fake_forge, case, {V2: (None, V2_UNSAFE)}, fork="mallory/shop")
    await service.deliver(case.name, *case.delivery(pull))
    await service.drain()
    assert [s[0] for s in case.statuses(fake_forge, pull.head_sha)] == ["failure"]
