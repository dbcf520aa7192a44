"""Index definitions in MySQL and MariaDB DDL, wherever they are written.

An index appears as a CREATE TABLE element (``KEY ix (a)``, ``UNIQUE KEY``, ``PRIMARY KEY``,
``FULLTEXT``, ``SPATIAL``), as a column attribute (``email varchar(255) UNIQUE``), as an
``ALTER TABLE ... ADD`` item, or as ``CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX``. sqlglot models
each differently (and ``CREATE FULLTEXT INDEX`` only as a command); ``created_indexes`` turns all
of them into ``IndexDefinition``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from linters.sql.mysql_alter import alter_table, table_from_tokens

if TYPE_CHECKING:
    from linters.statement import Statement

__all__ = [
    "IndexDefinition",
    "IndexKind",
    "IndexPart",
    "column_indexes",
    "created_indexes",
    "index_definition",
]

IndexKind = Literal["PRIMARY", "UNIQUE", "FULLTEXT", "SPATIAL", "INDEX"]


@dataclass(frozen=True)
class IndexPart:
    #: None for a functional key part (``((lower(email)))``).
    column: str | None
    #: Prefix length, ``email(20)``.
    prefix: int | None = None


@dataclass(frozen=True)
class IndexDefinition:
    kind: IndexKind
    name: str | None
    parts: tuple[IndexPart, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(part.column for part in self.parts if part.column is not None)

    @property
    def label(self) -> str:
        """How a message names it: its name, else its columns."""
        return self.name or f"({', '.join(self.columns)})"


def _integer(node: exp.Expression | None) -> int | None:
    if isinstance(node, exp.Literal) and not node.is_string and node.name.isdigit():
        return int(node.name)
    return None


def _part(node: exp.Expression) -> IndexPart:
    if isinstance(node, exp.Ordered):
        node = node.this
    if isinstance(node, exp.Identifier | exp.Column):
        return IndexPart(node.name)
    if isinstance(node, exp.ColumnPrefix):
        return IndexPart(node.this.name, _integer(node.expression))
    # CREATE INDEX reads ``email(20)`` as a call of a function named email.
    if isinstance(node, exp.Anonymous) and len(node.expressions) == 1:
        prefix = _integer(node.expressions[0])
        if prefix is not None:
            return IndexPart(node.name, prefix)
    return IndexPart(None)


def index_definition(element: exp.Expression, name: str | None = None) -> IndexDefinition | None:
    """The index an element defines (a CREATE TABLE item or an ALTER TABLE ADD item)."""
    if isinstance(element, exp.Constraint):
        for inner in element.expressions:
            found = index_definition(inner, element.name or None)
            if found is not None:
                return found
        return None
    if isinstance(element, exp.PrimaryKey):
        return IndexDefinition("PRIMARY", name, tuple(_part(e) for e in element.expressions))
    if isinstance(element, exp.UniqueColumnConstraint):
        schema = element.this
        if not isinstance(schema, exp.Schema):
            return None
        own = schema.this.name if isinstance(schema.this, exp.Identifier) else None
        parts = tuple(_part(e) for e in schema.expressions)
        return IndexDefinition("UNIQUE", name or own, parts)
    if isinstance(element, exp.IndexColumnConstraint):
        kind = str(element.args.get("kind") or "").upper()
        index_kind: IndexKind = "FULLTEXT" if kind == "FULLTEXT" else "INDEX"
        if kind == "SPATIAL":
            index_kind = "SPATIAL"
        own = element.this.name if isinstance(element.this, exp.Identifier) else None
        return IndexDefinition(
            index_kind, name or own, tuple(_part(e) for e in element.expressions)
        )
    return None


def column_indexes(column: exp.ColumnDef) -> list[IndexDefinition]:
    """``PRIMARY KEY`` / ``UNIQUE`` written as a column attribute."""
    found: list[IndexDefinition] = []
    for constraint in column.args.get("constraints") or []:
        kind = constraint.args.get("kind")
        if isinstance(kind, exp.PrimaryKeyColumnConstraint):
            found.append(IndexDefinition("PRIMARY", None, (IndexPart(column.name),)))
        elif isinstance(kind, exp.UniqueColumnConstraint):
            found.append(IndexDefinition("UNIQUE", None, (IndexPart(column.name),)))
    return found


def _create_index_command(statement: Statement) -> tuple[exp.Table, IndexDefinition] | None:
    """``CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX name ON t (...)`` that sqlglot keeps as a
    command (always for FULLTEXT and SPATIAL, for any kind with ``ALGORITHM=`` / ``LOCK=``)."""
    words, tokens = statement.words, statement.tokens
    if words[:1] != ("CREATE",) or "INDEX" not in words or "ON" not in words:
        return None
    kind = words[words.index("INDEX") - 1]
    if kind not in ("FULLTEXT", "SPATIAL", "UNIQUE"):
        if kind not in ("CREATE", "ONLINE", "OFFLINE"):
            return None
        kind = ""
    located = table_from_tokens(tokens, words.index("ON") + 1)
    if located is None or located[1] >= len(tokens):
        return None
    table, end = located
    at = words.index("INDEX") + 1
    at += 3 if words[at : at + 3] == ("IF", "NOT", "EXISTS") else 0
    name = tokens[at].text
    rest = statement.text[tokens[end].start :]
    try:
        parsed = sqlglot.parse_one(f"ALTER TABLE t ADD {kind} INDEX {rest}", read="mysql")
    except ParseError:
        return None
    alter = parsed if isinstance(parsed, exp.Alter) else None
    for action in alter.args.get("actions") or [] if alter else []:
        for item in action.expressions if isinstance(action, exp.AddConstraint) else []:
            found = index_definition(item)
            if found is not None:
                kind_name: IndexKind = "UNIQUE" if kind == "UNIQUE" else found.kind
                return table, IndexDefinition(kind_name, name, found.parts)
    return None


def created_indexes(statement: Statement) -> tuple[exp.Table, list[IndexDefinition]] | None:
    """The table and the indexes a statement creates; None when it creates none."""
    expression = statement.expression
    found: list[IndexDefinition] = []
    if isinstance(expression, exp.Create) and isinstance(expression.this, exp.Schema):
        schema = expression.this
        for element in schema.expressions:
            if isinstance(element, exp.ColumnDef):
                found.extend(column_indexes(element))
            else:
                definition = index_definition(element)
                found.extend([definition] if definition else [])
        table = schema.this
        return (table, found) if isinstance(table, exp.Table) and found else None
    if isinstance(expression, exp.Create) and isinstance(expression.this, exp.Index):
        index = expression.this
        table = index.args.get("table")
        params = index.args.get("params")
        columns = params.args.get("columns") or [] if isinstance(params, exp.Expression) else []
        kind: IndexKind = "UNIQUE" if expression.args.get("unique") else "INDEX"
        parts = tuple(_part(column) for column in columns)
        if isinstance(table, exp.Table):
            return table, [IndexDefinition(kind, index.name or None, parts)]
        return None
    if isinstance(expression, exp.Command):
        command = _create_index_command(statement)
        if command is not None:
            return command[0], [command[1]]
    alter = alter_table(statement)
    if alter is None:
        return None
    for name, item in alter.added_constraints():
        definition = index_definition(item, name)
        found.extend([definition] if definition else [])
    for column in alter.added_columns() + [c.definition for c in alter.changed_columns()]:
        found.extend(column_indexes(column))
    return (alter.table, found) if found else None
