"""Statements sqlglot keeps only as a generic command: names and ALTER TABLE actions from words.

sqlglot falls back to ``exp.Command`` for syntax it does not model (``RENAME TABLE``,
``ALTER TABLE ... VALIDATE CONSTRAINT``, ``ALTER SCHEMA ... RENAME``). Rules then read
``Statement.tokens`` and ``Statement.words`` (the two are aligned, index for index); this module
reads the parts several rules need: a qualified name, and the comma-separated actions of an
``ALTER TABLE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp
from sqlglot.tokenizer_core import TokenType

if TYPE_CHECKING:
    from sqlglot.tokenizer_core import Token

    from linters.statement import Statement

__all__ = ["CommandAlterTable", "alter_table_command", "qualified_name_tokens"]

#: Tokens that cannot be part of an object name.
_NOT_NAME = frozenset({TokenType.STRING, TokenType.L_PAREN, TokenType.COMMA})


def qualified_name_tokens(tokens: list[Token], start: int) -> tuple[exp.Table | None, int]:
    """Read ``name``, ``schema.name`` or ``catalog.schema.name`` at ``start``.

    Returns the name as a Table node and the index of the token after it.
    """
    parts: list[exp.Identifier] = []
    index = start
    while index < len(tokens) and tokens[index].token_type not in _NOT_NAME:
        token = tokens[index]
        parts.append(
            exp.Identifier(this=token.text, quoted=token.token_type == TokenType.IDENTIFIER)
        )
        index += 1
        if index < len(tokens) and tokens[index].token_type == TokenType.DOT:
            index += 1
            continue
        break
    if not parts:
        return None, start
    *qualifiers, name = parts
    table = exp.Table(this=name)
    if qualifiers:
        table.set("db", qualifiers[-1])
    if len(qualifiers) > 1:
        table.set("catalog", qualifiers[-2])
    return table, index


@dataclass(frozen=True)
class CommandAlterTable:
    """``ALTER TABLE name action, action ...`` read from its tokens."""

    table: exp.Table
    #: The tokens of each comma-separated action (commas inside parentheses do not split).
    actions: tuple[tuple[Token, ...], ...]
    #: The same actions as ``Statement.words`` spells them.
    action_words: tuple[tuple[str, ...], ...]


def alter_table_command(statement: Statement) -> CommandAlterTable | None:
    """The table and actions of an ``ALTER TABLE`` that sqlglot kept as a generic command."""
    if not isinstance(statement.expression, exp.Command):
        return None
    tokens, words = statement.tokens, statement.words
    if words[:2] != ("ALTER", "TABLE"):
        return None
    index = 2
    if words[index : index + 2] == ("IF", "EXISTS"):
        index += 2
    if words[index : index + 1] == ("ONLY",):
        index += 1
    table, index = qualified_name_tokens(tokens, index)
    if table is None:
        return None
    if words[index : index + 1] == ("*",):
        index += 1
    bounds: list[tuple[int, int]] = []
    start, depth = index, 0
    for position in range(index, len(tokens)):
        kind = tokens[position].token_type
        depth += (kind == TokenType.L_PAREN) - (kind == TokenType.R_PAREN)
        if kind == TokenType.COMMA and depth == 0:
            bounds.append((start, position))
            start = position + 1
    bounds.append((start, len(tokens)))
    return CommandAlterTable(
        table,
        tuple(tuple(tokens[begin:end]) for begin, end in bounds if end > begin),
        tuple(words[begin:end] for begin, end in bounds if end > begin),
    )
