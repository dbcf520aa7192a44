"""What the runner needs from a database: a lock, a session, the history table, execution.

Each engine implements the primitives; the history bookkeeping here is shared, written once in
portable SQL with ``%s`` placeholders.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from app.migrations.constants import HISTORY_TABLE
from app.migrations.history import (
    COLUMNS,
    RECORDED_COLUMNS,
    HistoryEntry,
    HistoryRow,
    RecordedRow,
)

if TYPE_CHECKING:
    from app.migrations.durations import Timeouts
    from app.migrations.files import Script
    from app.migrations.target_url import Engine, TargetUrl
    from linters.dialects import Dialect

__all__ = [
    "INSERT_COLUMNS",
    "HistoryChange",
    "RecordApplied",
    "RemoveRows",
    "StatementFailure",
    "Target",
]

INSERT_COLUMNS = "version, description, kind, script, checksum, applied_by, commit_sha, rollout_id"


class StatementFailure(Exception):
    """The database refused a statement of a script (or the script as a whole)."""

    def __init__(
        self,
        message: str,
        *,
        index: int | None = None,
        sqlstate: str | None = None,
        position: int | None = None,
        nothing_ran: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        #: The failed statement's 0-based index in its script, when known.
        self.index = index
        self.sqlstate = sqlstate
        #: 1-based character position in the text sent, when the server gives one.
        self.position = position
        #: The database refused the history row itself: no statement of the script ran.
        self.nothing_ran = nothing_ran


class RecordApplied(NamedTuple):
    """Insert a completed history row in the migration's own transaction."""

    entry: HistoryEntry


class RemoveRows(NamedTuple):
    """Delete history rows (a rollback) in the down migration's own transaction."""

    ids: tuple[int, ...]


HistoryChange = RecordApplied | RemoveRows


