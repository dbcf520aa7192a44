"""apply, status, rollback and baseline on real PostgreSQL, MariaDB and SQLite, every scheme."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from app.migrations import (
    DatabaseDirty,
    MigrationFileError,
    Progress,
    ValidationRefused,
    apply,
    baseline,
    resolve,
    rollback,
    status,
)
from tests.app.migrations.conftest import Database
from tests.app.migrations.layouts import EMAIL, ORDERS, SCHEMES, STANDARD, USERS, Spec, version_of
from tests.app.migrations.layouts import write as write_layout

BROKEN = Spec(
    2,
    "broken",
    "ALTER TABLE users ADD COLUMN email varchar(200);\n"
    "-- this table does not exist\n"
    "INSERT INTO no_such_table (id) VALUES (1);\n",
)


def _columns(db: Database, table: str) -> set[str]:
    if db.engine == "sqlite":
        return {row[1] for row in db.query(f"PRAGMA table_info({table})")}
    schema = "DATABASE()" if db.engine == "mariadb" else "'public'"
    sql = (
        "SELECT column_name FROM information_schema.columns "
        f"WHERE table_name = %s AND table_schema = {schema}"
    )
    return {row[0] for row in db.query(sql, (table,))}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_apply_status_rollback_in_every_scheme(
    database: Database, migrations_dir: Path, scheme: str
) -> None:
    write_layout(migrations_dir, scheme, *STANDARD)
    versions = [version_of(scheme, spec) for spec in STANDARD]

    report = apply(target_url=database.url, migrations=migrations_dir, applied_by="ci")

    assert report.ok, report.failure
    assert report.applied == versions  # 10 after 2: numeric order
    assert {"users", "orders", "schemabot_history"} <= database.tables()
    assert "email" in _columns(database, "users")
    current = status(target_url=database.url, migrations=migrations_dir)
    assert [row.version for row in current.applied] == versions
    assert {row.applied_by for row in current.applied} == {"ci"}
    assert current.pending == [] and current.dirty is None and current.problems == []

    again = apply(target_url=database.url, migrations=migrations_dir)
    assert again.ok and again.steps == []
    assert len(database.history()) == 3

    if scheme == "plain":
        with pytest.raises(MigrationFileError, match="plain files have none"):
            rollback(target_url=database.url, migrations=migrations_dir)
        return
    undone = rollback(target_url=database.url, migrations=migrations_dir, steps=2)
    assert undone.ok, undone.failure
    assert undone.applied == versions[:0:-1]
    assert "orders" not in database.tables()
    assert "email" not in _columns(database, "users")
    after = status(target_url=database.url, migrations=migrations_dir)
    assert [row.version for row in after.applied] == versions[:1]
    assert [version for version, _ in after.pending] == versions[1:]
    assert [row[0] for row in database.history()] == versions[:1]

    reapplied = apply(target_url=database.url, migrations=migrations_dir)
    assert reapplied.applied == versions[1:]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_baseline_records_without_running(
    database: Database, migrations_dir: Path, scheme: str
) -> None:
    write_layout(migrations_dir, scheme, *STANDARD)
    recorded = baseline(
        target_url=database.url, migrations=migrations_dir, to_version=version_of(scheme, EMAIL)
    )
    assert recorded == [version_of(scheme, USERS), version_of(scheme, EMAIL)]
    assert database.tables() == {"schemabot_history"}

    report = apply(target_url=database.url, migrations=migrations_dir)

    assert report.applied == [version_of(scheme, ORDERS)]
    assert database.tables() == {"schemabot_history", "orders"}
    kinds = [row[1] for row in database.history()]
    assert kinds == ["baseline", "baseline", "versioned"]


def test_rollback_to_a_version_and_a_missing_down_file(
    database: Database, migrations_dir: Path
) -> None:
    write_layout(migrations_dir, "golang-migrate", *STANDARD)
    apply(target_url=database.url, migrations=migrations_dir)
    (migrations_dir / "0010_create_orders.down.sql").unlink()
    with pytest.raises(MigrationFileError, match=r"missing 0010_create_orders\.down\.sql"):
        rollback(target_url=database.url, migrations=migrations_dir, to_version="1")
    assert "orders" in database.tables()

    write_layout(migrations_dir, "golang-migrate", ORDERS)
    report = rollback(target_url=database.url, migrations=migrations_dir, to_version="1")
    assert report.applied == ["0010", "0002"]
    assert [row[0] for row in database.history()] == ["0001"]


def test_a_changed_file_is_refused(database: Database, migrations_dir: Path) -> None:
    write_layout(migrations_dir, "flyway", USERS, EMAIL)
    apply(target_url=database.url, migrations=migrations_dir)
    path = migrations_dir / "V2__add_email.sql"
    path.write_text(path.read_text() + "-- an innocent edit\n")
    write_layout(migrations_dir, "flyway", ORDERS)

    with pytest.raises(ValidationRefused, match=r"V2__add_email\.sql changed after it was applied"):
        apply(target_url=database.url, migrations=migrations_dir)

    assert "orders" not in database.tables()
    problems = status(target_url=database.url, migrations=migrations_dir).problems
    assert [(p.kind, p.script) for p in problems] == [("checksum-changed", "V2__add_email.sql")]


def test_a_vanished_file_is_refused(database: Database, migrations_dir: Path) -> None:
    write_layout(migrations_dir, "plain", USERS, EMAIL)
    apply(target_url=database.url, migrations=migrations_dir)
    (migrations_dir / "0002_add_email.sql").unlink()
    with pytest.raises(ValidationRefused, match=r"version 0002 \(0002_add_email\.sql\)"):
        apply(target_url=database.url, migrations=migrations_dir)


def test_an_older_pending_file_needs_out_of_order(database: Database, migrations_dir: Path) -> None:
    write_layout(migrations_dir, "plain", USERS, ORDERS)
    apply(target_url=database.url, migrations=migrations_dir)
    write_layout(migrations_dir, "plain", EMAIL)

    with pytest.raises(ValidationRefused, match=r"0002_add_email\.sql \(version 0002\) is older"):
        apply(target_url=database.url, migrations=migrations_dir)

    report = apply(target_url=database.url, migrations=migrations_dir, allow_out_of_order=True)
    assert report.applied == ["0002"]


DUPLICATE = Spec(
    2,
    "broken",
    "ALTER TABLE users ADD COLUMN email varchar(200);\n"
    "-- id 1 exists: a runtime error, reported without a position\n"
    "INSERT INTO users (id, name) VALUES (1, 'twin');\n",
)


@pytest.mark.parametrize("broken", [BROKEN, DUPLICATE], ids=["missing-table", "duplicate-key"])
def test_a_failing_file_in_the_middle(
    database: Database, migrations_dir: Path, broken: Spec
) -> None:
    write_layout(migrations_dir, "plain", USERS, broken, ORDERS)

    report = apply(target_url=database.url, migrations=migrations_dir)

    assert report.applied == ["0001"]
    failure = report.failure
    assert failure is not None
    assert (failure.script, failure.line) == ("0002_broken.sql", 3)
    assert failure.statement == broken.up.splitlines()[-1].rstrip(";")
    expected = "no_such_table" if broken is BROKEN else r"(?i)duplicate|unique constraint"
    assert re.search(expected, failure.error)
    assert report.not_run == ["0010_create_orders.sql"]
    assert "orders" not in database.tables()
    if database.engine == "mariadb":
        # DDL committed on its own: the file is half applied and the database says so.
        assert failure.dirty
        assert "email" in _columns(database, "users")
        assert database.history()[-1] == ("0002", "versioned", 0, 1)
        with pytest.raises(DatabaseDirty) as refused:
            apply(target_url=database.url, migrations=migrations_dir)
        message = str(refused.value)
        assert "0002_broken.sql) failed at statement 2 of 2 (line 3)" in message
        assert "line 1: ALTER TABLE users ADD COLUMN email varchar(200)" in message
        assert "resolve --version 0002 --applied" in message
    else:
        assert not failure.dirty
        assert "email" not in _columns(database, "users")
        assert [row[0] for row in database.history()] == ["0001"]
        assert status(target_url=database.url, migrations=migrations_dir).dirty is None


def test_a_refused_history_row_stops_the_run_and_leaves_the_rows_before_it_alone(
    mariadb_db: Database, migrations_dir: Path
) -> None:
    write_layout(migrations_dir, "plain", USERS)
    # A version longer than the history's version column: the started row is refused.
    (migrations_dir / f"{'9' * 101}_too_long.sql").write_text("CREATE TABLE t (id int);\n")

    report = apply(target_url=mariadb_db.url, migrations=migrations_dir)

    assert report.applied == ["0001"]
    assert report.failure is not None and not report.failure.dirty
    assert "too long" in report.failure.error.lower()
    assert mariadb_db.history() == [("0001", "versioned", 1, None)]
    assert "t" not in mariadb_db.tables()
    assert status(target_url=mariadb_db.url, migrations=migrations_dir).dirty is None


def test_resolve_after_a_half_applied_file_on_mariadb(
    mariadb_db: Database, migrations_dir: Path
) -> None:
    write_layout(migrations_dir, "plain", USERS, BROKEN, ORDERS)
    apply(target_url=mariadb_db.url, migrations=migrations_dir)
    dirty = status(target_url=mariadb_db.url, migrations=migrations_dir).dirty
    assert dirty is not None and dirty.state == "failed"
    assert dirty.statement == "INSERT INTO no_such_table (id) VALUES (1)"

    # A person undoes the half that ran, fixes the file, and says none of it is in effect.
    mariadb_db.query("ALTER TABLE users DROP COLUMN email")
    (migrations_dir / "0002_broken.sql").write_text(EMAIL.up)
    message = resolve(target_url=mariadb_db.url, version="2", applied=False)
    assert "not applied" in message

    report = apply(target_url=mariadb_db.url, migrations=migrations_dir)
    assert report.applied == ["0002", "0010"]
    assert [row[2] for row in mariadb_db.history()] == [1, 1, 1]


def test_resolve_as_applied_keeps_the_version(mariadb_db: Database, migrations_dir: Path) -> None:
    write_layout(migrations_dir, "plain", USERS, BROKEN)
    apply(target_url=mariadb_db.url, migrations=migrations_dir)
    mariadb_db.query("CREATE TABLE no_such_table (id int)")
    mariadb_db.query("INSERT INTO no_such_table (id) VALUES (1)")

    resolve(target_url=mariadb_db.url, version="0002", applied=True, applied_by="ops")

    current = status(target_url=mariadb_db.url, migrations=migrations_dir)
    assert current.dirty is None and current.pending == []
    assert [row.version for row in current.applied] == ["0001", "0002"]


def test_a_failed_no_transaction_file_needs_attention_on_postgres(
    postgres_db: Database, migrations_dir: Path
) -> None:
    (migrations_dir / "0001_a.sql").write_text(USERS.up)
    (migrations_dir / "0002_b.sql").write_text(
        "-- schemabot:no-transaction\n"
        "CREATE INDEX CONCURRENTLY ix_users_name ON users (name);\n"
        "CREATE INDEX CONCURRENTLY ix_bad ON users (no_such_column);\n"
    )
    report = apply(target_url=postgres_db.url, migrations=migrations_dir)
    assert report.failure is not None and report.failure.dirty and report.failure.line == 3

    with pytest.raises(DatabaseDirty, match=r"statement 2 of 2 \(line 3\)"):
        apply(target_url=postgres_db.url, migrations=migrations_dir)


def test_dry_run_touches_nothing(database: Database, migrations_dir: Path) -> None:
    write_layout(migrations_dir, "dbmate", USERS, EMAIL)
    report = apply(target_url=database.url, migrations=migrations_dir, dry_run=True)
    assert report.dry_run and report.steps == []
    first = report.planned[0]
    assert (first.script, first.statements) == (
        "20240101120001_create_users.sql",
        [
            (2, "CREATE TABLE users (id integer PRIMARY KEY, name varchar(100) NOT NULL)"),
            (3, "INSERT INTO users (id, name) VALUES (1, 'ada')"),
        ],
    )
    assert database.tables() == set()


def test_cancel_stops_between_files(database: Database, migrations_dir: Path) -> None:
    write_layout(migrations_dir, "golang-migrate", *STANDARD)
    cancel = threading.Event()
    seen: list[tuple[str, str]] = []

    def cancel_after_first(progress: Progress) -> None:
        seen.append((progress.event, progress.script))
        if progress.event == "applied":
            cancel.set()

    report = apply(
        target_url=database.url,
        migrations=migrations_dir,
        cancel=cancel,
        on_progress=cancel_after_first,
    )
    assert report.cancelled and not report.ok
    assert report.applied == ["0001"]
    assert report.not_run == ["0002_add_email.up.sql", "0010_create_orders.up.sql"]
    assert seen == [
        ("started", "0001_create_users.up.sql"),
        ("applied", "0001_create_users.up.sql"),
    ]


def test_flyway_repeatable_runs_again_when_changed(
    database: Database, migrations_dir: Path
) -> None:
    write_layout(migrations_dir, "flyway", USERS)
    view = migrations_dir / "R__user_names.sql"
    view.write_text("CREATE VIEW user_names AS SELECT name FROM users;\n")
    assert apply(target_url=database.url, migrations=migrations_dir).applied == ["1", None]
    assert apply(target_url=database.url, migrations=migrations_dir).steps == []
    view.write_text(
        "DROP VIEW user_names;\nCREATE VIEW user_names AS SELECT id, name FROM users;\n"
    )
    assert apply(target_url=database.url, migrations=migrations_dir).applied == [None]


def test_a_file_of_comments_only_is_recorded(database: Database, migrations_dir: Path) -> None:
    (migrations_dir / "0001_nothing.sql").write_text("-- kept for the numbering\n")
    (migrations_dir / "0002_after.sql").write_text("CREATE TABLE after_nothing (id int)")
    report = apply(target_url=database.url, migrations=migrations_dir)
    assert report.applied == ["0001", "0002"]
    assert [row[:3] for row in database.history()] == [
        ("0001", "versioned", True),
        ("0002", "versioned", True),
    ]


def test_mysql_delimiter_files_run_their_compound_statements(
    mariadb_db: Database, migrations_dir: Path
) -> None:
    (migrations_dir / "0001_procedure.sql").write_text(
        "DELIMITER //\n"
        "CREATE PROCEDURE add_user(IN user_name varchar(100))\n"
        "BEGIN\n"
        "  INSERT INTO users (id, name) VALUES (2, user_name);\n"
        "  UPDATE users SET name = UPPER(name) WHERE id = 2;\n"
        "END//\n"
        "DELIMITER ;\n"
        "CREATE TABLE users (id integer PRIMARY KEY, name varchar(100) NOT NULL);\n"
        "CALL add_user('grace');\n"
    )
    report = apply(target_url=mariadb_db.url, migrations=migrations_dir)
    assert report.ok, report.failure
    assert mariadb_db.query("SELECT id, name FROM users") == [(2, "GRACE")]
