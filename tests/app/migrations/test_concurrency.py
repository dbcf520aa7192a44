"""Runners racing, runners killed, sessions holding locks: the runner under stress."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from app.migrations import (
    ApplyReport,
    DatabaseDirty,
    RunnerLocked,
    Timeouts,
    apply,
    status,
)
from app.migrations.targets import open_target
from tests.app.migrations.conftest import MARIADB, Database
from tests.app.migrations.layouts import STANDARD, USERS
from tests.app.migrations.layouts import write as write_layout

REPO = Path(__file__).resolve().parents[3]


def _runner(directory: Path, url: str, *extra: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "app.migrations", "apply", "--dir", str(directory)]
    return subprocess.Popen(
        [*command, "--url", url, *extra],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_two_runners_at_once_apply_each_file_once(database: Database, migrations_dir: Path) -> None:
    write_layout(migrations_dir, "golang-migrate", *STANDARD)
    reports: list[ApplyReport] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        reports.append(apply(target_url=database.url, migrations=migrations_dir, lock_wait=20))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(reports) == 2 and all(report.ok for report in reports)
    applied = sorted(str(version) for report in reports for version in report.applied)
    assert applied == ["0001", "0002", "0010"]
    assert [row[0] for row in database.history()] == ["0001", "0002", "0010"]


def test_a_waiting_runner_says_who_holds_the_lock(database: Database, migrations_dir: Path) -> None:
    write_layout(migrations_dir, "plain", USERS)
    holder = open_target(database.url)
    holder.connect()
    holder.lock(5)
    try:
        started = time.monotonic()
        with pytest.raises(RunnerLocked) as locked:
            apply(target_url=database.url, migrations=migrations_dir, lock_wait=0.5)
        assert 0.4 < time.monotonic() - started < 5
    finally:
        holder.close()
    expected = {"postgres": "schemabot migrate lock pid=", "mariadb": "root@127.0.0.1:"}
    assert expected.get(database.engine, f'"pid": {os.getpid()}') in locked.value.holder
    assert locked.value.exit_code == 3
    assert apply(target_url=database.url, migrations=migrations_dir, lock_wait=1).applied == [
        "0001"
    ]


def test_killed_runner_on_postgres_leaves_the_file_absent_and_the_next_run_resumes(
    postgres_db: Database, migrations_dir: Path
) -> None:
    write_layout(migrations_dir, "plain", USERS)
    slow = migrations_dir / "0002_slow.sql"
    slow.write_text("CREATE TABLE t2 (id int);\nSELECT pg_sleep(30);\n")
    (migrations_dir / "0003_after.sql").write_text("CREATE TABLE t3 (id int);\n")
    runner = _runner(migrations_dir, postgres_db.url)
    try:
        _wait_for(lambda: bool(postgres_db.query(
            "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'active' AND query LIKE %s",
            ("%pg_sleep(30)%",),
        )))  # fmt: skip
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait()

    assert "t2" not in postgres_db.tables()
    assert [row[0] for row in postgres_db.history()] == ["0001"]
    # Not applied, so it may change: the next run must not sleep again.
    slow.write_text("CREATE TABLE t2 (id int);\n")
    started = time.monotonic()
    report = apply(target_url=postgres_db.url, migrations=migrations_dir, lock_wait=15)
    assert report.applied == ["0002", "0003"]
    assert time.monotonic() - started < 10, "waited for the dead runner's session"


def test_killed_runner_on_mariadb_leaves_it_dirty_and_the_next_run_refuses(
    mariadb_db: Database, migrations_dir: Path
) -> None:
    write_layout(migrations_dir, "plain", USERS)
    (migrations_dir / "0002_slow.sql").write_text(
        "CREATE TABLE t2 (id int);\nSELECT SLEEP(30);\nCREATE TABLE t3 (id int);\n"
    )
    runner = _runner(migrations_dir, mariadb_db.url)
    try:
        _wait_for(lambda: bool(mariadb_db.query(
            "SELECT 1 FROM information_schema.PROCESSLIST WHERE INFO LIKE %s",
            ("SELECT SLEEP(30)%",),
        )))  # fmt: skip
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait()

    started = time.monotonic()
    again = _runner(migrations_dir, mariadb_db.url, "--lock-wait", "15s")
    _, stderr = again.communicate(timeout=20)
    assert time.monotonic() - started < 10, "waited for the dead runner's lock"
    assert again.returncode == 1
    # The CREATE TABLE committed with its note; the SLEEP (and its note) had no effect.
    assert (
        "0002_slow.sql) interrupted; the last statement that may have taken effect is "
        "statement 1 of 3 (line 1)\n    CREATE TABLE t2 (id int)"
    ) in stderr
    assert "not in effect:\n    line 2: SELECT SLEEP(30)\n    line 3: CREATE TABLE t3" in stderr
    assert "schemabot migrate resolve --version 0002 --applied" in stderr
    assert "t2" in mariadb_db.tables() and "t3" not in mariadb_db.tables()
    with pytest.raises(DatabaseDirty):
        apply(target_url=mariadb_db.url, migrations=migrations_dir, lock_wait=5)


def _hold_table(db: Database) -> Callable[[], None]:
    """Keep a transaction open that has read ``users``, as a busy application would."""
    if db.engine == "postgres":
        pg = psycopg.connect(db.url)
        pg.execute("SELECT * FROM users")
        return pg.close
    if db.engine == "mariadb":
        import pymysql

        my = pymysql.connect(**MARIADB, database=db.name)
        with my.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT * FROM users")
        close: Callable[[], None] = my.close
        return close
    import sqlite3

    lite = sqlite3.connect(db.name, isolation_level=None)
    lite.execute("BEGIN IMMEDIATE")
    return lite.close


def test_lock_timeout_makes_a_blocked_migration_fail_fast(
    database: Database, migrations_dir: Path
) -> None:
    write_layout(migrations_dir, "plain", USERS)
    apply(target_url=database.url, migrations=migrations_dir)
    (migrations_dir / "0002_alter.sql").write_text("ALTER TABLE users ADD COLUMN age integer;\n")
    release = _hold_table(database)
    try:
        started = time.monotonic()
        report = apply(
            target_url=database.url,
            migrations=migrations_dir,
            timeouts=Timeouts.parse("1s", "30s"),
        )
        elapsed = time.monotonic() - started
    finally:
        release()
    assert report.failure is not None, "the migration did not wait for the lock"
    assert elapsed < 6
    assert (report.failure.script, report.failure.line) == ("0002_alter.sql", 1)
    expected = {"postgres": "lock timeout", "mariadb": "Lock wait timeout", "sqlite": "locked"}
    assert expected[database.engine] in report.failure.error


def test_create_index_concurrently_runs_under_the_runner_lock(
    postgres_db: Database, migrations_dir: Path
) -> None:
    write_layout(migrations_dir, "plain", USERS)
    (migrations_dir / "0002_index.sql").write_text(
        "-- schemabot:no-transaction\nCREATE INDEX CONCURRENTLY ix_users_name ON users (name);\n"
    )
    # Would the lock session hold a transaction open, the index build would wait for it until
    # this statement timeout ends the test instead of hanging it.
    report = apply(
        target_url=postgres_db.url,
        migrations=migrations_dir,
        timeouts=Timeouts.parse("5s", "10s"),
    )
    assert report.ok, report.failure
    valid = postgres_db.query(
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_users_name'::regclass"
    )
    assert valid == [(True,)]
    assert postgres_db.history()[-1] == ("0002", "versioned", True, None)


def test_sigterm_stops_the_runner_between_files(
    postgres_db: Database, migrations_dir: Path
) -> None:
    (migrations_dir / "0001_slow.sql").write_text(
        "CREATE TABLE a (id int);\nSELECT pg_sleep(0.5);\n"
    )
    (migrations_dir / "0002_next.sql").write_text("CREATE TABLE b (id int);\n")
    runner = _runner(migrations_dir, postgres_db.url)
    _wait_for(lambda: bool(postgres_db.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'active' AND query LIKE %s",
        ("%pg_sleep(0.5)%",),
    )))  # fmt: skip
    runner.send_signal(signal.SIGTERM)
    _, stderr = runner.communicate(timeout=10)
    assert runner.returncode == 1
    assert "stopped before 1 file(s): 0002_next.sql" in stderr
    assert postgres_db.tables() == {"schemabot_history", "a"}
    current = status(target_url=postgres_db.url, migrations=migrations_dir)
    assert current.pending == [("0002", "0002_next.sql")]
