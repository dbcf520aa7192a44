"""The table and the comma-separated actions of any ``ALTER TABLE``, read from its tokens.

sqlglot models some ALTER TABLE actions and keeps others as a generic command (``VALIDATE
CONSTRAINT``, ``ATTACH PARTITION``, ``SET STATISTICS``); reading the tokens treats both alike,
and each action still carries sqlglot's node for it when sqlglot can read the action alone.

NOTE: reconstructed by the files-and-transactions session after it overwrote this module by
accident (from how ``schema_facts`` uses it); the original author should check it against what
they wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokenizer_core import Token, TokenType

from linters.dialects import SQLGLOT_DIALECT
from linters.sql.column_definitions import ColumnDefinition
from linters.sql.generic_command import qualified_name_tokens

if TYPE_CHECKING:
    from linters.dialects import Dialect
    from linters.statement import Statement

__all__ = ["AlterAction", "AlterTable", "alter_table"]

#: MySQL/MariaDB words between ALTER and TABLE.
_ALTER_MODIFIERS = ("ONLINE", "OFFLINE", "IGNORE")
_CONSTRAINT_KINDS = (
    ("PRIMARY", "KEY"),
    ("FOREIGN", "KEY"),
    ("NOT", "NULL"),
    ("UNIQUE",),
    ("CHECK",),
    ("EXCLUDE",),
)


@dataclass(frozen=True)
class AlterAction:
    table: exp.Table
    #: The action's tokens, without the separating commas.
    tokens: tuple[Token, ...]
    #: sqlglot's node for this action (ColumnDef, AlterColumn, AddConstraint ...), when known.
    node: exp.Expression | None
    #: The tokens as ``Statement.words`` spells them, index for index.
    words: tuple[str, ...]

    @cached_property
    def top_words(self) -> tuple[str, ...]:
        """The words outside parentheses: ``ADD CONSTRAINT c CHECK NOT VALID``.

        Unlike ``words``, keyword pairs that sqlglot reads as one token come apart.
        """
        words, depth = [], 0
        for token, word in zip(self.tokens, self.words, strict=True):
            if token.token_type == TokenType.L_PAREN:
                depth += 1
            elif token.token_type == TokenType.R_PAREN:
                depth -= 1
            elif depth == 0 and token.token_type == TokenType.STRING:
                words.append(word)
            elif depth == 0:
                # sqlglot reads some keyword pairs as one token ("PRIMARY KEY").
                words.extend(word.split())
        return tuple(words)

    @cached_property
    def parenthesised(self) -> tuple[str, ...]:
        """The words inside the first parentheses: a CHECK condition, a key's columns."""
        words: list[str] = []
        depth = 0
        for token, word in zip(self.tokens, self.words, strict=True):
            if token.token_type == TokenType.L_PAREN:
                depth += 1
                if depth == 1:
                    continue
            elif token.token_type == TokenType.R_PAREN:
                depth -= 1
                if depth == 0:
                    return tuple(words)
            if depth >= 1:
                words.append(word)
        return tuple(words)

    @property
    def added_column(self) -> ColumnDefinition | None:
        node = self.node
        if not isinstance(node, exp.ColumnDef):
            return None
        kind = node.args.get("kind")
        constraints = tuple(
            item
            for item in node.args.get("constraints") or ()
            if isinstance(item, exp.ColumnConstraint)
        )
        name = node.this if isinstance(node.this, exp.Identifier) else exp.to_identifier(node.name)
        data_type = kind if isinstance(kind, exp.DataType) else None
        return ColumnDefinition(self.table, name, data_type, "add", constraints)

    @property
    def column_name(self) -> str | None:
        """The column of ``ALTER [COLUMN] c ...``, lower-case."""
        words = self.top_words
        if words[:1] != ("ALTER",) or len(self.tokens) < 2:
            return None
        index = 2 if words[1:2] == ("COLUMN",) else 1
        return self.tokens[index].text.lower() if index < len(self.tokens) else None

    @property
    def adds_constraint(self) -> bool:
        return self.top_words[:1] == ("ADD",) and self.constraint_kind is not None

    @property
    def constraint_name(self) -> str | None:
        words = self.top_words
        if words[:2] == ("ADD", "CONSTRAINT") and len(self.tokens) > 2:
            return self.tokens[2].text
        return None

    @property
    def constraint_kind(self) -> str | None:
        """``CHECK``, ``PRIMARY KEY``, ``FOREIGN KEY``, ``UNIQUE``, ``EXCLUDE``, ``NOT NULL``."""
        words = self.top_words
        if words[:1] != ("ADD",):
            return None
        start = 3 if words[1:2] == ("CONSTRAINT",) else 1
        for kind in _CONSTRAINT_KINDS:
            if words[start : start + len(kind)] == kind:
                return " ".join(kind)
        return None

    @property
    def using_index(self) -> str | None:
        words = self.top_words
        for index in range(len(words) - 2):
            if words[index : index + 2] == ("USING", "INDEX"):
                return words[index + 2].lower()
        return None

    @property
    def not_valid(self) -> bool:
        return self.top_words[-2:] == ("NOT", "VALID")


