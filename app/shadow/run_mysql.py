"""The pull request's migrations on a MariaDB (or MySQL) scratch database, statement by statement.

MariaDB has no ``pg_locks``, but it knows what an ALTER TABLE needs: asked for ``LOCK=NONE``
it refuses (error 1846, "LOCK=NONE is not supported ... Try LOCK=SHARED") when the statement
would block writes, and nothing changes. So an ALTER TABLE or CREATE INDEX on an existing table
is tried with ``LOCK=NONE``, then ``LOCK=SHARED``, then as written: the first that runs names
what the statement blocks. Every DDL statement commits on its own, so the statement's lock
lasts as long as the statement.

A rebuilt table gets a new InnoDB table id: that is how a table copy shows.
"""

from __future__ import annotations

import re
import time

import pymysql

from app.migrations.constants import HISTORY_TABLE
from app.migrations.durations import Timeouts
from app.migrations.files import Migration
from app.migrations.targets.base import StatementFailure
from app.migrations.targets.mysql import MysqlTarget
from app.shadow.results import LockTaken, Rewrite, StatementRun
from app.shadow.statements import changes_settings, statement_runs

__all__ = ["LOCK_LEVELS", "NO_TABLE_IDS", "run_mysql_migrations"]

#: Error codes the server answers a LOCK clause it cannot honour with.
_NOT_SUPPORTED = {"1845", "1846"}
#: max_statement_time (MariaDB) and max_execution_time (MySQL) exceeded.
_TIMED_OUT = {"1969", "3024"}
#: LOCK level -> (blocks reads, blocks writes).
LOCK_LEVELS: dict[str, tuple[bool, bool]] = {
    "NONE": (False, False),
    "SHARED": (False, True),
    "EXCLUSIVE": (True, True),
}
_LEADING_COMMENTS = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|#[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)
_NAME = r"(?:`(?:[^`]|``)+`|[\w$]+)"
_ALTER_TABLE = re.compile(
    rf"^ALTER\s+(?:ONLINE\s+)?(?:IGNORE\s+)?TABLE\s+(?:IF\s+EXISTS\s+)?(?P<table>{_NAME}"
    rf"(?:\s*\.\s*{_NAME})?)",
    re.I,
)
_CREATE_INDEX = re.compile(
    rf"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:ONLINE\s+)?(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX\s+"
    rf"(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}\s+(?:USING\s+\w+\s+)?ON\s+(?P<table>{_NAME}"
    rf"(?:\s*\.\s*{_NAME})?)",
    re.I,
)
_LOCK_CLAUSE = re.compile(r"\bLOCK\s*=?\s*(?P<level>DEFAULT|NONE|SHARED|EXCLUSIVE)\b", re.I)
_PROBED = (
    "MariaDB named the lock: the statement was tried with LOCK=NONE, then LOCK=SHARED, and the "
    "first level the server accepted is shown"
)
_DECLARED = "the statement's own LOCK clause, which the server enforces"
_NOT_PROBED = "MariaDB names the locks of ALTER TABLE and CREATE INDEX only"
NO_TABLE_IDS = (
    "Table rewrites could not be seen: reading InnoDB table ids needs the PROCESS privilege "
    "for the shadow user"
)


def _table_of(text: str) -> tuple[str, str] | None:
    """(statement kind, unquoted table name) of an ALTER TABLE or CREATE INDEX."""
    body = _LEADING_COMMENTS.sub("", text, count=1)
    for kind, pattern in (("alter", _ALTER_TABLE), ("index", _CREATE_INDEX)):
        found = pattern.match(body)
        if found:
            name = found["table"].rsplit(".", 1)[-1].strip()
            return kind, name.strip("`").replace("``", "`")
    return None


