"""SQLite: an flock on a sidecar file as the runner lock, one transaction per file."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sqlite3
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, ClassVar

from app.migrations.constants import HISTORY_TABLE, SQLITE_LOCK_SUFFIX
from app.migrations.errors import RunnerLocked, TargetUrlError
from app.migrations.targets.base import (
    HistoryChange,
    RecordApplied,
    StatementFailure,
    Target,
)

if TYPE_CHECKING:
    from app.migrations.durations import Timeouts
    from app.migrations.files import Script
    from app.migrations.target_url import Engine

__all__ = ["SqliteTarget"]

#: How often a waiting runner retries the lock file.
_LOCK_POLL_SECONDS = 0.05
#: SQLite's own wait for a busy database when no lock_timeout is configured.
_DEFAULT_BUSY_SECONDS = 5.0
#: The progress handler runs every this many virtual machine instructions.
_PROGRESS_INSTRUCTIONS = 10_000
_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"

_HISTORY_DDL = f"""
CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    version TEXT,
    description TEXT NOT NULL,
    kind TEXT NOT NULL,
    script TEXT NOT NULL,
    checksum TEXT,
    applied_by TEXT NOT NULL,
    commit_sha TEXT,
    rollout_id TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    duration_ms INTEGER,
    success INTEGER,
    statement_index INTEGER,
    statement_line INTEGER,
    error TEXT
)"""


class SqliteTarget(Target):
    engine: ClassVar[Engine] = "sqlite"
    transactional_ddl: ClassVar[bool] = True

    _conn: sqlite3.Connection | None = None
    _lock_file: IO[str] | None = None
    _statement_seconds: float | None = None
    _started: str | None = None

    @property
    def path(self) -> Path:
        return Path(self.url.path)

    @property
    def conn(self) -> sqlite3.Connection:
        assert self._conn is not None, "connect() first"
        return self._conn

    def connect(self) -> None:
        self.dialect = "sqlite"
        if not self.path.parent.is_dir():
            raise TargetUrlError(f"directory of SQLite database {str(self.path)!r} does not exist")
        # isolation_level=None: the runner writes BEGIN and COMMIT itself.
        self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=_DEFAULT_BUSY_SECONDS)

    def lock(self, wait_seconds: float) -> None:
        """flock the sidecar file: the kernel drops it when the runner's process dies."""
        lock_path = self.path.with_name(self.path.name + SQLITE_LOCK_SUFFIX)
        handle = lock_path.open("a+", encoding="utf-8")
        started = time.monotonic()
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() - started >= wait_seconds:
                    handle.seek(0)
                    holder = handle.read().strip() or "a process that wrote nothing yet"
                    handle.close()
                    raise RunnerLocked(holder, round(time.monotonic() - started, 1)) from None
                time.sleep(_LOCK_POLL_SECONDS)
        me = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(me))
        handle.flush()
        self._lock_file = handle

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._lock_file is not None:
            self._lock_file.close()
        self._conn = self._lock_file = None

    def flush(self) -> None:
        """Nothing to do: each SQLite commit is on disk when it returns."""

    def apply_timeouts(self, timeouts: Timeouts) -> list[str]:
        if timeouts.lock_timeout is not None:
            self.execute(f"PRAGMA busy_timeout = {round(timeouts.lock_timeout * 1000)}")
        self._statement_seconds = timeouts.statement_timeout or None
        return []

    # -- primitives -------------------------------------------------------------------------

    def execute(self, sql_text: str, params: Sequence[object] = ()) -> None:
        self.conn.execute(sql_text.replace("%s", "?"), tuple(params))

    def query(self, sql_text: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        return list(self.conn.execute(sql_text.replace("%s", "?"), tuple(params)).fetchall())

    def insert_returning_id(self, sql_text: str, params: Sequence[object]) -> int:
        cursor = self.conn.execute(sql_text.replace("%s", "?"), tuple(params))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def table_exists(self, name: str) -> bool:
        rows = self.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", (name,))
        return bool(rows)

    def history_ddl(self) -> str:
        return _HISTORY_DDL

    @property
    def now_sql(self) -> str:
        return _NOW

    @property
    def started_sql(self) -> str:
        return "%s" if self._started is None else f"'{self._started}'"

    def duration_sql(self, started: str) -> str:
        return f"CAST(ROUND((julianday('now') - julianday({started})) * 86400000) AS INTEGER)"

    def run_statement(self, text: str) -> None:
        deadline = time.monotonic() + self._statement_seconds if self._statement_seconds else None
        if deadline is not None:
            # Returning true from the handler interrupts the statement.
            self.conn.set_progress_handler(
                lambda: time.monotonic() > deadline, _PROGRESS_INSTRUCTIONS
            )
        try:
            self.conn.execute(text)
        except sqlite3.Error as error:
            message = str(error)
            if deadline is not None and message == "interrupted":
                message = f"statement timeout ({self._statement_seconds:g}s) reached: interrupted"
            raise StatementFailure(message) from error
        finally:
            if deadline is not None:
                self.conn.set_progress_handler(None, 0)

    def run_atomic(self, script: Script, change: HistoryChange) -> None:
        # Deferred: the database lock is taken by the first statement that writes, so a wait
        # for it (busy_timeout, our lock_timeout) is reported against that statement.
        self.execute("BEGIN")
        try:
            self._started = str(self.query(f"SELECT {_NOW}")[0][0])
            for statement in script.statements(self.dialect):
                try:
                    self.run_statement(statement.text)
                except StatementFailure as failure:
                    failure.index = statement.index
                    raise
            if isinstance(change, RecordApplied):
                self.execute(self.insert_applied_sql(), change.entry.values())
            else:
                self.delete_rows(change.ids)
            self.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.execute("ROLLBACK")
            raise
        finally:
            self._started = None