class Target(ABC):
    """One migration target database, with a work session and, once claimed, the lock."""

    engine: ClassVar[Engine]
    #: Whether DDL can be rolled back: files then run whole-or-nothing in one transaction.
    transactional_ddl: ClassVar[bool]

    def __init__(self, url: TargetUrl) -> None:
        self.url = url
        self.dialect: Dialect = "sqlite"

    # -- sessions ---------------------------------------------------------------------------

    @abstractmethod
    def connect(self) -> None:
        """Open the work session (autocommit; the runner opens its own transactions)."""

    @abstractmethod
    def lock(self, wait_seconds: float) -> None:
        """Become the only runner on this database; raise RunnerLocked after the wait."""

    @abstractmethod
    def close(self) -> None:
        """Close every session; the lock goes with its session."""

    @abstractmethod
    def flush(self) -> None:
        """Make everything the run committed durable before it reports success."""

    @abstractmethod
    def apply_timeouts(self, timeouts: Timeouts) -> list[str]:
        """Set the migration session's limits; return notes on limits the server lacks."""

    # -- primitives -------------------------------------------------------------------------

    @abstractmethod
    def execute(self, sql: str, params: Sequence[object] = ()) -> None: ...

    @abstractmethod
    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]: ...

    @abstractmethod
    def insert_returning_id(self, sql: str, params: Sequence[object]) -> int: ...

    @abstractmethod
    def table_exists(self, name: str) -> bool: ...

    @abstractmethod
    def history_ddl(self) -> str: ...

    @property
    @abstractmethod
    def now_sql(self) -> str:
        """The server's current time, as stored in the history table."""

    @abstractmethod
    def duration_sql(self, started: str) -> str:
        """Milliseconds since the column ``started``, as an integer."""

    @abstractmethod
    def run_statement(self, text: str) -> None:
        """Run one statement in autocommit; raise StatementFailure."""

    @abstractmethod
    def run_atomic(self, script: Script, change: HistoryChange) -> None:
        """Run the script and the history change in one transaction; all or nothing."""

    # -- scripts step by step (no transaction) ------------------------------------------------

    def run_stepwise(
        self, script: Script, entry: HistoryEntry, *, upcoming: Script | None = None
    ) -> int:
        """Record the start, run each statement on its own, noting in the history row which one
        is running, and record the end; returns the row's id.

        A crash leaves the row unfinished, a failure marks it failed: either way the row names
        the statement, and later runs refuse until a person resolves it. Raises
        StatementFailure (with the statement's index) after recording it. ``upcoming`` is the
        script the run sends next, if any: a target may prepare it while the database works.
        """
        row_id = self.start_entry(entry)
        for statement in script.statements(self.dialect):
            self.record_progress(row_id, statement.index, statement.line)
            try:
                self.run_statement(statement.text)
            except StatementFailure as failure:
                failure.index = statement.index
                self.finish_entry(row_id, failure)
                raise
        self.finish_entry(row_id, None)
        return row_id

    # -- the history table --------------------------------------------------------------------

    def history_exists(self) -> bool:
        return self.table_exists(HISTORY_TABLE)

    def ensure_history(self) -> None:
        if not self.history_exists():
            self.execute(self.history_ddl())

    def read_history(self) -> list[HistoryRow]:
        if not self.history_exists():
            return []
        records = self.query(f"SELECT {', '.join(COLUMNS)} FROM {HISTORY_TABLE} ORDER BY id")
        return [HistoryRow.from_record(record) for record in records]

    def read_recorded(self) -> list[RecordedRow]:
        """What planning needs of each row, from a history table that exists (see claim)."""
        records = self.query(
            f"SELECT {', '.join(RECORDED_COLUMNS)} FROM {HISTORY_TABLE} ORDER BY id"
        )
        return [RecordedRow.from_record(record) for record in records]

    def read_history_row(self, row_id: int) -> HistoryRow:
        """One whole row, which the caller knows to be there."""
        records = self.query(
            f"SELECT {', '.join(COLUMNS)} FROM {HISTORY_TABLE} WHERE id = %s", (row_id,)
        )
        return HistoryRow.from_record(records[0])

    def insert_applied_sql(self) -> str:
        """INSERT of a completed row inside the migration's transaction, 8 placeholders."""
        return (
            f"INSERT INTO {HISTORY_TABLE} ({INSERT_COLUMNS}, started_at, finished_at, "
            f"duration_ms, success) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, {self.started_sql}, "
            f"{self.now_sql}, {self.duration_sql(self.started_sql)}, TRUE)"
        )

    @property
    def started_sql(self) -> str:
        """When the current transaction started (the migration's start inside run_atomic)."""
        return self.now_sql

    def start_entry(self, entry: HistoryEntry) -> int:
        """Write the "started" row, committed before the first statement runs."""
        return self.insert_returning_id(
            f"INSERT INTO {HISTORY_TABLE} ({INSERT_COLUMNS}, started_at) "
            f"VALUES (%s, %s, %s, %s, %s, %s, %s, %s, {self.now_sql})",
            entry.values(),
        )

    def record_progress(self, row_id: int, index: int, line: int) -> None:
        self.execute(
            f"UPDATE {HISTORY_TABLE} SET statement_index = %s, statement_line = %s WHERE id = %s",
            (index, line, row_id),
        )

    def finish_entry(self, row_id: int, failure: StatementFailure | None) -> None:
        """Complete the started row: success, or the failure that needs a person."""
        finished = f"finished_at = {self.now_sql}, duration_ms = {self.duration_sql('started_at')}"
        if failure is None:
            self.execute(
                f"UPDATE {HISTORY_TABLE} SET {finished}, success = TRUE, statement_index = NULL, "
                "statement_line = NULL WHERE id = %s",
                (row_id,),
            )
        else:
            self.execute(
                f"UPDATE {HISTORY_TABLE} SET {finished}, success = FALSE, error = %s WHERE id = %s",
                (failure.message, row_id),
            )

    def record_baseline(self, entries: Sequence[HistoryEntry]) -> None:
        for entry in entries:
            self.execute(
                f"INSERT INTO {HISTORY_TABLE} ({INSERT_COLUMNS}, started_at, finished_at, "
                f"duration_ms, success) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, "
                f"{self.now_sql}, {self.now_sql}, 0, TRUE)",
                entry.values(),
            )

    def mark_resolved(self, row_id: int, note: str) -> None:
        self.execute(
            f"UPDATE {HISTORY_TABLE} SET success = TRUE, finished_at = COALESCE(finished_at, "
            f"{self.now_sql}), statement_index = NULL, statement_line = NULL, error = %s "
            "WHERE id = %s",
            (note, row_id),
        )

    def delete_rows(self, ids: Sequence[int]) -> None:
        if ids:
            marks = ", ".join("%s" for _ in ids)
            self.execute(f"DELETE FROM {HISTORY_TABLE} WHERE id IN ({marks})", tuple(ids))
