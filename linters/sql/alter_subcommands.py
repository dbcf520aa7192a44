"""The subcommands of an ALTER TABLE one by one, each with its words and its own sqlglot tree.

sqlglot parses ``ALTER TABLE t ADD COLUMN a int, ADD CONSTRAINT c CHECK (a > 0)`` into a tree,
but keeps ``ALTER TABLE t ADD CHECK (a > 0)``, ``... USING INDEX`` or two subcommands with a
``NOT VALID`` as a generic command, and reads ``NOT VALID`` once for the whole statement. Lock
rules judge each subcommand on its own: by its words (``NOT VALID`` and ``USING INDEX`` belong
to one subcommand) and by its tree (a column's type and default): the statement's own tree
when sqlglot parsed the statement, else, on first use, the subcommand parsed alone.

A statement is read once (``Statement.derived``), however many rules ask.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokenizer_core import Token, TokenType

from linters.dialects import SQLGLOT_DIALECT
from linters.parse import QuietSqlglot
from linters.sql.column_definitions import ColumnDefinition
from linters.sql.object_names import qualified_name_tokens

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
    #: sqlglot's dialect name, to read the subcommand alone.
    dialect: str = field(repr=False)
    #: The subcommand's node in the statement's tree, when sqlglot parsed the statement.
    tree_node: exp.Expression | None = field(default=None, repr=False)

    @cached_property
    def node(self) -> exp.Expression | None:
        """sqlglot's node for the subcommand (``ColumnDef``, ``AddConstraint``,
        ``AlterColumn``, ``AlterSet``, ``ModifyColumn``...); None when sqlglot cannot read it."""
        if self.tree_node is not None:
            return self.tree_node
        return _parse_alone(self.text, self.dialect)

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
        if not self.adds_column:  # before ``node``: reading a subcommand alone costs a parse
            return None
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
    def kinds(self) -> frozenset[str]:
        """What the subcommand does, for rules to be dispatched by (``StatementRule.
        alter_actions``): ``ADD COLUMN``, ``ADD CONSTRAINT``, else its first word (``DROP``,
        ``ALTER``, ``RENAME``, ``VALIDATE``...), and its first top-level word too."""
        first = self.words[0]
        if first == "ADD":
            first = "ADD COLUMN" if self.adds_column else "ADD CONSTRAINT"
        if self.top_words and self.top_words[0] != self.words[0]:
            return frozenset((first, self.top_words[0]))
        return frozenset((first,))

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
            if depth == 0 and start is None and self.words[position] == "DEFAULT":
                start = position + 1
            elif depth == 0 and start is not None and self.words[position] in _AFTER_DEFAULT:
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
        for token, word in zip(self.tokens, self.words, strict=True):
            if token.token_type in _CLOSING:
                depth -= 1
                if depth == 0:
                    break
            if depth > 0:
                inside.append(word)
            if token.token_type in _OPENING:
                depth += 1
        return tuple(inside)


class AlteredTable(NamedTuple):
    table: exp.Table
    #: ``ALTER TABLE ONLY t``: partitions and children are left alone.
    only: bool
    subcommands: tuple[AlterSubcommand, ...]
    #: Every kind of its subcommands (``AlterSubcommand.kinds``).
    actions: frozenset[str] = frozenset()


def alter_subcommands(statement: Statement) -> AlteredTable | None:
    """The table and the subcommands of an ``ALTER TABLE``; None for any other statement."""
    # Asked by a score of rules about every statement: remembered, whatever the answer.
    return statement.derived(_read)


def _read(statement: Statement) -> AlteredTable | None:
    tokens, words = statement.tokens, statement.words
    if words[:1] != ("ALTER",) or "TABLE" not in words[1:3]:
        return None
    index = 1
    while index < len(words) and words[index] in _TABLE_MODIFIERS:
        index += 1
    if words[index : index + 1] != ("TABLE",):
        return None
    index += 1
    if words[index : index + 2] == ("IF", "EXISTS"):
        index += 2
    only = index < len(words) and words[index] == "ONLY"
    index += only
    table, index = qualified_name_tokens(tokens, index)
    if table is None or table.name.upper() == "ALL":  # ALTER TABLE ALL IN TABLESPACE
        return None
    if index < len(words) and words[index] == "*":
        index += 1
    pieces = [
        (begin, end)
        for begin, end in _pieces(tokens, index)
        if end > begin and words[begin] not in ("ALGORITHM", "LOCK")  # MySQL options
    ]
    expression = statement.expression
    actions = expression.args.get("actions") if isinstance(expression, exp.Alter) else None
    # One action per comma-separated subcommand: the statement's tree answers for each.
    nodes = list(actions) if actions and len(actions) == len(pieces) else [None] * len(pieces)
    subcommands = tuple(
        _subcommand(statement, table, begin, end, node)
        for (begin, end), node in zip(pieces, nodes, strict=True)
    )
    actions = frozenset().union(*(subcommand.kinds for subcommand in subcommands))
    return AlteredTable(table, only, subcommands, actions)


def _pieces(tokens: list[Token], start: int) -> Iterator[tuple[int, int]]:
    """``(begin, end)`` token ranges of the comma-separated subcommands from ``start``."""
    depth, begin = 0, start
    for position in range(start, len(tokens)):
        kind = tokens[position].token_type
        if kind == TokenType.SEMICOLON:
            yield begin, position
            return
        if kind in _OPENING:
            depth += 1
        elif kind in _CLOSING:
            depth -= 1
        elif kind == TokenType.COMMA and depth == 0:
            yield begin, position
            begin = position + 1
    yield begin, len(tokens)


def _subcommand(
    statement: Statement, table: exp.Table, begin: int, end: int, tree_node: exp.Expression | None
) -> AlterSubcommand:
    tokens, words = statement.tokens[begin:end], statement.words[begin:end]
    depth, top_words = 0, list[str]()
    for token, word in zip(tokens, words, strict=True):
        if token.token_type in _CLOSING:
            depth -= 1
        if depth == 0:
            top_words.append(word)
        if token.token_type in _OPENING:
            depth += 1
    return AlterSubcommand(
        table=table,
        tokens=tuple(tokens),
        words=words,
        top_words=tuple(top_words),
        text=statement.text[tokens[0].start : tokens[-1].end + 1],
        dialect=SQLGLOT_DIALECT[statement.dialect],
        tree_node=tree_node,
    )


def _parse_alone(piece_text: str, dialect: str) -> exp.Expression | None:
    try:
        # The statement's own parse already warned about any generic-command fallback.
        with QuietSqlglot():
            parsed = sqlglot.parse_one(f"ALTER TABLE t {piece_text}", read=dialect)
    except (ParseError, TokenError):
        return None
    actions = parsed.args.get("actions") if isinstance(parsed, exp.Alter) else None
    return actions[0] if actions and len(actions) == 1 else None
