"""A pull request's migrations on a PostgreSQL scratch database: clean, failing, locking."""

from __future__ import annotations

from app.shadow import FORK_REASON, ShadowLimits, verify_pull_request
from app.shadow.findings import verified_findings
from app.shadow.run_postgres import NOT_CAPTURED
from app.shadow.schema import SchemaChange
from linters.finding import Severity
from tests.app.shadow.conftest import MIGRATIONS, POSTGRES

BASE = {
    "V1__orders.sql": (
        "CREATE TABLE orders (\n"
        "    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
        "    customer text NOT NULL,\n"
        "    amount integer NOT NULL DEFAULT 0\n"
        ");\n"
    ),
    "V2__items.sql": (
        "CREATE TABLE items (id serial PRIMARY KEY,\n"
        "    order_id bigint NOT NULL REFERENCES orders (id), sku varchar(12) NOT NULL);\n"
    ),
}
V3 = f"{MIGRATIONS}/V3__change.sql"


def test_clean_migrations_apply_and_the_schema_diff_lists_what_they_changed() -> None:
    report = POSTGRES.verify(
        BASE,
        {
            "V3__change.sql": (
                "ALTER TABLE orders ADD COLUMN note text DEFAULT 'none';\n"
                "CREATE TABLE refunds (id bigint PRIMARY KEY, reason text NOT NULL);\n"
                "ALTER TABLE items DROP COLUMN sku;\n"
                "ALTER TABLE orders ALTER COLUMN customer DROP NOT NULL;\n"
            )
        },
    )
    assert (report.status, report.reason, report.base_migrations) == ("applied", "", 2)
    assert report.files == [V3]
    assert [run.line for run in report.ran] == [1, 2, 3, 4]
    assert all(run.duration_ms is not None and run.error is None for run in report.statements)
    assert report.changes == [
        SchemaChange("dropped", "column", "items", "sku", "character varying(12) NOT NULL"),
        SchemaChange("changed", "column", "orders", "customer", "text NOT NULL", "text"),
        SchemaChange("added", "column", "orders", "note", None, "text DEFAULT 'none'::text"),
        SchemaChange("added", "table", "refunds"),
        SchemaChange("added", "column", "refunds", "id", None, "bigint NOT NULL"),
        SchemaChange("added", "column", "refunds", "reason", None, "text NOT NULL"),
        SchemaChange("added", "constraint", "refunds", "refunds_pkey", None, "PRIMARY KEY (id)"),
    ]


def test_a_failing_statement_is_reported_with_its_file_line_and_error_and_stops_the_run() -> None:
    report = POSTGRES.verify(
        BASE,
        {
            "V3__change.sql": (
                "ALTER TABLE orders ADD COLUMN note text;\n"
                "-- the column is called customer\n"
                "CREATE INDEX ix_orders_email ON orders (customer_email);\n"
            ),
            "V4__later.sql": "CREATE TABLE later (id int);\n",
        },
    )
    assert report.status == "failed"
    failure = report.failure
    assert failure is not None
    assert (failure.path, failure.line) == (V3, 3)
    assert failure.text == "CREATE INDEX ix_orders_email ON orders (customer_email)"
    assert failure.error is not None and 'column "customer_email" does not exist' in failure.error
    assert not failure.timed_out
    # The file's transaction rolled back, and the next file was not tried.
    assert report.changes == []
    assert [run.duration_ms is None for run in report.statements] == [False, False, True]
    findings = verified_findings(report)
    assert [(f.rule, f.path, f.span.line, f.severity) for f in findings] == [
        ("verified-apply-failure", V3, 3, Severity.ERROR)
    ]
    assert "customer_email" in findings[0].message


def test_each_statement_shows_the_locks_it_took_on_existing_tables_and_what_they_block() -> None:
    report = POSTGRES.verify(
        BASE,
        {
            "V3__change.sql": (
                "ALTER TABLE orders ADD COLUMN note text;\n"
                "CREATE INDEX ix_items_sku ON items (sku);\n"
                "CREATE TABLE refunds (id int PRIMARY KEY);\n"
                "UPDATE orders SET note = 'x';\n"
            ),
            "V4__concurrently.sql": (
                "-- schemabot:no-transaction\n"
                "CREATE INDEX CONCURRENTLY ix_orders_customer ON orders (customer);\n"
            ),
        },
    )
    assert report.status == "applied"
    alter, index, create, update, concurrently = report.statements
    assert [(lock.relation, lock.mode, lock.meaning) for lock in alter.locks] == [
        ("orders", "ACCESS EXCLUSIVE", "blocks reads and writes")
    ]
    assert [(lock.relation, lock.mode, lock.meaning) for lock in index.locks] == [
        ("items", "SHARE", "blocks writes (reads go on)")
    ]
    assert create.locks == [] and create.locks_captured
    # ROW EXCLUSIVE is weaker than the ACCESS EXCLUSIVE the file already holds: nothing new.
    assert update.locks == []
    assert "ACCESS EXCLUSIVE on `orders` (line 1)" in update.locks_note
    # A lock is held until the file commits: the ALTER's outlasts every later statement.
    held = alter.locks[0].held_ms
    assert held is not None and alter.duration_ms is not None
    later = sum(run.duration_ms or 0 for run in (index, create, update))
    assert held >= alter.duration_ms + later
    assert (concurrently.locks_captured, concurrently.locks_note) == (False, NOT_CAPTURED)
    assert not any(run.rewrites for run in report.statements)
    findings = verified_findings(report)
    assert [(f.rule, f.span.line) for f in findings] == [("verified-access-exclusive-lock", 1)]
    assert "`orders`" in findings[0].message