class _Session:
    def __init__(self, target: MysqlTarget, tables: set[str], limits: Timeouts) -> None:
        self.target = target
        self.tables = tables
        self.limits = limits
        self.ids_view: str | None = "INNODB_SYS_TABLES"

    def table_ids(self) -> dict[str, int]:
        """Table -> InnoDB table id (MariaDB: INNODB_SYS_TABLES; MySQL 8: INNODB_TABLES)."""
        while self.ids_view is not None:
            try:
                rows = self.target.query(
                    f"SELECT NAME, TABLE_ID FROM information_schema.{self.ids_view} "
                    "WHERE NAME LIKE CONCAT(DATABASE(), '/%')"
                )
            except pymysql.MySQLError:
                self.ids_view = "INNODB_TABLES" if self.ids_view == "INNODB_SYS_TABLES" else None
                continue
            return {str(name).split("/", 1)[1]: int(str(key)) for name, key in rows}
        return {}

    def _attempt(self, run: StatementRun, text: str) -> StatementFailure | None:
        started = time.perf_counter()
        try:
            self.target.run_statement(text)
        except StatementFailure as failure:
            return failure
        finally:
            run.duration_ms = (time.perf_counter() - started) * 1000
        return None

    def _probe(self, run: StatementRun, kind: str) -> tuple[str | None, StatementFailure | None]:
        """Run the statement at the weakest lock level the server accepts for it: the level,
        or None when the LOCK clause did not fit the statement; or the statement's failure."""
        joiner = "\n, " if kind == "alter" else "\n"
        for level in ("NONE", "SHARED"):
            failure = self._attempt(run, f"{run.text}{joiner}LOCK={level}")
            if failure is None:
                return level, None
            if failure.sqlstate not in _NOT_SUPPORTED:
                # Not about the lock (a statement the clause does not fit, or a real error,
                # which the statement as written repeats).
                failure = self._attempt(run, run.text)
                return None, failure
        return "EXCLUSIVE", self._attempt(run, run.text)

    def _run_with_locks(self, run: StatementRun) -> StatementFailure | None:
        """Run the statement, recording the lock it takes on an existing table."""
        subject = _table_of(run.text)
        if subject is None:
            run.locks_captured, run.locks_note = False, _NOT_PROBED
            return self._attempt(run, run.text)
        kind, table = subject
        if table not in self.tables:
            return self._attempt(run, run.text)  # a table of this change: nobody waits on it
        declared = _LOCK_CLAUSE.search(run.text)
        if declared is None:
            level, failure = self._probe(run, kind)
            run.locks_note = _PROBED
        else:
            failure = self._attempt(run, run.text)
            level = declared["level"].upper()
            run.locks_note = _DECLARED
        if failure is None and level in LOCK_LEVELS:
            reads, writes = LOCK_LEVELS[level]
            run.locks.append(
                LockTaken(table, "table", f"LOCK={level}", reads, writes, run.duration_ms)
            )
        elif failure is None:
            run.locks_captured, run.locks_note = False, _NOT_PROBED
        return failure

    def run(self, run: StatementRun) -> bool:
        """Run one statement and record what it did; False when it failed."""
        ids_before = self.table_ids()
        failure = self._run_with_locks(run)
        if failure is not None:
            run.error = failure.message
            run.timed_out = failure.sqlstate in _TIMED_OUT
            return False
        if changes_settings(run.text):
            # A file's SET may raise the limits: the shadow run keeps its own.
            self.target.apply_timeouts(self.limits)
        ids_after = self.table_ids()
        for table, key in ids_before.items():
            if table in self.tables and ids_after.get(table, key) != key:
                rows = self.target.query(f"SELECT COUNT(*) FROM `{table.replace('`', '``')}`")
                run.rewrites.append(Rewrite(table, int(str(rows[0][0]))))
        return True


def run_mysql_migrations(
    target: MysqlTarget,
    migrations: list[tuple[str, Migration]],
    tables: set[str],
    limits: Timeouts,
) -> tuple[list[StatementRun], list[str]]:
    """Every statement of ``migrations`` (repository path, migration) in order, under
    ``limits``, and notes on what could not be measured; ``tables`` are the tables that
    existed before them. Stops at the first failure, the statements after it listed as not
    run."""
    session = _Session(target, tables - {HISTORY_TABLE}, limits)
    runs: list[StatementRun] = []
    failed = False
    for path, migration in migrations:
        file_runs = statement_runs(path, migration.up, target.dialect)
        runs += file_runs
        for run in file_runs:
            if failed:
                break
            failed = not session.run(run)
    return runs, [] if session.ids_view is not None else [NO_TABLE_IDS]