@dataclass(frozen=True)
class AlterTable:
    table: exp.Table
    actions: tuple[AlterAction, ...]

    def action_words(self) -> list[tuple[str, ...]]:
        return [action.words for action in self.actions]


def alter_table(statement: Statement) -> AlterTable | None:
    tokens, words = statement.tokens, list(statement.words)
    index = 1
    while index < len(words) and words[index] in _ALTER_MODIFIERS:
        index += 1
    if words[:1] != ["ALTER"] or words[index : index + 1] != ["TABLE"]:
        return None
    index += 1
    if words[index : index + 2] == ["IF", "EXISTS"]:
        index += 2
    if words[index : index + 1] == ["ONLY"]:
        index += 1
    table, index = qualified_name_tokens(tokens, index)
    if table is None:
        return None
    if words[index : index + 1] == ["*"]:
        index += 1
    pieces = _split_actions(tokens, index)
    nodes = _parsed_actions(statement, len(pieces))
    actions = tuple(
        AlterAction(
            table,
            tuple(tokens[start:stop]),
            nodes[number] if nodes else _action_node(statement, tokens[start:stop]),
            tuple(words[start:stop]),
        )
        for number, (start, stop) in enumerate(pieces)
    )
    return AlterTable(table, actions)


def _split_actions(tokens: list[Token], index: int) -> list[tuple[int, int]]:
    """Token index ranges of the comma-separated actions from ``index`` on."""
    pieces: list[tuple[int, int]] = []
    start, depth = index, 0
    for position in range(index, len(tokens)):
        kind = tokens[position].token_type
        if kind == TokenType.L_PAREN:
            depth += 1
        elif kind == TokenType.R_PAREN:
            depth -= 1
        elif kind == TokenType.COMMA and depth == 0:
            pieces.append((start, position))
            start = position + 1
    if start < len(tokens):
        pieces.append((start, len(tokens)))
    return pieces


def _parsed_actions(statement: Statement, count: int) -> list[exp.Expression] | None:
    """sqlglot's action nodes, when it parsed the statement into exactly these actions."""
    expression = statement.expression
    if not isinstance(expression, exp.Alter):
        return None
    actions = list(expression.args.get("actions") or [])
    return actions if len(actions) == count else None


def _action_node(statement: Statement, piece: list[Token]) -> exp.Expression | None:
    """Parse one action on its own, for an ALTER TABLE sqlglot kept as a command."""
    if not piece or piece[0].text.upper() != "ADD":
        return None  # only added columns need sqlglot's reading; the words say the rest
    text = statement.text[piece[0].start : piece[-1].end + 1]
    return _parse_action(text, statement.dialect)


def _parse_action(text: str, dialect: Dialect) -> exp.Expression | None:
    try:
        parsed = sqlglot.parse_one(f"ALTER TABLE t {text}", read=SQLGLOT_DIALECT[dialect])
    except (ParseError, TokenError):
        return None
    if not isinstance(parsed, exp.Alter):
        return None
    actions = parsed.args.get("actions") or []
    return actions[0] if len(actions) == 1 else None
