"""The shadow run's section of the summary comment."""

from __future__ import annotations

from app.shadow import FORK_REASON, LockTaken, Rewrite, SeedResult, ShadowReport, StatementRun
from app.shadow.report import (
    COLLAPSE_AFTER,
    MAX_LOCKS,
    MAX_ROWS,
    SECTION_TITLE,
    render_shadow_section,
)
from app.shadow.schema import SchemaChange
from linters.finding import Span

PATH = "db/migrations/V3__change.sql"


def run(line: int, text: str, ms: float | None = 2.0, **fields: object) -> StatementRun:
    statement = StatementRun(PATH, line - 1, Span(line, 1, line, len(text)), text, ms)
    for name, value in fields.items():
        setattr(statement, name, value)
    return statement


def report(statements: list[StatementRun], **fields: object) -> ShadowReport:
    shadow = ShadowReport("applied", engine="postgres", base_migrations=2, files=[PATH])
    shadow.statements = statements
    shadow.duration_ms = 1234
    for name, value in fields.items():
        setattr(shadow, name, value)
    return shadow


def test_a_clean_run_says_so_with_the_diff_and_each_statements_locks_and_time() -> None:
    exclusive = LockTaken("orders", "table", "ACCESS EXCLUSIVE", True, True, 37.4)
    shadow = report(
        [
            run(
                1,
                "ALTER TABLE orders ALTER COLUMN amount TYPE bigint",
                12.6,
                locks=[exclusive],
                rewrites=[Rewrite("orders", 2000)],
            ),
            run(2, "CREATE TABLE t (id int)", 0.4),
            run(
                3,
                "CREATE INDEX CONCURRENTLY ix ON orders (c)",
                5,
                locks_captured=False,
                locks_note="runs outside a transaction",
            ),
        ],
        changes=[SchemaChange("changed", "column", "orders", "amount", "integer", "bigint")],
        seed=SeedResult({"orders": 2000}, {"odd": "cannot generate `tsrange`"}, 40),
    )
    text = render_shadow_section(shadow)
    assert text.startswith(SECTION_TITLE)
    assert (
        "**Applies cleanly.** The new migration ran on a scratch PostgreSQL database with the 2 "
        "migrations of the base branch and 2,000 generated rows per table in 1.2 s."
    ) in text
    assert "Left empty: `odd`: cannot generate `tsrange`." in text
    assert "- table `orders`\n  - changed column `amount`: `integer` → `bigint`" in text
    assert (
        "| `V3__change.sql:1` | `ALTER TABLE orders ALTER COLUMN amount TYPE bigint` | 13 ms | "
        "**ACCESS EXCLUSIVE** on `orders`: blocks reads and writes, held 37 ms; "
        "rewrote `orders` (2,000 rows) |"
    ) in text
    assert "| `V3__change.sql:2` | `CREATE TABLE t (id int)` | 0.4 ms | no new lock |" in text
    assert "_not captured: runs outside a transaction_" in text
    assert "<details>" not in text


def test_a_failure_shows_the_statement_and_the_exact_error_and_what_was_not_tried() -> None:
    failed = run(2, "CREATE INDEX ix ON orders (email)", 1, error='column "email" does not exist')
    shadow = report([run(1, "SELECT 1"), failed, run(3, "SELECT 2", None)], status="failed")
    text = render_shadow_section(shadow)
    assert f"**Fails** at `{PATH}` line 2" in text
    assert '```sql\nCREATE INDEX ix ON orders (email)\n```\n> column "email" does not exist' in text
    assert "1 statement after it not tried." in text
    assert "| `V3__change.sql:2` | `CREATE INDEX ix ON orders (email)` | **failed** |" in text
    assert "| `V3__change.sql:3` | `SELECT 2` | not run |" in text


def test_long_diffs_and_statement_lists_are_collapsed_and_cut() -> None:
    changes = [
        SchemaChange("added", "column", "wide", f"c{i}", None, "integer") for i in range(200)
    ]
    statements = [run(i, f"ALTER TABLE wide ADD COLUMN c{i} int") for i in range(1, 101)]
    text = render_shadow_section(report(statements, changes=changes))
    assert "<details><summary>200 schema changes</summary>" in text
    assert "<details><summary>100 statements: durations and locks</summary>" in text
    assert f"… {201 - MAX_ROWS} more lines: see the review page" in text
    assert f"… {100 - MAX_ROWS} more statements" in text
    short = render_shadow_section(report(statements[:COLLAPSE_AFTER], changes=changes[:3]))
    assert "<details>" not in short


def test_a_statement_locking_many_relations_names_the_first_ones() -> None:
    locks = [LockTaken(f"t{i}", "table", "SHARE", False, True, 1.0) for i in range(MAX_LOCKS + 2)]
    text = render_shadow_section(report([run(1, "TRUNCATE t0, t1", locks=locks)]))
    assert f"`t{MAX_LOCKS - 1}`" in text and f"`t{MAX_LOCKS}`" not in text
    assert "held 1.0 ms; 2 more |" in text


def test_statement_text_cannot_break_the_table() -> None:
    text = render_shadow_section(report([run(1, "SELECT '|' || `x`\n  FROM t")]))
    assert "| `` SELECT '\\|' \\|\\| `x` FROM t `` |" in text


def test_no_run_says_why() -> None:
    skipped = render_shadow_section(ShadowReport("skipped", FORK_REASON))
    assert skipped == f"{SECTION_TITLE}\nNo shadow run: {FORK_REASON}."
    down = render_shadow_section(ShadowReport("unavailable", "the shadow run could not finish: x"))
    assert "**Could not run.** the shadow run could not finish: x" in down
    base = render_shadow_section(ShadowReport("base-failed", "the base branch's migrations fail"))
    assert "**Not tried:** the base branch's migrations fail" in base
