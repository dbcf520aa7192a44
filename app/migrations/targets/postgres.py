"""PostgreSQL: advisory lock on its own idle session, one transaction per file.

A transactional file goes to the server as written, with BEGIN before and the history row and
COMMIT after, in one simple-protocol message: one round trip per file, split by the server's own
lexer. Only when it fails is the file split here, to name the statement the server stopped at.
"""

from __future__ import annotations

import os
import select
import socket
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

import psycopg
from psycopg import pq
from psycopg.adapt import Transformer

from app.migrations.constants import (
    ADVISORY_LOCK_KEY,
    APPLICATION_NAME,
    CLIENT_CHECK_INTERVAL,
    CONNECT_TIMEOUT_SECONDS,
    HISTORY_TABLE,
)
from app.migrations.errors import RunnerLocked, TargetUrlError
from app.migrations.targets.base import (
    HistoryChange,
    RecordApplied,
    StatementFailure,
    Target,
)

if TYPE_CHECKING:
    from psycopg.abc import Transformer as LiteralRenderer

    from app.migrations.durations import Timeouts
    from app.migrations.files import Script
    from app.migrations.target_url import Engine

__all__ = ["PostgresTarget"]

_LOCK_NOT_AVAILABLE = "55P03"
_BEGIN = "BEGIN;\n"
#: The key as pg_locks shows it: high and low 32 bits of the bigint.
_LOCK_CLASSID = (ADVISORY_LOCK_KEY >> 32) & 0xFFFFFFFF
_LOCK_OBJID = ADVISORY_LOCK_KEY & 0xFFFFFFFF

