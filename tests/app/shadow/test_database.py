"""The scratch database is dropped after success, after a failure, and after a killed job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import psycopg
import pymysql
import pytest

from app.shadow import scratch_database, shadow_server, sweep_stale_databases
from app.shadow.database import created_at, new_database_name
from tests.app.shadow.conftest import MARIADB, POSTGRES, ShadowCase

ROOT = Path(__file__).resolve().parents[3]
T = TypeVar("T")


def test_a_scratch_database_exists_and_is_held_while_the_run_lasts_then_is_dropped(
    shadow: ShadowCase,
) -> None:
    server = shadow_server(shadow.shadow_url)
    with scratch_database(server) as database:
        assert shadow.databases().get(database.name) is True
        assert database.url.endswith(f"/{database.name}")
    assert database.name not in shadow.databases()


def test_the_scratch_database_is_dropped_when_the_run_fails(shadow: ShadowCase) -> None:
    server = shadow_server(shadow.shadow_url)
    with pytest.raises(RuntimeError, match="the run broke"), scratch_database(server) as database:
        raise RuntimeError("the run broke")
    assert database.name not in shadow.databases()


def test_verify_drops_its_database_after_success_and_after_a_failing_statement(
    shadow: ShadowCase,
) -> None:
    clean = shadow.verify({}, {"V1__t.sql": "CREATE TABLE t (id int PRIMARY KEY);\n"})
    failing = shadow.verify({}, {"V1__t.sql": "ALTER TABLE missing ADD COLUMN c int;\n"})
    assert (clean.status, failing.status) == ("applied", "failed")
    assert clean.database and failing.database
    left = shadow.databases()
    assert clean.database not in left and failing.database not in left


def test_a_database_named_by_someone_else_is_never_swept() -> None:
    assert created_at(new_database_name(now=1_700_000_000)) == 1_700_000_000
    assert created_at("schemabot_shadow_mine") is None
    assert created_at("schemabot_shadow_1700000000_abc") is None


_KILLED_JOB = textwrap.dedent(
    """
    import sys
    from app.config import Repository
    from app.shadow import ShadowLimits, verify_pull_request

    engine, url, sleep = sys.argv[1], sys.argv[2], sys.argv[3]
    verify_pull_request(
        repository=Repository(
            forge="github", name="acme/shop", migrations="db",
            dialect="postgres" if engine == "postgres" else "mariadb", shadow_url=url,
        ),
        base_files={"db/V1__t.sql": "CREATE TABLE t (id int PRIMARY KEY);"},
        new_files={"db/V2__slow.sql": sleep},
        forge_is_fork=False,
        limits=ShadowLimits(statement_timeout=120),
    )
    """
)


def _database_running(case: ShadowCase, marker: str) -> str | None:
    """The database a session runs the statement carrying ``marker`` in."""
    if case is POSTGRES:
        with psycopg.connect(case.shadow_url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT datname FROM pg_stat_activity "
                "WHERE query LIKE %s AND pid <> pg_backend_pid()",
                (f"%{marker}%",),
            ).fetchone()
        return str(row[0]) if row else None
    conn = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="")
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT DB FROM information_schema.PROCESSLIST WHERE INFO LIKE %s "
                "AND ID <> CONNECTION_ID()",
                (f"%{marker}%",),
            )
            row = cursor.fetchone()
        return str(row[0]) if row else None
    finally:
        conn.close()


def _wait_for(condition: Callable[[], T], what: str, seconds: float = 20) -> T:
    """What ``condition`` returns once it is truthy."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("case", [POSTGRES, MARIADB], ids=["postgres", "mariadb"])
def test_a_job_killed_mid_run_leaves_a_database_that_the_sweeper_drops(case: ShadowCase) -> None:
    marker = f"killed_{uuid.uuid4().hex[:12]}"
    # In the statement's text: the splitter leaves a trailing comment out of it.
    sleep = f"SELECT {'pg_sleep' if case is POSTGRES else 'SLEEP'}(60), '{marker}'"
    job = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _KILLED_JOB,
            case.engine,
            case.shadow_url,
            sleep,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    found: list[str] = []
    try:
        _wait_for(
            lambda: (
                found.append(name) is None if (name := _database_running(case, marker)) else False
            ),
            "the slow statement",
        )
    finally:
        job.send_signal(signal.SIGKILL)
        job.wait()
    leftover = found[0]
    # The killed job never ran its cleanup: the database is still there, and no run holds it.
    _wait_for(lambda: case.databases().get(leftover) is False, "the killed job's lock to end")
    server = shadow_server(case.shadow_url)
    with scratch_database(server) as live:
        # Old enough for the sweeper's grace, which protects a database being set up.
        _wait_for(lambda: time.time() - (created_at(leftover) or 0) >= 3, "the grace", 5)
        dropped = sweep_stale_databases(server, idle_grace=timedelta(seconds=3))
        remaining = case.databases()
    assert leftover in dropped
    assert leftover not in remaining
    assert remaining.get(live.name) is True  # a database in use is never swept


def test_the_next_run_sweeps_a_leftover_database_first(shadow: ShadowCase) -> None:
    server = shadow_server(shadow.shadow_url)
    leftover = new_database_name(now=time.time() - 600)  # a killed job's, ten minutes ago
    server.create(leftover)
    assert shadow.databases().get(leftover) is False
    report = shadow.verify({}, {"V1__t.sql": "CREATE TABLE t (id int PRIMARY KEY);\n"})
    assert report.status == "applied"
    assert leftover not in shadow.databases()
