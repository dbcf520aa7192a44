"""What kind of statement this is: a schema change, a data change, a session setting ...

Read from the leading words rather than from sqlglot's node type, because sqlglot reads some
statements as something else entirely (PostgreSQL ``START TRANSACTION`` and ``SAVEPOINT s`` come
back as a column alias, ``VACUUM`` as a generic command).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from sqlglot import exp

if TYPE_CHECKING:
    from linters.statement import Statement

__all__ = ["StatementKind", "is_temporary_table_statement", "statement_head", "statement_kind"]


class StatementKind(StrEnum):
    #: CREATE, ALTER, DROP, TRUNCATE, RENAME, COMMENT ON.
    SCHEMA = "schema"
    #: INSERT, UPDATE, DELETE, MERGE, COPY ... FROM, REPLACE, LOAD DATA.
    DATA = "data"
    #: GRANT, REVOKE.
    PRIVILEGE = "privilege"
    #: SELECT, SHOW, EXPLAIN, COPY ... TO.
    QUERY = "query"
    #: BEGIN, COMMIT, ROLLBACK, SAVEPOINT ...
    TRANSACTION = "transaction"
    #: SET, RESET, USE.
    SESSION = "session"
    #: VACUUM, ANALYZE, REINDEX, CLUSTER, REFRESH, OPTIMIZE, LOCK.
    MAINTENANCE = "maintenance"
    #: DO, CALL and anything unknown.
    OTHER = "other"


_FIRST_WORD = {
    "CREATE": StatementKind.SCHEMA,
    "ALTER": StatementKind.SCHEMA,
    "DROP": StatementKind.SCHEMA,
    "TRUNCATE": StatementKind.SCHEMA,
    "RENAME": StatementKind.SCHEMA,
    "COMMENT": StatementKind.SCHEMA,
    "INSERT": StatementKind.DATA,
    "UPDATE": StatementKind.DATA,
    "DELETE": StatementKind.DATA,
    "MERGE": StatementKind.DATA,
    "REPLACE": StatementKind.DATA,
    "LOAD": StatementKind.DATA,
    "GRANT": StatementKind.PRIVILEGE,
    "REVOKE": StatementKind.PRIVILEGE,
    "SELECT": StatementKind.QUERY,
    "SHOW": StatementKind.QUERY,
    "EXPLAIN": StatementKind.QUERY,
    "VALUES": StatementKind.QUERY,
    "TABLE": StatementKind.QUERY,
    "BEGIN": StatementKind.TRANSACTION,
    "START": StatementKind.TRANSACTION,
    "COMMIT": StatementKind.TRANSACTION,
    "END": StatementKind.TRANSACTION,
    "ROLLBACK": StatementKind.TRANSACTION,
    "ABORT": StatementKind.TRANSACTION,
    "SAVEPOINT": StatementKind.TRANSACTION,
    "RELEASE": StatementKind.TRANSACTION,
    "SET": StatementKind.SESSION,
    "RESET": StatementKind.SESSION,
    "USE": StatementKind.SESSION,
    "DISCARD": StatementKind.SESSION,
    "VACUUM": StatementKind.MAINTENANCE,
    "ANALYZE": StatementKind.MAINTENANCE,
    "REINDEX": StatementKind.MAINTENANCE,
    "CLUSTER": StatementKind.MAINTENANCE,
    "REFRESH": StatementKind.MAINTENANCE,
    "OPTIMIZE": StatementKind.MAINTENANCE,
    "REPAIR": StatementKind.MAINTENANCE,
    "FLUSH": StatementKind.MAINTENANCE,
    "LOCK": StatementKind.MAINTENANCE,
    "LOCK TABLES": StatementKind.MAINTENANCE,
    "UNLOCK": StatementKind.MAINTENANCE,
}


def statement_kind(statement: Statement) -> StatementKind:
    return statement.derived(_statement_kind)


def _statement_kind(statement: Statement) -> StatementKind:
    expression = statement.expression
    # A leading WITH hides the verb; the tree knows it.
    if isinstance(expression, exp.Insert | exp.Update | exp.Delete | exp.Merge):
        return StatementKind.DATA
    if isinstance(expression, exp.Copy):
        return StatementKind.DATA if expression.args.get("kind") else StatementKind.QUERY
    words = statement.words
    if not words:
        return StatementKind.OTHER
    if words[0] == "WITH":
        return StatementKind.QUERY
    if words[:2] == ("PREPARE", "TRANSACTION"):
        return StatementKind.TRANSACTION
    if words[:3] == ("BEGIN", "NOT", "ATOMIC"):
        # A MariaDB anonymous compound statement, not a transaction.
        return StatementKind.OTHER
    return _FIRST_WORD.get(words[0], StatementKind.OTHER)


def is_temporary_table_statement(statement: Statement) -> bool:
    """``CREATE/DROP TEMPORARY TABLE``: private to the session, no lock, no implicit commit."""
    words = statement.words
    return len(words) > 2 and words[0] in ("CREATE", "DROP") and words[1] in ("TEMPORARY", "TEMP")


def statement_head(statement: Statement, words: int = 4) -> str:
    """The first few words as written, for messages: ``ALTER TABLE orders``."""
    head: list[str] = []
    for word in statement.text.split()[:words]:
        head.append(word.split("(", 1)[0])
        if "(" in word:
            break
    # A trailing connective reads as a cut-off sentence: "CREATE INDEX ix ON".
    while head and (not head[-1] or head[-1].upper() in _CONNECTIVES):
        head.pop()
    return " ".join(head)


_CONNECTIVES = frozenset({"ON", "AS", "TO", "ADD", "SET", "FROM", "INTO", "USING", "ALTER", "DROP"})
