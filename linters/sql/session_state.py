"""The session each statement of a file runs in: its transaction, the settings in force
(``lock_timeout``, ``statement_timeout`` ...), which tables are new, and the locks it takes on
tables that already existed.

Several file rules walk a file statement by statement with the same state (the timeout rules,
``statements-after-exclusive-lock``); ``file_session`` works it out once per file, when the
first of them asks, and each rule reads it.

A lock that conflicts with the application's own statements is dangerous twice: while it is
held, and while it *waits*, because every later query on the table queues behind the waiting
lock. ``traffic_blocking_locks`` names those.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from linters.rule import table_key, unqualified
from linters.sql.locks import (
    TableLock,
    mysql_metadata_locks,
    postgres_locks,
    takes_row_locks_only,
)
from linters.sql.new_tables import created_key
from linters.sql.session_settings import SessionSettings, setting_changes

if TYPE_CHECKING:
    from sqlglot import exp

    from linters.rule import Context
    from linters.sql.transactions import Transaction
    from linters.statement import Statement

__all__ = [
    "BlockingLock",
    "FileSession",
    "StatementSession",
    "file_session",
    "traffic_blocking_locks",
]


class BlockingLock(NamedTuple):
    """A lock that, while it waits, queues the application's reads or writes."""

    #: The table, or the index whose (unnamed here) table is locked.
    table: exp.Table
    #: The lock's name for messages: ``ACCESS EXCLUSIVE``, ``metadata``.
    lock: str
    on_index: bool = False

    @property
    def target(self) -> str:
        """How a message names what is locked."""
        name = f"`{'.'.join(part.name for part in self.table.parts)}`"
        return f"the table of index {name}" if self.on_index else name


def traffic_blocking_locks(statement: Statement) -> tuple[BlockingLock, ...]:
    """The locks ``statement`` takes that, while they wait, queue the application's reads or
    writes (worked out once per statement: the timeout rules both ask)."""
    return statement.derived(_blocking_locks)


def _blocking_locks(statement: Statement) -> tuple[BlockingLock, ...]:
    if statement.dialect == "postgres":
        if takes_row_locks_only(statement):
            return ()
        return tuple(
            BlockingLock(lock.table, lock.mode.label, lock.on_index)
            for lock in postgres_locks(statement)
            if lock.mode.blocks_writes
        )
    if statement.dialect in ("mysql", "mariadb"):
        return tuple(BlockingLock(table, "metadata") for table in mysql_metadata_locks(statement))
    return ()


def file_session(context: Context) -> FileSession:
    """The file's statements in the sessions they run in (worked out once per file)."""
    return context.derived(FileSession)


class StatementSession:
    """One statement of a file (transaction control statements left out) and its session."""

    # Thousands per run: slots, and no ``cached_property`` (its lock costs more than the rest).
    __slots__ = ("_blocking", "_file", "position", "statement", "transaction")

    def __init__(
        self, file: FileSession, statement: Statement, transaction: Transaction, position: int
    ) -> None:
        self._file = file
        self.statement = statement
        self.transaction = transaction
        #: Place in the walk: what earlier statements created is new here.
        self.position = position
        self._blocking: tuple[BlockingLock, ...] | None = None

    def bounds(self, setting: str) -> bool:
        """A timeout called ``setting`` is in force for the statement, set to something other
        than 0."""
        return setting in self._file.bounded_settings[self.position]

    def is_new(self, table: exp.Table | str) -> bool:
        """Created earlier in the change (earlier files, or earlier statements of this one)."""
        return self._file.is_new(table, self.position)

    @property
    def existing_blocking_locks(self) -> tuple[BlockingLock, ...]:
        """``traffic_blocking_locks`` of the statement on tables that are not new."""
        if self._blocking is None:
            self._blocking = tuple(
                lock
                for lock in traffic_blocking_locks(self.statement)
                if not self._file.is_new(lock.table, self.position)
            )
        return self._blocking

    @property
    def existing_table_locks(self) -> list[TableLock]:
        """PostgreSQL: the tables (not indexes) the statement locks that are not new."""
        return [
            lock
            for lock in postgres_locks(self.statement)
            if not lock.on_index and not self._file.is_new(lock.table, self.position)
        ]


class FileSession:
    """The up statements of a file, grouped by transaction, each with its session."""

    def __init__(self, context: Context) -> None:
        self._context = context
        #: Unqualified name of each table the file creates -> the position that first creates
        #: one by that name (``public.t`` created, ``t`` altered: the same table).
        self._created: dict[str, int] = {}
        self.transactions: list[tuple[Transaction, list[StatementSession]]] = []
        #: Every statement in order, across transactions.
        self.statements: list[StatementSession] = []
        for transaction in context.transactions:
            steps = []
            for statement in transaction.statements:
                position = len(self.statements)
                step = StatementSession(self, statement, transaction, position)
                steps.append(step)
                self.statements.append(step)
                key = created_key(statement)
                if key is not None:
                    self._created.setdefault(unqualified(key), position)
            self.transactions.append((transaction, steps))
        self._bounded: list[frozenset[str]] | None = None

    def is_new(self, table: exp.Table | str, position: int) -> bool:
        if self._created:
            created = self._created.get(unqualified(table_key(table)))
            if created is not None and created < position:
                return True
        # Tables of earlier files: the change's (this file's included) but not this file's.
        context = self._context
        return context.new_tables.holds(table) and not context.created_here.holds(table)

    @property
    def bounded_settings(self) -> list[frozenset[str]]:
        """By position: the settings in force with a value other than 0 (what ``bounds``
        asks about a timeout), worked out when a rule first asks."""
        if self._bounded is None:
            self._bounded = self._read_settings()
        return self._bounded

    def _read_settings(self) -> list[frozenset[str]]:
        settings = SessionSettings()
        bounded: frozenset[str] = frozenset()
        found = []
        for transaction, steps in self.transactions:
            for step in steps:
                changes = setting_changes(step.statement)
                if changes:
                    settings.apply(changes, in_transaction_block=transaction.is_block)
                    bounded = settings.bounded()
                found.append(bounded)
            if settings.in_transaction:
                settings.end_transaction()
                bounded = settings.bounded()
        return found
