"""MySQL and MariaDB: GET_LOCK on its own session, and the dirty-row protocol.

Every DDL statement commits on its own, so no file is atomic. The runner writes a "started"
row, notes before each statement which one is running, and completes the row at the end; a
row left incomplete is the dirty mark a person resolves. The notes and the statements travel
together in one multi-statement message per file, so this costs no extra round trips.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import ssl
import time
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, ClassVar

import pymysql
from pymysql.constants import CLIENT
from pymysql.cursors import Cursor

from app.migrations.constants import (
    APPLICATION_NAME,
    CONNECT_TIMEOUT_SECONDS,
    HISTORY_TABLE,
    LOCK_NAME_PREFIX,
)
from app.migrations.errors import RunnerLocked, TargetUrlError
from app.migrations.history import HistoryEntry
from app.migrations.targets.base import (
    INSERT_COLUMNS,
    HistoryChange,
    StatementFailure,
    Target,
)

if TYPE_CHECKING:
    from app.migrations.durations import Timeouts
    from app.migrations.files import Script
    from app.migrations.target_url import Engine

__all__ = ["MysqlTarget"]

#: The session variable holding the id of the history row being written.
_ROW = "@schemabot_row"
#: GET_LOCK names are limited to 64 characters.
_LOCK_NAME_LIMIT = 64

_HISTORY_DDL = f"""
CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    version VARCHAR(100) NULL,
    description VARCHAR(500) NOT NULL,
    kind VARCHAR(20) NOT NULL,
    script VARCHAR(500) NOT NULL,
    checksum CHAR(64) NULL,
    applied_by VARCHAR(200) NOT NULL,
    commit_sha VARCHAR(100) NULL,
    rollout_id VARCHAR(100) NULL,
    started_at DATETIME(6) NOT NULL,
    finished_at DATETIME(6) NULL,
    duration_ms BIGINT NULL,
    success TINYINT(1) NULL,
    statement_index INT NULL,
    statement_line INT NULL,
    error TEXT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"""


@cache
def _tls_if_offered() -> ssl.SSLContext:
    """The TLS context of PyMySQL's default mode (encrypt when the server offers TLS, verify
    nothing), built once without loading the system's CA store: nothing in that mode reads it,
    and loading it costs 15 ms for each of the runner's two sessions."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


if TYPE_CHECKING:
    _Connection = pymysql.connections.Connection[Cursor]
else:  # generic in the type stubs only
    _Connection = pymysql.connections.Connection


class _Session(_Connection):
    """A PyMySQL connection that shares one TLS context between the runner's sessions."""

    #: Set by the handshake (not in PyMySQL's type stubs).
    server_version: str

    def _create_ssl_ctx(self, sslp: object) -> ssl.SSLContext:
        if sslp != {}:  # this module passes no TLS options: PyMySQL's default mode only
            raise TargetUrlError("TLS options need PyMySQL's own, verifying, TLS context")
        return _tls_if_offered()


def _failure(error: pymysql.MySQLError) -> StatementFailure:
    code, message = (*error.args, None, None)[:2]
    if code is None:
        return StatementFailure(str(error))
    return StatementFailure(f"{message} (error {code})", sqlstate=str(code))