_HOLDER_SQL = """
SELECT a.pid, a.application_name, coalesce(a.client_hostname, host(a.client_addr), 'local'),
       a.usename, a.backend_start
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s
  AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""

_HISTORY_DDL = f"""
CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (
    id bigserial PRIMARY KEY,
    version text,
    description text NOT NULL,
    kind text NOT NULL,
    script text NOT NULL,
    checksum text,
    applied_by text NOT NULL,
    commit_sha text,
    rollout_id text,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    duration_ms bigint,
    success boolean,
    statement_index integer,
    statement_line integer,
    error text
)"""


def _milliseconds(seconds: float) -> int:
    return max(round(seconds * 1000), 1) if seconds > 0 else 0


def _error_text(result: pq.abc.PGresult) -> tuple[str, str | None, int | None]:
    def field(code: pq.DiagnosticField) -> str | None:
        value = result.error_field(code)
        return value.decode("utf-8", "replace") if value is not None else None

    parts = [field(pq.DiagnosticField.MESSAGE_PRIMARY) or "unknown error"]
    for extra, label in (
        (pq.DiagnosticField.MESSAGE_DETAIL, "detail"),
        (pq.DiagnosticField.MESSAGE_HINT, "hint"),
    ):
        if text := field(extra):
            parts.append(f"{label}: {text}")
    sqlstate = field(pq.DiagnosticField.SQLSTATE)
    if sqlstate:
        parts.append(f"SQLSTATE {sqlstate}")
    position = field(pq.DiagnosticField.STATEMENT_POSITION)
    return "; ".join(parts), sqlstate, int(position) if position else None


class PostgresTarget(Target):
    engine: ClassVar[Engine] = "postgres"
    transactional_ddl: ClassVar[bool] = True

    _conn: psycopg.Connection[tuple[object, ...]] | None = None
    _lock_conn: psycopg.Connection[tuple[object, ...]] | None = None
    #: Renders values as SQL literals, as ``sql.Literal(value).as_string(conn)`` does, which
    #: builds a transformer for each value: 8 a file, a tenth of a run's own CPU time.
    _literals: LiteralRenderer | None = None

    def _connect(self, purpose: str) -> psycopg.Connection[tuple[object, ...]]:
        name = f"{APPLICATION_NAME} {purpose} pid={os.getpid()}@{socket.gethostname()}"
        try:
            return psycopg.connect(
                self.url.url,
                autocommit=True,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                application_name=name[:63],
            )
        except psycopg.Error as error:
            raise TargetUrlError(
                f"cannot connect to {self.url.display}: {str(error).strip()}"
            ) from error

    @property
    def conn(self) -> psycopg.Connection[tuple[object, ...]]:
        assert self._conn is not None, "connect() first"
        return self._conn

    def connect(self) -> None:
        self.dialect = "postgres"
        self._conn = self._connect("work")
        self._literals = Transformer(self._conn)
        # Commits need not wait for their own disk flush: WAL is written in order, so a server
        # crash can only lose a suffix of the run's files, each whole with its history row
        # (as if it never ran). flush() makes the run durable with one wait at the end.
        settings = ["SET synchronous_commit = off"]
        if self._conn.info.server_version >= 140000:
            settings.append(f"SET client_connection_check_interval = '{CLIENT_CHECK_INTERVAL}'")
        self.execute("; ".join(settings))

    def flush(self) -> None:
        """A synchronous commit of a transaction with an id: it waits until the WAL up to it,
        holding every earlier commit of the run, is on disk (and on synchronous standbys)."""
        self.execute("SET synchronous_commit = on; SELECT txid_current()")

    def lock(self, wait_seconds: float) -> None:
        """Take the advisory lock on a separate session that never holds a transaction open:
        CREATE INDEX CONCURRENTLY on the work session waits for every older transaction, and
        would wait forever for a lock session stuck in one."""
        self._lock_conn = self._connect("lock")
        started = time.monotonic()
        try:
            if wait_seconds <= 0:
                row = self._lock_conn.execute(
                    "SELECT pg_try_advisory_lock(%s)", (ADVISORY_LOCK_KEY,)
                ).fetchone()
                if row is not None and row[0]:
                    return
            else:  # one message: a failed wait rolls its SET back with it
                self._lock_conn.execute(
                    f"SET lock_timeout = {_milliseconds(wait_seconds)}; "
                    f"SELECT pg_advisory_lock({ADVISORY_LOCK_KEY}); RESET lock_timeout"
                )
                return
        except psycopg.errors.LockNotAvailable:
            pass
        raise RunnerLocked(self._lock_holder(), round(time.monotonic() - started, 1))

    def _lock_holder(self) -> str:
        row = self.conn.execute(_HOLDER_SQL, (_LOCK_CLASSID, _LOCK_OBJID)).fetchone()
        if row is None:
            return "a session that has just released it"
        pid, application, host, user, since = row
        return f"backend pid {pid}, {application or 'no application_name'}, {user}@{host}, " + (
            f"connected since {since:%Y-%m-%d %H:%M:%S %Z}" if since else "connected"
        )

    def close(self) -> None:
        for conn in (self._conn, self._lock_conn):
            if conn is not None:
                conn.close()
        self._conn = self._lock_conn = None

    def apply_timeouts(self, timeouts: Timeouts) -> list[str]:
        settings = []
        if timeouts.lock_timeout is not None:
            settings.append(f"SET lock_timeout = {_milliseconds(timeouts.lock_timeout)}")
        if timeouts.statement_timeout is not None:
            settings.append(f"SET statement_timeout = {_milliseconds(timeouts.statement_timeout)}")
        if settings:
            self.execute("; ".join(settings))
        return []

    # -- primitives -------------------------------------------------------------------------

    def execute(self, sql_text: str, params: Sequence[object] = ()) -> None:
        self.conn.execute(sql_text.encode(), params or None)

    def query(self, sql_text: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        return self.conn.execute(sql_text.encode(), params or None).fetchall()

    def insert_returning_id(self, sql_text: str, params: Sequence[object]) -> int:
        row = self.conn.execute(f"{sql_text} RETURNING id".encode(), params).fetchone()
        assert row is not None
        return int(str(row[0]))

    def table_exists(self, name: str) -> bool:
        row = self.conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()
        return bool(row and row[0])

    def history_ddl(self) -> str:
        return _HISTORY_DDL

    @property
    def now_sql(self) -> str:
        return "clock_timestamp()"

    @property
    def started_sql(self) -> str:
        return "now()"

    def duration_sql(self, started: str) -> str:
        return f"(extract(epoch FROM clock_timestamp() - {started}) * 1000)::bigint"

    def run_statement(self, text: str) -> None:
        _, failure = self._simple_query(text)
        if failure is not None:
            raise failure

    def run_atomic(self, script: Script, change: HistoryChange) -> None:
        if isinstance(change, RecordApplied):
            assert self._literals is not None, "connect() first"
            encoding = self.conn.info.encoding
            literals = [
                self._literals.as_literal(value).decode(encoding) for value in change.entry.values()
            ]
            record = self.insert_applied_sql() % tuple(literals)
        else:
            ids = ", ".join(str(int(row_id)) for row_id in change.ids) or "NULL"
            record = f"DELETE FROM {HISTORY_TABLE} WHERE id IN ({ids})"
        # The newline before ';' ends a trailing line comment in the file.
        text = f"{_BEGIN}{script.source}\n;\n{record};\nCOMMIT"
        completed, failure = self._simple_query(text)
        status = self.conn.pgconn.transaction_status
        if failure is None and status == pq.TransactionStatus.IDLE:
            return
        if status != pq.TransactionStatus.IDLE:
            self._simple_query("ROLLBACK")
        if failure is None:
            raise StatementFailure(
                "the file ends inside an unterminated comment, string or block, which swallowed "
                "the runner's COMMIT; nothing was applied"
            )
        failure.index = self._failed_statement(script, completed, failure)
        raise failure

    def _failed_statement(
        self, script: Script, completed: int, failure: StatementFailure
    ) -> int | None:
        """Which statement the server stopped at: by its error position when it gives one,
        else by the number of statements that completed before it (BEGIN came first)."""
        if failure.position is not None:
            offset = failure.position - 1 - len(_BEGIN)
            if 0 <= offset < len(script.source):
                return script.statement_at_offset(self.dialect, offset)
        index = completed - 1
        return index if 0 <= index < len(script.statements(self.dialect)) else None

    def _simple_query(self, text: str) -> tuple[int, StatementFailure | None]:
        """Send ``text`` with the simple protocol; count the results before the first error.

        psycopg's execute() raises without saying how far a multi-statement string got, so this
        talks to libpq directly, waiting on the socket so that signals still interrupt it.
        """
        pgconn = self.conn.pgconn
        pgconn.send_query(text.encode())
        # libpq's rule for a non-blocking send: on read-ready, consume input, then flush again.
        while pgconn.flush():
            readable, _, _ = select.select([pgconn.socket], [pgconn.socket], [])
            if readable:
                pgconn.consume_input()
        completed, failure = 0, None
        while True:
            pgconn.consume_input()
            while pgconn.is_busy():
                select.select([pgconn.socket], [], [])
                pgconn.consume_input()
            result = pgconn.get_result()
            if result is None:
                return completed, failure
            if result.status == pq.ExecStatus.FATAL_ERROR:
                if failure is None:
                    message, sqlstate, position = _error_text(result)
                    failure = StatementFailure(message, sqlstate=sqlstate, position=position)
            elif result.status == pq.ExecStatus.COPY_IN:
                pgconn.put_copy_end(b"COPY FROM STDIN has no data in a migration file")
            elif result.status == pq.ExecStatus.COPY_OUT:
                while pgconn.get_copy_data(0)[0] != -1:
                    pass
            elif failure is None:
                completed += 1
