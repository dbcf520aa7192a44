"""``IF [NOT] EXISTS`` and ``OR REPLACE``: whether a statement can run a second time.

A statement that already ran once fails the second time unless it guards itself. Which guard a
statement can carry depends on the server: PostgreSQL has ``IF NOT EXISTS`` on tables, indexes,
schemas, sequences, extensions and materialized views and ``OR REPLACE`` on views, functions,
procedures and (14+) triggers, but nothing for types, domains or policies; MySQL has no
``IF [NOT] EXISTS`` on indexes or columns, MariaDB has.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from linters.sql.alter_subcommands import AlterSubcommand, alter_subcommands
from linters.sql.statement_kinds import (
    StatementKind,
    is_temporary_table_statement,
    statement_kind,
)

if TYPE_CHECKING:
    from sqlglot.tokenizer_core import Token

    from linters.statement import Statement

__all__ = ["MissingGuard", "is_rerunnable", "missing_guard"]

_CREATE_MODIFIERS = ("TEMP", "TEMPORARY", "UNLOGGED", "UNIQUE", "GLOBAL", "LOCAL", "MATERIALIZED")
_IF_NOT_EXISTS_KINDS = {
    "postgres": ("TABLE", "INDEX", "SCHEMA", "SEQUENCE", "EXTENSION", "MATERIALIZED VIEW"),
    "mysql": ("TABLE", "DATABASE", "SCHEMA", "FUNCTION", "PROCEDURE", "TRIGGER", "EVENT"),
    "mariadb": ("TABLE", "INDEX", "DATABASE", "SCHEMA", "FUNCTION", "PROCEDURE", "TRIGGER"),
    "sqlite": ("TABLE", "INDEX", "VIEW", "TRIGGER"),
}
_OR_REPLACE_KINDS = {
    "postgres": ("VIEW", "FUNCTION", "PROCEDURE", "TRIGGER"),
    "mysql": ("VIEW",),
    "mariadb": ("VIEW",),
    "sqlite": (),
}
#: Column-level guards inside ALTER TABLE.
_ALTER_GUARDS = ("postgres", "mariadb")
#: What ALTER TABLE ... DROP <kind> IF EXISTS accepts (PostgreSQL, MariaDB).
_DROP_KINDS = (("COLUMN",), ("CONSTRAINT",), ("INDEX",), ("KEY",))


class MissingGuard(NamedTuple):
    #: ``IF NOT EXISTS``, ``IF EXISTS`` or ``OR REPLACE``.
    clause: str
    #: What lacks it, as written: ``CREATE INDEX ix_users_email``, ``ADD COLUMN email``.
    target: str
    #: The statement with the guard added; None when no mechanical fix exists.
    fixed: str | None


def missing_guard(
    statement: Statement, server_version: tuple[int, ...] | None = None
) -> MissingGuard | None:
    """The guard ``statement`` could carry and does not; None when guarded or unguardable.

    ``server_version`` (unknown: assume a current server) rules out guards that came late:
    ``CREATE OR REPLACE TRIGGER`` (PostgreSQL 14), MySQL's ``CREATE FUNCTION|PROCEDURE|TRIGGER
    IF NOT EXISTS`` (8.0.29).
    """
    tokens = statement.tokens
    words = list(statement.words)
    if words[:1] == ["CREATE"]:
        return _create_guard(statement, tokens, words, server_version)
    if words[:1] == ["DROP"]:
        return _drop_guard(statement, tokens, words)
    if statement.dialect == "postgres" and statement.matches("ALTER TYPE ... ADD VALUE"):
        return _enum_value_guard(statement, tokens, words)
    if words[:1] == ["ALTER"] and statement.dialect in _ALTER_GUARDS:
        return _alter_guard(statement)
    return None


def _enum_value_guard(
    statement: Statement, tokens: list[Token], words: list[str]
) -> MissingGuard | None:
    """``ALTER TYPE mood ADD VALUE 'meh'``: IF NOT EXISTS goes after VALUE (PostgreSQL 9.6+)."""
    value = words.index("VALUE")
    if words[value + 1 : value + 4] == ["IF", "NOT", "EXISTS"]:
        return None
    target = _text(statement, tokens, 0, value + 2)
    return MissingGuard(
        "IF NOT EXISTS", target, _insert(statement, tokens[value], " IF NOT EXISTS")
    )


def _kind_at(words: list[str], index: int) -> tuple[str, int]:
    """The object kind at ``index`` (``MATERIALIZED VIEW`` counts as one) and the index after."""
    while index < len(words) and words[index] in _CREATE_MODIFIERS and words[index] != "UNIQUE":
        if words[index] == "MATERIALIZED" and words[index + 1 : index + 2] == ["VIEW"]:
            return "MATERIALIZED VIEW", index + 2
        index += 1
    if index < len(words) and words[index] == "UNIQUE":
        index += 1
    return (words[index], index + 1) if index < len(words) else ("", index)


def _create_guard(
    statement: Statement,
    tokens: list[Token],
    words: list[str],
    server_version: tuple[int, ...] | None,
) -> MissingGuard | None:
    if words[1:3] == ["OR", "REPLACE"] or is_temporary_table_statement(statement):
        return None  # a temporary table is gone with the session that failed
    kind, index = _kind_at(words, 1)
    if kind == "INDEX" and words[index : index + 1] == ["CONCURRENTLY"]:
        index += 1
    if words[index : index + 3] == ["IF", "NOT", "EXISTS"]:
        return None
    dialect = statement.dialect
    if kind in _OR_REPLACE_KINDS[dialect]:
        if kind == "TRIGGER" and server_version is not None and server_version < (14,):
            return None
        replaced = _insert(statement, tokens[0], " OR REPLACE")
        return MissingGuard("OR REPLACE", _text(statement, tokens, 0, index + 1), replaced)
    if kind not in _IF_NOT_EXISTS_KINDS[dialect]:
        return None
    routine = kind in ("FUNCTION", "PROCEDURE", "TRIGGER", "EVENT")
    if dialect == "mysql" and routine and server_version and server_version < (8, 0, 29):
        return None
    unnamed = kind == "INDEX" and words[index : index + 1] == ["ON"]
    target = _text(statement, tokens, 0, index if unnamed else index + 1)
    fixed = None if unnamed else _insert(statement, tokens[index - 1], " IF NOT EXISTS")
    return MissingGuard("IF NOT EXISTS", target, fixed)


def _drop_guard(statement: Statement, tokens: list[Token], words: list[str]) -> MissingGuard | None:
    kind, index = _kind_at(words, 1)
    if words[index : index + 1] == ["CONCURRENTLY"]:
        index += 1
    if words[index : index + 2] == ["IF", "EXISTS"] or not kind:
        return None
    if kind == "INDEX" and statement.dialect == "mysql":
        return None
    target = _text(statement, tokens, 0, index + 1)
    return MissingGuard("IF EXISTS", target, _insert(statement, tokens[index - 1], " IF EXISTS"))


def _alter_guard(statement: Statement) -> MissingGuard | None:
    alter = alter_subcommands(statement)
    if alter is None:
        return None
    fixed, found = statement.text, list[tuple[str, str]]()
    # Insert from the last subcommand backwards so that earlier offsets stay valid.
    for action in reversed(alter.subcommands):
        words, tokens = action.words, action.tokens
        if action.adds_column:
            clause = "IF NOT EXISTS"
            after = 2 if words[1] == "COLUMN" else 1
        elif words[:1] == ("ADD",) and words[1:2] in (("INDEX",), ("KEY",)):
            clause, after = "IF NOT EXISTS", 2
        elif words[:1] == ("DROP",) and words[1:2] in _DROP_KINDS:
            clause, after = "IF EXISTS", 2
        else:
            continue
        if words[after : after + len(clause.split())] == tuple(clause.split()):
            continue
        if after >= len(tokens):
            continue
        found.insert(0, (clause, action.text[: tokens[after].end + 1 - tokens[0].start]))
        # The subcommand's offsets count from the start of the statement's text.
        anchor = tokens[after - 1].end + 1
        fixed = f"{fixed[:anchor]} {clause}{fixed[anchor:]}"
    if not found:
        return None
    clauses = {clause for clause, _ in found}
    clause = clauses.pop() if len(clauses) == 1 else "IF [NOT] EXISTS"
    return MissingGuard(clause, ", ".join(target for _, target in found), fixed)


def _text(statement: Statement, tokens: list[Token], first: int, stop: int) -> str:
    stop = min(stop, len(tokens))
    return statement.text[tokens[first].start : tokens[stop - 1].end + 1]


def _insert(statement: Statement, after: Token, clause: str) -> str:
    return statement.text[: after.end + 1] + clause + statement.text[after.end + 1 :]


def is_rerunnable(statement: Statement) -> bool:
    """Running ``statement`` a second time succeeds and changes nothing more."""
    kind = statement_kind(statement)
    if kind in (StatementKind.SESSION, StatementKind.MAINTENANCE, StatementKind.PRIVILEGE):
        return True
    if kind in (StatementKind.QUERY, StatementKind.TRANSACTION):
        return True
    if kind is not StatementKind.SCHEMA:
        return False
    words = statement.words
    if words[:1] == ("COMMENT",):
        return True
    if words[:1] in (("CREATE",), ("DROP",)) or words[:2] == ("ALTER", "TYPE"):
        return _is_guarded(words)
    alter = alter_subcommands(statement)
    return alter is not None and all(_rerunnable_action(action) for action in alter.subcommands)


def _is_guarded(words: tuple[str, ...]) -> bool:
    return words[1:3] == ("OR", "REPLACE") or any(
        words[i : i + 2] == ("IF", "EXISTS") or words[i : i + 3] == ("IF", "NOT", "EXISTS")
        for i in range(len(words))
    )


def _rerunnable_action(action: AlterSubcommand) -> bool:
    """VALIDATE, SET/DROP DEFAULT, SET/DROP NOT NULL, TYPE, guarded ADD/DROP COLUMN."""
    words = action.top_words
    if words[:2] == ("VALIDATE", "CONSTRAINT") or words[:1] in (("ALTER",), ("SET",), ("RESET",)):
        return True
    return words[:1] in (("ADD",), ("DROP",)) and _is_guarded(words)
