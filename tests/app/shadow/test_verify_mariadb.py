"""A pull request's migrations on a MariaDB scratch database: clean, failing, locking."""

from __future__ import annotations

import uuid

import pymysql

from app.shadow import FORK_REASON, ShadowLimits, verify_pull_request
from app.shadow.findings import verified_findings
from app.shadow.run_mysql import NO_TABLE_IDS
from app.shadow.schema import SchemaChange
from linters.finding import Severity
from tests.app.shadow.conftest import MARIADB, MIGRATIONS, TEST_LIMITS

BASE = {
    "V1__orders.sql": (
        "CREATE TABLE orders (\n"
        "    id BIGINT AUTO_INCREMENT PRIMARY KEY,\n"
        "    customer VARCHAR(40) NOT NULL,\n"
        "    amount INT NOT NULL,\n"
        "    status ENUM('new', 'paid') NOT NULL,\n"
        "    details JSON NOT NULL,\n"
        "    created DATETIME NOT NULL\n"
        ") ENGINE=InnoDB;\n"
    ),
    "V2__items.sql": (
        "CREATE TABLE items (id INT PRIMARY KEY, order_id BIGINT NOT NULL, sku VARCHAR(12),\n"
        "    CONSTRAINT fk_items_order FOREIGN KEY (order_id) REFERENCES orders (id)\n"
        ") ENGINE=InnoDB;\n"
    ),
}
V3 = f"{MIGRATIONS}/V3__change.sql"


def test_clean_migrations_apply_and_the_schema_diff_lists_what_they_changed() -> None:
    report = MARIADB.verify(
        BASE,
        {
            "V3__change.sql": (
                "ALTER TABLE orders ADD COLUMN note VARCHAR(100) DEFAULT 'none';\n"
                "CREATE INDEX ix_items_sku ON items (sku);\n"
                "ALTER TABLE items DROP FOREIGN KEY fk_items_order;\n"
            )
        },
    )
    assert (report.status, report.base_migrations, report.engine) == ("applied", 2, "mysql")
    assert [run.line for run in report.ran] == [1, 2, 3]
    assert report.changes == [
        # Per table: columns, then indexes, then constraints.
        SchemaChange("added", "index", "items", "ix_items_sku", None, "INDEX (sku)"),
        SchemaChange(
            "dropped",
            "constraint",
            "items",
            "fk_items_order",
            "FOREIGN KEY (order_id) REFERENCES orders (id) ON UPDATE RESTRICT ON DELETE RESTRICT",
        ),
        SchemaChange("added", "column", "orders", "note", None, "varchar(100) DEFAULT 'none'"),
    ]


def test_a_failing_statement_is_reported_and_the_statements_before_it_stay_applied() -> None:
    report = MARIADB.verify(
        BASE,
        {
            "V3__change.sql": (
                "ALTER TABLE orders ADD COLUMN note TEXT;\n"
                "ALTER TABLE orders DROP COLUMN customer_email;\n"
                "CREATE TABLE later (id INT);\n"
            )
        },
    )
    assert report.status == "failed"
    failure = report.failure
    assert failure is not None and (failure.path, failure.line) == (V3, 2)
    assert failure.error is not None and "customer_email" in failure.error
    assert "1091" in failure.error  # ER_CANT_DROP_FIELD_OR_KEY, the server's own code
    assert [run.duration_ms is None for run in report.statements] == [False, False, True]
    # DDL commits on its own: the first statement stays applied, as in a real rollout.
    assert report.changes == [SchemaChange("added", "column", "orders", "note", None, "text")]
    assert [(f.rule, f.span.line, f.severity) for f in verified_findings(report)] == [
        ("verified-apply-failure", 2, Severity.ERROR)
    ]


