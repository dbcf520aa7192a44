"""The subcommands of an ALTER TABLE one by one, each with its words and its own sqlglot tree.

sqlglot parses ``ALTER TABLE t ADD COLUMN a int, ADD CONSTRAINT c CHECK (a > 0)`` into a tree,
but keeps ``ALTER TABLE t ADD CHECK (a > 0)``, ``... USING INDEX`` or two subcommands with a
``NOT VALID`` as a generic command, and reads ``NOT VALID`` once for the whole statement. Lock
rules judge each subcommand on its own: by its words (``NOT VALID`` and ``USING INDEX`` belong
to one subcommand) and, where sqlglot can read the subcommand alone, by its tree (a column's
type and default).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokenizer_core import Token, TokenType

from linters.dialects import SQLGLOT_DIALECT
from linters.sql.column_definitions import ColumnDefinition
from linters.sql.generic_command import qualified_name_tokens

if TYPE_CHECKING:
    from linters.statement import Statement

__all__ = ["AlterSubcommand", "AlteredTable", "alter_subcommands"]

#: What follows ADD when it adds something other than a column.
_NOT_A_COLUMN = frozenset(
    {
        "CONSTRAINT",
        "PRIMARY KEY",
        "UNIQUE",
        "CHECK",
        "FOREIGN KEY",
        "EXCLUDE",
        "INDEX",
        "KEY",
        "FULLTEXT",
        "SPATIAL",
        "PARTITION",
        "PERIOD",
        "SYSTEM",
    }
)
#: MySQL/MariaDB words between ALTER and TABLE (``ALTER ONLINE TABLE``).
_TABLE_MODIFIERS = frozenset({"ONLINE", "OFFLINE", "IGNORE"})
#: Words that end a column's DEFAULT expression.
_AFTER_DEFAULT = frozenset(
    {"NOT", "NULL", "CHECK", "REFERENCES", "UNIQUE", "PRIMARY KEY", "CONSTRAINT", "COLLATE"}
    | {"GENERATED", "FIRST", "AFTER", "COMMENT", "ON"}
)
_OPENING = (TokenType.L_PAREN, TokenType.L_BRACKET)
_CLOSING = (TokenType.R_PAREN, TokenType.R_BRACKET)


def _word(token: Token) -> str:
    """A token as ``Statement.words`` spells it, blanks folded: ``PRIMARY KEY`` is one token."""
    if token.token_type == TokenType.STRING:
        return token.text
    return " ".join(token.text.upper().split())


@dataclass(frozen=True)
class AlterSubcommand:
    """One comma-separated subcommand: ``ADD COLUMN ...``, ``ALTER COLUMN c SET NOT NULL``..."""

    table: exp.Table
    tokens: tuple[Token, ...]
    #: Upper-cased like ``Statement.words``.
    words: tuple[str, ...]
    #: The words outside any parentheses: ``CHECK (NOT VALID)`` does not end in NOT VALID.
    top_words: tuple[str, ...]
    #: The exact text of the subcommand.
    text: str
    #: sqlglot's node for the subcommand read on its own (``ColumnDef``, ``AddConstraint``,
    #: ``AlterColumn``, ``AlterSet``, ``ModifyColumn``...); None when sqlglot cannot read it.
    node: exp.Expression | None

    def has_words(self, *sequence: str) -> bool:
        """Whether ``sequence`` occurs in ``top_words``."""
        n = len(sequence)
        return any(self.top_words[i : i + n] == sequence for i in range(len(self.top_words)))

    @property
    def adds_column(self) -> bool:
        return self.words[:1] == ("ADD",) and (
            self.words[1:2] == ("COLUMN",)
            or (len(self.words) > 1 and self.words[1] not in _NOT_A_COLUMN)
        )

    @property
    def added_column(self) -> ColumnDefinition | None:
        """The column an ``ADD [COLUMN]`` defines, when sqlglot can read the definition."""
        node = self.node
        if not self.adds_column or not isinstance(node, exp.ColumnDef):
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
    def _column_position(self) -> int | None:
        if self.adds_column:
            start = 2 if self.words[1] == "COLUMN" else 1
            if self.words[start : start + 3] == ("IF", "NOT", "EXISTS"):
                start += 3
        elif self.words[:1] in (("ALTER",), ("MODIFY",), ("CHANGE",)):
            start = 2 if self.words[1:2] == ("COLUMN",) else 1
        else:
            return None
        return start if start < len(self.tokens) else None

    @property
    def column_name(self) -> str | None:
        """The column an ``ADD COLUMN`` adds or an ``ALTER`` / ``MODIFY`` / ``CHANGE`` changes."""
        position = self._column_position
        return self.tokens[position].text if position is not None else None

    @property
    def definition_words(self) -> tuple[str, ...]:
        """The top-level words after the column name: its type and constraints."""
        position = self._column_position
        if position is None:
            return ()
        # Everything before the name is at the top level, so it sits at the same position.
        return self.top_words[position + 1 :]

    @property
    def adds_constraint(self) -> bool:
        return self.words[:1] == ("ADD",) and not self.adds_column

    @property
    def constraint_name(self) -> str | None:
        if self.words[:2] == ("ADD", "CONSTRAINT") and len(self.tokens) > 2:
            return self.tokens[2].text
        return None

    @property
    def constraint_kind(self) -> str | None:
        """``PRIMARY KEY``, ``UNIQUE``, ``CHECK``, ``FOREIGN KEY``, ``EXCLUDE``, ``NOT NULL``..."""
        if not self.adds_constraint:
            return None
        start = 3 if self.constraint_name is not None else 1
        if self.words[start : start + 2] == ("NOT", "NULL"):
            return "NOT NULL"
        return self.words[start] if start < len(self.words) else None

    @property
    def not_valid(self) -> bool:
        return self.top_words[-2:] == ("NOT", "VALID")

    @property
    def using_index(self) -> str | None:
        """The index of ``ADD ... PRIMARY KEY / UNIQUE USING INDEX name``."""
        for i in range(1, len(self.words) - 2):
            after_key = self.words[i - 1] in ("PRIMARY KEY", "UNIQUE")
            if after_key and self.words[i : i + 2] == ("USING", "INDEX"):
                return self.tokens[i + 2].text
        return None

    @property
    def default_text(self) -> str | None:
        """The ``DEFAULT`` expression as written, for messages."""
        depth, start, end = 0, None, None
        for position, token in enumerate(self.tokens):
            if token.token_type in _CLOSING:
                depth -= 1
            if depth == 0 and start is None and _word(token) == "DEFAULT":
                start = position + 1
            elif depth == 0 and start is not None and _word(token) in _AFTER_DEFAULT:
                break
            elif start is not None:
                end = position
            if token.token_type in _OPENING:
                depth += 1
        if start is None or end is None:
            return None
        offset = self.tokens[0].start
        return self.text[self.tokens[start].start - offset : self.tokens[end].end + 1 - offset]

    @cached_property
    def parenthesised(self) -> tuple[str, ...]:
        """The words of the first parenthesised group: a CHECK's condition, a key's columns."""
        depth, inside = 0, list[str]()
        for token in self.tokens:
            if token.token_type in _CLOSING:
                depth -= 1
                if depth == 0:
                    break
            if depth > 0:
                inside.append(_word(token))
            if token.token_type in _OPENING:
                depth += 1
        return tuple(inside)


@dataclass(frozen=True)
class AlteredTable:
    table: exp.Table
    #: ``ALTER TABLE ONLY t``: partitions and children are left alone.
    only: bool
    subcommands: tuple[AlterSubcommand, ...]


def alter_subcommands(statement: Statement) -> AlteredTable | None:
    """The table and the subcommands of an ``ALTER TABLE``; None for any other statement."""
    words = statement.words
    if words[:1] != ("ALTER",) or "TABLE" not in words[1:3]:
        return None
    return _read(statement.text, SQLGLOT_DIALECT[statement.dialect])


@lru_cache(maxsize=1024)
def _read(text: str, dialect: str) -> AlteredTable | None:
    # Pure in (text, dialect): every rule asking about the same statement shares one reading.
    try:
        tokens = sqlglot.tokenize(text, read=dialect)
    except TokenError:
        return None
    words = [_word(token) for token in tokens]
    index = 1
    while index < len(words) and words[index] in _TABLE_MODIFIERS:
        index += 1
    if words[index : index + 1] != ["TABLE"]:
        return None
    index += 1
    if words[index : index + 2] == ["IF", "EXISTS"]:
        index += 2
    only = index < len(words) and words[index] == "ONLY"
    index += only
    table, index = qualified_name_tokens(tokens, index)
    if table is None or table.name.upper() == "ALL":  # ALTER TABLE ALL IN TABLESPACE
        return None
    if index < len(words) and words[index] == "*":
        index += 1
    subcommands = tuple(
        _subcommand(table, text, piece, dialect)
        for piece in _split(tokens[index:])
        if piece and _word(piece[0]) not in ("ALGORITHM", "LOCK")  # MySQL options
    )
    return AlteredTable(table, only, subcommands)


def _split(tokens: list[Token]) -> Iterator[list[Token]]:
    depth, piece = 0, list[Token]()
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            break
        if token.token_type in _OPENING:
            depth += 1
        elif token.token_type in _CLOSING:
            depth -= 1
        elif token.token_type == TokenType.COMMA and depth == 0:
            yield piece
            piece = []
            continue
        piece.append(token)
    yield piece


def _subcommand(table: exp.Table, text: str, tokens: list[Token], dialect: str) -> AlterSubcommand:
    depth, top_words = 0, list[str]()
    for token in tokens:
        if token.token_type in _CLOSING:
            depth -= 1
        if depth == 0:
            top_words.append(_word(token))
        if token.token_type in _OPENING:
            depth += 1
    piece_text = text[tokens[0].start : tokens[-1].end + 1]
    return AlterSubcommand(
        table=table,
        tokens=tuple(tokens),
        words=tuple(_word(token) for token in tokens),
        top_words=tuple(top_words),
        text=piece_text,
        node=_parse_alone(piece_text, dialect),
    )


def _parse_alone(piece_text: str, dialect: str) -> exp.Expression | None:
    logger = logging.getLogger("sqlglot")
    previous = logger.level
    # The statement's own parse already warned about any generic-command fallback.
    logger.setLevel(logging.ERROR)
    try:
        parsed = sqlglot.parse_one(f"ALTER TABLE t {piece_text}", read=dialect)
    except (ParseError, TokenError):
        return None
    finally:
        logger.setLevel(previous)
    actions = parsed.args.get("actions") if isinstance(parsed, exp.Alter) else None
    return actions[0] if actions and len(actions) == 1 else None