def test_generated_rows_make_a_rewrite_a_measured_copy_of_every_row() -> None:
    report = POSTGRES.verify(
        BASE,
        {
            "V3__change.sql": (
                "ALTER TABLE orders ADD COLUMN note text;\n"
                "ALTER TABLE orders ALTER COLUMN amount TYPE bigint;\n"
            )
        },
        rows=3000,
    )
    assert report.status == "applied"
    assert report.seed is not None
    assert report.seed.seeded == {"orders": 3000, "items": 3000}
    assert report.seed.skipped == {}
    add, retype = report.statements
    assert add.rewrites == []
    assert [(r.table, r.rows) for r in retype.rewrites] == [("orders", 3000)]
    assert retype.duration_ms is not None and retype.duration_ms > 0
    rewrite = [f for f in verified_findings(report) if f.rule == "verified-table-rewrite"]
    assert [(f.span.line, f.severity) for f in rewrite] == [(2, Severity.WARNING)]
    assert "3,000 rows" in rewrite[0].message
    assert f"{retype.duration_ms:,.0f} ms" in rewrite[0].message


def test_without_generated_rows_a_rewrite_still_shows_but_copies_nothing() -> None:
    report = POSTGRES.verify(
        BASE, {"V3__change.sql": "ALTER TABLE orders ALTER COLUMN amount TYPE bigint;\n"}
    )
    assert report.seed is None
    assert [(r.table, r.rows) for r in report.statements[0].rewrites] == [("orders", 0)]


def test_tables_whose_columns_cannot_be_generated_stay_empty_and_say_why() -> None:
    base = {
        **BASE,
        "V3__odd.sql": (
            "CREATE TYPE mood AS ENUM ('calm', 'busy');\n"
            "CREATE TABLE odd (id int PRIMARY KEY, during tsrange NOT NULL);\n"
            "CREATE TABLE typed (id uuid PRIMARY KEY, m mood NOT NULL, j jsonb NOT NULL,\n"
            "  at timestamptz NOT NULL, d date NOT NULL, ok boolean NOT NULL,\n"
            "  tags text[] NOT NULL, small smallint NOT NULL, took interval NOT NULL,\n"
            "  addr inet NOT NULL, raw bytea);\n"
        ),
    }
    report = POSTGRES.verify(base, {"V4__x.sql": "ALTER TABLE typed ADD COLUMN c int;\n"}, rows=50)
    assert report.seed is not None
    assert report.seed.seeded == {"orders": 50, "items": 50, "typed": 50}
    assert list(report.seed.skipped) == ["odd"]
    assert "tsrange" in report.seed.skipped["odd"]


def test_a_statement_past_the_timeout_is_a_warning_not_an_error() -> None:
    report = POSTGRES.verify(
        BASE,
        # The file's own limit would let it run: the shadow run keeps its own.
        {"V3__slow.sql": "SET statement_timeout = '5min';\nSELECT pg_sleep(3);\n"},
        limits=ShadowLimits(statement_timeout=0.2, lock_timeout=1),
    )
    assert report.status == "failed"
    assert report.failure is not None and report.failure.timed_out
    assert [(f.rule, f.severity) for f in verified_findings(report)] == [
        ("verified-apply-failure", Severity.WARNING)
    ]


def test_base_branch_migrations_that_fail_are_reported_and_the_pull_request_is_not_tried() -> None:
    report = POSTGRES.verify(
        {"V1__broken.sql": "CREATE TABLE t (id int PRIMARY KEY;\n"},
        {"V2__x.sql": "CREATE TABLE u (id int);\n"},
    )
    assert report.status == "base-failed"
    assert "V1__broken.sql" in report.reason and "syntax error" in report.reason
    assert report.statements == []
    assert verified_findings(report) == []


def test_a_fork_gets_no_shadow_run_not_even_a_connection() -> None:
    repository = POSTGRES.repository(shadow_url="postgresql://postgres@127.0.0.1:1/postgres")
    new = {f"{MIGRATIONS}/V1__t.sql": "CREATE TABLE t (id int);\n"}
    fork = verify_pull_request(
        repository=repository, base_files={}, new_files=new, forge_is_fork=True
    )
    assert (fork.status, fork.reason, fork.database) == ("skipped", FORK_REASON, None)
    # The same pull request from the repository itself tries the (unreachable) server.
    own = verify_pull_request(
        repository=repository, base_files={}, new_files=new, forge_is_fork=False
    )
    assert own.status == "unavailable"
    assert 'connection to server at "127.0.0.1", port 1 failed' in own.reason
    assert "\n" not in own.reason


def test_no_new_migrations_means_no_run() -> None:
    report = POSTGRES.verify(BASE, {})
    assert (report.status, report.reason) == (
        "skipped",
        "this pull request adds no migrations to try",
    )
