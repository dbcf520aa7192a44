"""The transactions a migration file runs in, as the runner and the server will execute it.

A PostgreSQL or SQLite file starts inside the runner's transaction, unless it carries the
no-transaction directive. ``BEGIN`` inside it changes nothing (PostgreSQL only warns);
``COMMIT`` or ``ROLLBACK`` ends it early, and every later statement commits on its own until the
next ``BEGIN``. MySQL and MariaDB are never wrapped, and end an open transaction implicitly
before any schema change: that DDL and what follows it run outside the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from linters.sql.statement_kinds import (
    StatementKind,
    is_temporary_table_statement,
    statement_kind,
)

if TYPE_CHECKING:
    from linters.dialects import Dialect
    from linters.statement import Statement

__all__ = [
    "Control",
    "Transaction",
    "TransactionControl",
    "TransactionKind",
    "autocommit_only",
    "commits_implicitly",
    "transaction_control",
    "transactions",
]


class Control(StrEnum):
    #: BEGIN, START TRANSACTION.
    BEGIN = "begin"
    #: COMMIT, END, PREPARE TRANSACTION: the transaction ends, its work stays.
    COMMIT = "commit"
    #: ROLLBACK, ABORT.
    ROLLBACK = "rollback"
    #: SAVEPOINT, RELEASE, ROLLBACK TO: stays inside the transaction.
    SAVEPOINT = "savepoint"


class TransactionControl(NamedTuple):
    control: Control
    #: ``AND CHAIN``: a new transaction starts as soon as this one ends.
    chain: bool = False

    @property
    def ends_transaction(self) -> bool:
        return self.control in (Control.COMMIT, Control.ROLLBACK)


def transaction_control(statement: Statement) -> TransactionControl | None:
    """What a transaction control statement does; None for any other statement."""
    if statement_kind(statement) is not StatementKind.TRANSACTION:
        return None
    words = statement.words
    chain = _has(words, "AND", "CHAIN") and not _has(words, "AND", "NO", "CHAIN")
    first = words[0]
    if first in ("BEGIN", "START"):
        return TransactionControl(Control.BEGIN)
    if first in ("SAVEPOINT", "RELEASE"):
        return TransactionControl(Control.SAVEPOINT)
    if "PREPARED" in words:
        # COMMIT/ROLLBACK PREPARED settle a two-phase transaction, not the current one.
        return None
    if first in ("ROLLBACK", "ABORT"):
        if "TO" in words:
            return TransactionControl(Control.SAVEPOINT)
        return TransactionControl(Control.ROLLBACK, chain)
    return TransactionControl(Control.COMMIT, chain)


def _has(words: tuple[str, ...], *sequence: str) -> bool:
    n = len(sequence)
    return any(words[i : i + n] == sequence for i in range(len(words) - n + 1))


def commits_implicitly(statement: Statement) -> bool:
    """MySQL/MariaDB: the statement commits the open transaction before it runs."""
    kind = statement_kind(statement)
    if kind in (StatementKind.SCHEMA, StatementKind.PRIVILEGE):
        return not is_temporary_table_statement(statement)
    words = statement.words
    return kind is StatementKind.MAINTENANCE and words[0] != "CLUSTER"


def autocommit_only(statement: Statement, server_version: tuple[int, ...] | None) -> str | None:
    """What makes a PostgreSQL statement fail inside a transaction block, or None.

    ``server_version`` None: a current server (``ALTER TYPE ... ADD VALUE`` is allowed in a
    transaction from PostgreSQL 12 on).
    """
    words = statement.words
    if statement.matches("CREATE ... INDEX CONCURRENTLY") and words[1] in ("INDEX", "UNIQUE"):
        return "CREATE INDEX CONCURRENTLY"
    if words[:3] == ("DROP", "INDEX", "CONCURRENTLY"):
        return "DROP INDEX CONCURRENTLY"
    if words[:1] == ("REINDEX",) and ("CONCURRENTLY" in words or _reindexes_many(words)):
        return "REINDEX CONCURRENTLY" if "CONCURRENTLY" in words else "REINDEX of a whole schema"
    if statement.matches("ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY"):
        return "DETACH PARTITION CONCURRENTLY"
    if words[:1] == ("VACUUM",):
        return "VACUUM"
    if words[:1] in (("CREATE",), ("DROP",)) and words[1:2] in (("DATABASE",), ("TABLESPACE",)):
        return " ".join(words[:2])
    if words[:2] == ("ALTER", "SYSTEM"):
        return "ALTER SYSTEM"
    if words in (("CLUSTER",), ("CLUSTER", "VERBOSE")):
        return "CLUSTER of every table"
    old_enum = server_version is not None and server_version < (12,)
    if old_enum and statement.matches("ALTER TYPE ... ADD VALUE"):
        return "ALTER TYPE ... ADD VALUE before PostgreSQL 12"
    return None


def _reindexes_many(words: tuple[str, ...]) -> bool:
    """REINDEX SCHEMA/DATABASE/SYSTEM cannot run in a transaction block even without
    CONCURRENTLY."""
    kinds = [
        word for word in words[1:] if word in ("INDEX", "TABLE", "SCHEMA", "DATABASE", "SYSTEM")
    ]
    return bool(kinds) and kinds[0] in ("SCHEMA", "DATABASE", "SYSTEM")


class TransactionKind(StrEnum):
    #: The transaction the runner wraps the file in.
    RUNNER = "runner"
    #: Opened by a BEGIN written in the file.
    EXPLICIT = "explicit"
    #: One statement that commits on its own.
    AUTOCOMMIT = "autocommit"


@dataclass
class Transaction:
    kind: TransactionKind
    #: The statements that run in it, without the transaction control statements.
    statements: list[Statement] = field(default_factory=list)
    #: The BEGIN that opened it (explicit transactions).
    begin: Statement | None = None
    #: The COMMIT/ROLLBACK that ended it, or the MySQL statement that committed it implicitly;
    #: None when the file ends with it open.
    end: Statement | None = None

    @property
    def is_block(self) -> bool:
        """Several statements share it: its locks last until it ends."""
        return self.kind is not TransactionKind.AUTOCOMMIT


def transactions(
    statements: list[Statement], *, wrapped: bool, dialect: Dialect
) -> list[Transaction]:
    """The file's statements grouped by the transaction they run in, in order."""
    implicit_commits = dialect in ("mysql", "mariadb")
    found: list[Transaction] = []
    current = Transaction(TransactionKind.RUNNER) if wrapped else None
    for statement in statements:
        control = transaction_control(statement)
        if (
            implicit_commits
            and current is not None
            and (commits_implicitly(statement) or (control and control.control is Control.BEGIN))
        ):
            current.end = statement
            found.append(current)
            current = None
        if control is not None:
            if control.control is Control.BEGIN and current is None:
                current = Transaction(TransactionKind.EXPLICIT, begin=statement)
            elif control.ends_transaction and current is not None:
                current.end = statement
                found.append(current)
                chained = Transaction(TransactionKind.EXPLICIT, begin=statement)
                current = chained if control.chain else None
            continue
        if current is None:
            found.append(Transaction(TransactionKind.AUTOCOMMIT, [statement]))
        else:
            current.statements.append(statement)
    if current is not None:
        found.append(current)
    return found
