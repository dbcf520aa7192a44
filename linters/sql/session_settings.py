"""Session settings a migration changes (``SET lock_timeout``, ``SET SESSION lock_wait_timeout``)
and which of them are still in effect at a later statement.

PostgreSQL's ``SET LOCAL`` lasts until the end of the transaction and does nothing outside one;
MySQL's ``SET LOCAL`` is a synonym of ``SET SESSION``; ``SET GLOBAL`` does not change the
running session; MariaDB's ``SET STATEMENT ... FOR`` covers only its own statement.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from sqlglot import exp
from sqlglot.tokenizer_core import Token, TokenType

if TYPE_CHECKING:
    from linters.statement import Statement

__all__ = [
    "Scope",
    "SessionSettings",
    "SettingChange",
    "is_disabled_timeout",
    "prefix_settings",
    "setting_changes",
]


def _word(token: Token) -> str:
    return token.text.upper()


class Scope(StrEnum):
    SESSION = "session"
    #: PostgreSQL ``SET LOCAL`` / ``set_config(..., true)``: until the transaction ends.
    TRANSACTION = "transaction"
    #: Not the running session: ``SET GLOBAL``, ``SET PERSIST``.
    GLOBAL = "global"
    #: MariaDB ``SET STATEMENT ... FOR``: only the statement it prefixes.
    STATEMENT = "statement"


#: The name RESET ALL uses: every setting back to its default.
ALL_SETTINGS = "all"


class SettingChange(NamedTuple):
    #: Lower-case, without ``@@session.``.
    name: str
    #: As written, quotes removed; None when set back to the default (RESET, DEFAULT).
    value: str | None
    scope: Scope


_ZERO = re.compile(r"^\s*0+(\.0*)?\s*[a-z]*\s*$", re.IGNORECASE)


def is_disabled_timeout(value: str | None) -> bool:
    """0 (in any unit) turns a PostgreSQL or MySQL timeout off."""
    return value is None or bool(_ZERO.match(value))


def setting_changes(statement: Statement) -> list[SettingChange]:
    tokens = statement.tokens
    if not tokens:
        return []
    first = statement.words[0]
    if first == "RESET" and len(tokens) > 1:
        return [SettingChange(tokens[1].text.lower(), None, Scope.SESSION)]
    if first == "SELECT":
        return _set_config_calls(statement.expression)
    if first != "SET":
        return []
    if statement.dialect in ("mysql", "mariadb"):
        return _mysql_assignments(tokens[1:])
    return _postgres_assignment(tokens[1:])


def _postgres_assignment(tokens: list[Token]) -> list[SettingChange]:
    scope = Scope.SESSION
    if tokens and _word(tokens[0]) in ("SESSION", "LOCAL"):
        scope = Scope.TRANSACTION if _word(tokens[0]) == "LOCAL" else Scope.SESSION
        tokens = tokens[1:]
    name, rest = _dotted_name(tokens)
    if not name or not rest or _word(rest[0]) not in ("=", "TO"):
        # SET ROLE, SET TIME ZONE, SET SESSION AUTHORIZATION, SET CONSTRAINTS ...
        return []
    return [SettingChange(name, _value(rest[1:]), scope)]


def _mysql_assignments(tokens: list[Token]) -> list[SettingChange]:
    scope_all = Scope.SESSION
    words = [_word(token) for token in tokens]
    if words[:1] == ["STATEMENT"] and "FOR" in words:
        tokens, scope_all = tokens[1 : words.index("FOR")], Scope.STATEMENT
    changes = []
    for assignment in _split_top_level(tokens):
        scope = scope_all
        if assignment and assignment[0].token_type == TokenType.PARAMETER:
            continue  # a user variable (@x), not a setting
        if assignment and assignment[0].token_type == TokenType.SESSION_PARAMETER:
            assignment = assignment[1:]
            if len(assignment) > 2 and assignment[1].token_type == TokenType.DOT:
                scope = _mysql_scope(_word(assignment[0]), scope)
                assignment = assignment[2:]
        elif assignment and _word(assignment[0]) in _MYSQL_SCOPES:
            scope = _mysql_scope(_word(assignment[0]), scope)
            assignment = assignment[1:]
        name, rest = _dotted_name(assignment)
        if name and rest and _word(rest[0]) in ("=", ":="):
            changes.append(SettingChange(name, _value(rest[1:]), scope))
    return changes


_MYSQL_SCOPES = ("GLOBAL", "SESSION", "LOCAL", "PERSIST", "PERSIST_ONLY")


def _mysql_scope(word: str, default: Scope) -> Scope:
    if default is Scope.STATEMENT:
        return default
    return Scope.SESSION if word in ("SESSION", "LOCAL") else Scope.GLOBAL


def _split_top_level(tokens: list[Token]) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.token_type == TokenType.L_PAREN:
            depth += 1
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
        elif token.token_type == TokenType.COMMA and depth == 0:
            parts.append([])
            continue
        parts[-1].append(token)
    return parts


def _dotted_name(tokens: list[Token]) -> tuple[str, list[Token]]:
    """``name`` or ``prefix.name`` at the start; the name lower-case and the tokens after it."""
    parts: list[str] = []
    index = 0
    while index < len(tokens) and tokens[index].token_type not in (TokenType.EQ, TokenType.STRING):
        parts.append(tokens[index].text.lower())
        index += 1
        if index < len(tokens) and tokens[index].token_type == TokenType.DOT:
            index += 1
            continue
        break
    return ".".join(parts), tokens[index:]


def _value(tokens: list[Token]) -> str | None:
    texts = [token.text for token in tokens if token.token_type != TokenType.COMMA]
    if not texts or (len(texts) == 1 and texts[0].upper() == "DEFAULT"):
        return None
    return ", ".join(texts)


def _set_config_calls(expression: exp.Expression | None) -> list[SettingChange]:
    """``SELECT set_config('lock_timeout', '2s', false)``."""
    if expression is None:
        return []
    changes = []
    for call in expression.find_all(exp.Anonymous):
        arguments = call.expressions
        if call.name.lower() != "set_config" or len(arguments) != 3:
            continue
        name, value, is_local = arguments
        if isinstance(name, exp.Literal) and isinstance(value, exp.Literal):
            local = isinstance(is_local, exp.Boolean) and bool(is_local.this)
            scope = Scope.TRANSACTION if local else Scope.SESSION
            changes.append(SettingChange(name.name.lower(), value.name, scope))
    return changes


class SessionSettings:
    """The settings in effect while a file runs, statement by statement."""

    def __init__(self) -> None:
        self._session: dict[str, str | None] = {}
        self._transaction: dict[str, str | None] = {}

    def apply(self, changes: list[SettingChange], *, in_transaction_block: bool) -> None:
        """What a statement's ``setting_changes`` change."""
        for change in changes:
            if change.name == ALL_SETTINGS and change.value is None:
                self._session.clear()
                self._transaction.clear()
            elif change.scope is Scope.SESSION:
                self._session[change.name] = change.value
                self._transaction.pop(change.name, None)
            elif change.scope is Scope.TRANSACTION and in_transaction_block:
                self._transaction[change.name] = change.value

    def end_transaction(self) -> None:
        self._transaction.clear()

    @property
    def in_transaction(self) -> bool:
        """Some setting lasts only until the transaction ends (``SET LOCAL``)."""
        return bool(self._transaction)

    def value(self, name: str) -> str | None:
        if name in self._transaction:
            return self._transaction[name]
        return self._session.get(name)

    def bounds(self, name: str) -> bool:
        """A timeout called ``name`` is set, to something other than 0."""
        return not is_disabled_timeout(self.value(name))

    def bounded(self) -> frozenset[str]:
        """Every setting ``bounds`` holds for."""
        return frozenset(name for name in {*self._session, *self._transaction} if self.bounds(name))


def prefix_settings(statement: Statement) -> list[SettingChange]:
    """MariaDB ``SET STATEMENT x=1 FOR <statement>``: the settings that cover that statement."""
    return [change for change in setting_changes(statement) if change.scope is Scope.STATEMENT]