def test_alter_statements_show_the_weakest_lock_the_server_accepts_for_them() -> None:
    report = MARIADB.verify(
        BASE,
        {
            "V3__change.sql": (
                "ALTER TABLE orders ADD COLUMN note TEXT;\n"
                "ALTER TABLE orders MODIFY amount BIGINT NOT NULL;\n"
                "ALTER TABLE items ADD COLUMN qty INT, LOCK=SHARED;\n"
                "CREATE TABLE refunds (id INT PRIMARY KEY);\n"
                "ALTER TABLE refunds ADD COLUMN reason TEXT;\n"
                "INSERT INTO refunds VALUES (1, 'x');\n"
            ),
            "V4__rename.sql": "ALTER TABLE items RENAME TO order_items;\n",
        },
        rows=500,
    )
    assert report.status == "applied"
    add, retype, declared, create, new_alter, insert, rename = report.statements
    locks = [
        [(lock.relation, lock.mode, lock.meaning) for lock in run.locks]
        for run in (add, retype, declared, rename)
    ]
    assert locks == [
        [("orders", "LOCK=NONE", "blocks neither reads nor writes")],
        [("orders", "LOCK=SHARED", "blocks writes (reads go on)")],
        [("items", "LOCK=SHARED", "blocks writes (reads go on)")],
        [("items", "LOCK=EXCLUSIVE", "blocks reads and writes")],
    ]
    assert "first level the server accepted" in add.locks_note
    assert "own LOCK clause" in declared.locks_note
    # A table of this change: nobody waits on it. Other statements: MariaDB does not say.
    assert (new_alter.locks, new_alter.locks_captured) == ([], True)
    assert (create.locks_captured, insert.locks_captured) == (False, False)
    # The type change copied the table: a new InnoDB table id, every generated row.
    assert [(r.table, r.rows) for r in retype.rewrites] == [("orders", 500)]
    assert add.rewrites == []
    findings = [(f.rule, f.path, f.span.line) for f in verified_findings(report)]
    assert findings == [
        ("verified-table-rewrite", V3, 2),
        ("verified-access-exclusive-lock", f"{MIGRATIONS}/V4__rename.sql", 1),
    ]


def test_generated_rows_fill_every_table_type_and_skip_what_cannot_be_made() -> None:
    base = {
        **BASE,
        "V3__odd.sql": "CREATE TABLE shapes (id INT PRIMARY KEY, area POLYGON NOT NULL);\n",
    }
    report = MARIADB.verify(
        base, {"V4__x.sql": "ALTER TABLE orders ADD COLUMN c INT;\n"}, rows=1200
    )
    assert report.seed is not None
    assert report.seed.seeded == {"items": 1200, "orders": 1200}
    assert list(report.seed.skipped) == ["shapes"]
    assert "polygon" in report.seed.skipped["shapes"]


def test_a_statement_past_the_timeout_is_a_warning_even_when_the_file_raises_the_limit() -> None:
    report = MARIADB.verify(
        BASE,
        {"V3__slow.sql": "SET SESSION max_statement_time = 300;\nSELECT SLEEP(3);\n"},
        limits=ShadowLimits(statement_timeout=0.2, lock_timeout=1),
    )
    assert report.status == "failed"
    failure = report.failure
    assert failure is not None and failure.line == 2 and failure.timed_out
    assert [(f.rule, f.severity) for f in verified_findings(report)] == [
        ("verified-apply-failure", Severity.WARNING)
    ]


def test_a_fork_gets_no_shadow_run() -> None:
    report = MARIADB.verify(BASE, {"V3__x.sql": "DROP TABLE items;\n"}, fork=True)
    assert (report.status, report.reason, report.database) == ("skipped", FORK_REASON, None)


def test_a_postgres_repository_with_a_mariadb_shadow_server_is_not_run() -> None:
    report = verify_pull_request(
        repository=MARIADB.repository().model_copy(update={"dialect": "postgres"}),
        base_files={},
        new_files={f"{MIGRATIONS}/V1__t.sql": "CREATE TABLE t (id int);"},
        forge_is_fork=False,
    )
    assert report.status == "skipped"
    assert "dialect is postgres" in report.reason


def test_a_user_with_only_the_documented_grants_runs_and_says_what_it_cannot_see() -> None:
    """All privileges on the scratch databases, no PROCESS: runs, but rewrites are unseen."""
    user = f"shadow_{uuid.uuid4().hex[:8]}"
    admin = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", autocommit=True)
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY 'pw'")
            cursor.execute(f"GRANT ALL ON `schemabot\\_shadow\\_%`.* TO '{user}'@'%'")
        report = verify_pull_request(
            repository=MARIADB.repository(shadow_url=f"mysql://{user}:pw@127.0.0.1:3306/"),
            base_files={f"{MIGRATIONS}/{name}": text for name, text in BASE.items()},
            new_files={f"{MIGRATIONS}/V3__x.sql": "ALTER TABLE orders MODIFY amount BIGINT;\n"},
            forge_is_fork=False,
            limits=TEST_LIMITS,
        )
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP USER IF EXISTS '{user}'@'%'")
        admin.close()
    assert report.status == "applied"
    assert report.statements[0].locks[0].mode == "LOCK=SHARED"
    assert report.statements[0].rewrites == []
    assert report.notes == [NO_TABLE_IDS]
    assert report.database is not None and report.database not in MARIADB.databases()