class MysqlTarget(Target):
    engine: ClassVar[Engine] = "mysql"
    transactional_ddl: ClassVar[bool] = False

    _conn: _Session | None = None
    _lock_conn: _Session | None = None
    #: run_stepwise left a transaction open (see settle()).
    _uncommitted = False

    def _connect(self) -> _Session:
        options = dict(self.url.options)
        try:
            return _Session(
                host=self.url.host,
                port=self.url.port or 3306,
                user=self.url.user or None,
                password=self.url.password,
                database=self.url.database,
                charset=options.get("charset", "utf8mb4"),
                autocommit=True,
                client_flag=CLIENT.MULTI_STATEMENTS,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                program_name=APPLICATION_NAME,
                init_command="SET time_zone = '+00:00'",
            )
        except pymysql.MySQLError as error:
            raise TargetUrlError(f"cannot connect to {self.url.display}: {error}") from error

    @property
    def conn(self) -> _Session:
        assert self._conn is not None, "connect() first"
        return self._conn

    @property
    def lock_name(self) -> str:
        name = LOCK_NAME_PREFIX + self.url.database
        if len(name) > _LOCK_NAME_LIMIT:
            digest = hashlib.sha256(self.url.database.encode()).hexdigest()
            name = LOCK_NAME_PREFIX + digest[: _LOCK_NAME_LIMIT - len(LOCK_NAME_PREFIX)]
        return name

    def connect(self) -> None:
        self._conn = self._connect()
        self.dialect = "mariadb" if "mariadb" in self.conn.server_version.lower() else "mysql"

    def lock(self, wait_seconds: float) -> None:
        """GET_LOCK on a session of its own that stays idle: when a runner is killed during a
        long statement, the idle session's end is noticed at once and frees the lock."""
        self._lock_conn = self._connect()
        started = time.monotonic()
        with self._lock_conn.cursor() as cursor:
            cursor.execute("SELECT GET_LOCK(%s, %s)", (self.lock_name, max(wait_seconds, 0)))
            row = cursor.fetchone()
        if row is not None and row[0] == 1:
            return
        raise RunnerLocked(self._lock_holder(), round(time.monotonic() - started, 1))

    def _lock_holder(self) -> str:
        rows = self.query(
            "SELECT ID, USER, HOST, TIME, COMMAND FROM information_schema.PROCESSLIST "
            "WHERE ID = IS_USED_LOCK(%s)",
            (self.lock_name,),
        )
        if not rows:
            return "a session that has just released it"
        session, user, host, seconds, command = rows[0]
        holder = f"connection {session}, {user}@{host}, {command} for {seconds}s"
        try:
            attrs: dict[object, object] = dict(
                self.query(  # type: ignore[arg-type]
                    "SELECT ATTR_NAME, ATTR_VALUE FROM performance_schema.session_connect_attrs "
                    "WHERE PROCESSLIST_ID = %s",
                    (session,),
                )
            )
        except pymysql.MySQLError:
            attrs = {}
        if attrs.get("_pid"):
            holder += f", pid {attrs['_pid']} ({attrs.get('program_name', 'unknown program')})"
        return holder

    def close(self) -> None:
        if self._conn is not None and self._conn.open:
            with contextlib.suppress(pymysql.MySQLError):
                self.settle()
        for conn in (self._conn, self._lock_conn):
            if conn is not None and conn.open:
                conn.close()
        self._conn = self._lock_conn = None

    def apply_timeouts(self, timeouts: Timeouts) -> list[str]:
        settings: list[str] = []
        notes: list[str] = []
        if timeouts.lock_timeout is not None:
            seconds = max(1, math.ceil(timeouts.lock_timeout))
            # Metadata locks (DDL) and InnoDB row locks (DML) have separate limits.
            settings += [f"lock_wait_timeout = {seconds}", f"innodb_lock_wait_timeout = {seconds}"]
        if timeouts.statement_timeout is not None:
            if self.dialect == "mariadb":
                settings.append(f"max_statement_time = {timeouts.statement_timeout:.3f}")
            else:
                settings.append(f"max_execution_time = {round(timeouts.statement_timeout * 1000)}")
                notes.append(
                    "MySQL's max_execution_time bounds SELECT statements only; DDL and other "
                    "writes in this run have no statement time limit"
                )
        if settings:
            self.execute("SET SESSION " + ", ".join(settings))
        return notes

    # -- primitives -------------------------------------------------------------------------

    def execute(self, sql_text: str, params: Sequence[object] = ()) -> None:
        self.settle()
        with self.conn.cursor() as cursor:
            cursor.execute(sql_text, tuple(params) or None)

    def query(self, sql_text: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        with self.conn.cursor() as cursor:
            cursor.execute(sql_text, tuple(params) or None)
            return list(cursor.fetchall())

    def insert_returning_id(self, sql_text: str, params: Sequence[object]) -> int:
        self.settle()
        with self.conn.cursor() as cursor:
            cursor.execute(sql_text, tuple(params))
            return int(cursor.lastrowid)

    def table_exists(self, name: str) -> bool:
        return bool(
            self.query(
                "SELECT 1 FROM information_schema.TABLES "
                "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s",
                (name,),
            )
        )

    def history_ddl(self) -> str:
        return _HISTORY_DDL

    @property
    def now_sql(self) -> str:
        return "NOW(6)"

    def duration_sql(self, started: str) -> str:
        return f"TIMESTAMPDIFF(MICROSECOND, {started}, NOW(6)) DIV 1000"

    def run_statement(self, text: str) -> None:
        self.settle()
        try:
            with self.conn.cursor() as cursor:
                cursor.execute(text)
                while cursor.nextset():
                    pass
        except pymysql.MySQLError as error:
            raise _failure(error) from error

    def run_atomic(self, script: Script, change: HistoryChange) -> None:
        raise NotImplementedError("MySQL and MariaDB commit DDL implicitly; use run_stepwise")

    def run_stepwise(
        self, script: Script, entry: HistoryEntry, *, upcoming: Script | None = None
    ) -> int:
        """The started row, each statement behind its progress note, and the completion, as
        one message, in a transaction that each DDL statement commits as it goes.

        The implicit commit before a DDL statement makes its note durable with it, so whatever
        of the file is in the database, the notes before it are too; DML and its notes commit
        together at the next DDL statement or at :meth:`settle`. The row thus always names the
        last statement whose effects may be present. The started row carries the note on the
        first statement: both commit before it runs. The completion is left to the next commit
        too (the next file's first DDL, or the end of the run): one flush to disk fewer per
        file, at the price of a finished file that a crash in that window shows as interrupted.

        The server answers each statement as it completes: once the started row is answered,
        ``upcoming`` is split into statements while the server runs this file's, so that the
        next message leaves as soon as this one is done.
        """
        statements = script.statements(self.dialect)
        first_index, first_line = (
            (statements[0].index, statements[0].line) if statements else ("NULL", "NULL")
        )
        values = ", ".join(self.conn.escape(value) for value in entry.values())
        parts = [] if self._uncommitted else ["SET autocommit = 0"]
        # Where the INSERT, whose result carries the row id, is in the message.
        started = len(parts)
        parts += [
            f"INSERT INTO {HISTORY_TABLE} ({INSERT_COLUMNS}, started_at, statement_index, "
            f"statement_line) VALUES ({values}, {self.now_sql}, {first_index}, {first_line})",
            f"SET {_ROW} = LAST_INSERT_ID()",
        ]
        for statement in statements:
            if statement is not statements[0]:
                parts.append(
                    f"UPDATE {HISTORY_TABLE} SET statement_index = {statement.index}, "
                    f"statement_line = {statement.line} WHERE id = {_ROW}"
                )
            parts.append(statement.text)
        finished = f"finished_at = {self.now_sql}, duration_ms = {self.duration_sql('started_at')}"
        parts.append(
            f"UPDATE {HISTORY_TABLE} SET {finished}, success = TRUE, statement_index = NULL, "
            f"statement_line = NULL WHERE id = {_ROW}"
        )
        self._uncommitted = True
        row_id: int | None = None
        try:
            with self.conn.cursor() as cursor:
                # The newline before ';' ends a line comment at the end of a statement.
                cursor.execute("\n;\n".join(parts))
                for _ in range(started):
                    cursor.nextset()
                row_id = cursor.lastrowid
                if upcoming is not None:  # a problem surfaces again when that file runs
                    with contextlib.suppress(Exception):
                        upcoming.statements(self.dialect)
                while cursor.nextset():
                    pass
                return row_id
        except pymysql.MySQLError as error:
            failure = _failure(error)
        # The server stopped at the failed statement: keep what ran before it, say which.
        if row_id is None:  # the started row was refused: nothing of the file ran
            self.settle()
            failure.nothing_ran = True
            raise failure
        noted = self.query(f"SELECT statement_index FROM {HISTORY_TABLE} WHERE id = %s", (row_id,))
        self.settle()
        index = noted[0][0] if noted else None
        failure.index = None if index is None else int(str(index))
        self.finish_entry(row_id, failure)
        raise failure

    def flush(self) -> None:
        self.settle()

    def settle(self) -> None:
        """Commit what run_stepwise left open and return to autocommit."""
        if self._uncommitted:
            with self.conn.cursor() as cursor:
                cursor.execute("COMMIT;\nSET autocommit = 1")
                while cursor.nextset():
                    pass
            self._uncommitted = False
