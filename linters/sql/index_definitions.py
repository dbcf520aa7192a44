"""The indexes a statement creates, whatever the spelling, in every dialect.

An index comes from ``CREATE [UNIQUE] INDEX``, from a PRIMARY KEY or UNIQUE constraint (inline
on a column, at table level, or added by ALTER TABLE), or from MySQL's ``KEY`` / ``INDEX`` /
``FULLTEXT`` / ``SPATIAL`` clauses and ``MODIFY col ... UNIQUE``. sqlglot models each
differently, and keeps ``CREATE FULLTEXT INDEX`` (and any MySQL ``CREATE INDEX`` with
``ALGORITHM=`` / ``LOCK=``) only as a command; every rule about indexes sees them all as one
``IndexDefinition``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Literal, NamedTuple

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from linters.parse import QuietSqlglot
from linters.sql.column_definitions import created_table
from linters.sql.object_names import qualified_name_tokens

if TYPE_CHECKING:
    from linters.statement import Statement

__all__ = [
    "IndexDefinition",
    "IndexKind",
    "IndexPart",
    "created_indexes",
    "index_definitions",
    "index_part",
    "statement_indexes",
]

IndexKind = Literal["PRIMARY", "UNIQUE", "FULLTEXT", "SPATIAL", "INDEX"]


class IndexPart(NamedTuple):
    #: The part as a comparable string: a column name (lower case), ``col(10)`` for a MySQL
    #: prefix, or the expression's SQL.
    key: str
    #: The column as written; None for an expression.
    column: str | None = None
    #: MySQL's prefix length: ``email(20)``.
    prefix: int | None = None


class IndexDefinition(NamedTuple):
    table: exp.Table
    #: The name as written; None when the database names it.
    name: exp.Identifier | None
    parts: tuple[IndexPart, ...]
    kind: IndexKind = "INDEX"
    #: Access method: ``btree`` unless written (``gin``, ``hash``, MySQL ``fulltext``...).
    method: str = "btree"
    #: The WHERE of a partial index, as SQL.
    predicate: str | None = None
    include: tuple[str, ...] = ()
    #: Declared as a constraint (PRIMARY KEY / UNIQUE), not as a plain index.
    constraint: bool = False
    #: Where to point a finding: the name, else the first key part.
    anchor: exp.Expression | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        """Key parts in order, comparable: ``a``, ``a(10)``, ``lower(email)``."""
        return tuple(part.key for part in self.parts)

    @property
    def unique(self) -> bool:
        return self.kind in ("PRIMARY", "UNIQUE")

    @property
    def primary(self) -> bool:
        return self.kind == "PRIMARY"

    @property
    def table_name(self) -> str:
        return self.table.name.lower()

    @property
    def columns(self) -> tuple[str, ...]:
        """The key parts that are plain columns."""
        return tuple(key for key in self.keys if key.replace("_", "").isalnum())

    @property
    def label(self) -> str:
        """How a message names it: its name, else ``(a, b)`` on its table."""
        if self.name is not None:
            return self.name.name
        return f"{self.table.name}({', '.join(self.keys)})"


def _prefix(node: exp.Expression | None) -> int | None:
    if isinstance(node, exp.Literal) and not node.is_string and node.name.isdigit():
        return int(node.name)
    return None


def index_part(node: exp.Expression) -> IndexPart:
    """A key part: ``a``, ``a(10)`` (MySQL prefix), ``lower(email)``."""
    if isinstance(node, exp.Ordered):
        node = node.this
    if isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Column | exp.Identifier):
        return IndexPart(node.name.lower(), node.name)
    if isinstance(node, exp.ColumnPrefix):
        key = f"{node.name.lower()}({node.expression.sql()})"
        return IndexPart(key, node.this.name, _prefix(node.expression))
    if isinstance(node, exp.Anonymous) and len(node.expressions) == 1:
        prefix = _prefix(node.expressions[0])
        if prefix is not None:
            # MySQL's `col(10)` prefix inside CREATE INDEX parses as a function call.
            return IndexPart(f"{node.name.lower()}({prefix})", node.name, prefix)
    return IndexPart(node.sql().lower())


def index_definitions(expression: exp.Expression | None) -> Iterator[IndexDefinition]:
    """Every index a CREATE INDEX, CREATE TABLE or ALTER TABLE brings into being."""
    if isinstance(expression, exp.Create) and expression.kind == "INDEX":
        definition = _create_index(expression)
        if definition is not None:
            yield definition
        return
    table = created_table(expression)
    if table is not None and isinstance(expression, exp.Create):
        schema = expression.this
        if isinstance(schema, exp.Schema):
            yield from _clauses(table, schema.expressions)
        return
    if isinstance(expression, exp.Alter) and isinstance(expression.this, exp.Table):
        items: list[exp.Expression] = []
        for action in expression.args.get("actions") or ():
            if isinstance(action, exp.AddConstraint):
                items.extend(action.expressions)
            elif isinstance(action, exp.ColumnDef):
                items.append(action)
            elif isinstance(action, exp.ModifyColumn) and isinstance(action.this, exp.ColumnDef):
                items.append(action.this)  # MySQL: MODIFY email varchar(255) UNIQUE
        yield from _clauses(expression.this, items)


def statement_indexes(statement: Statement) -> list[IndexDefinition]:
    """``index_definitions`` of a statement's tree, read once however many rules ask."""
    return statement.derived(_statement_indexes)


def _statement_indexes(statement: Statement) -> list[IndexDefinition]:
    return list(index_definitions(statement.expression))


def created_indexes(statement: Statement) -> tuple[exp.Table, list[IndexDefinition]] | None:
    """The table and the indexes a statement creates; None when it creates none. Answers for
    MySQL's ``CREATE FULLTEXT/SPATIAL INDEX`` commands too."""
    found = statement_indexes(statement)
    if not found and statement.is_command:
        command = _create_index_command(statement)
        found = [command] if command is not None else []
    return (found[0].table, found) if found else None


def _create_index(create: exp.Create) -> IndexDefinition | None:
    index = create.this
    if not isinstance(index, exp.Index):
        return None
    table = index.args.get("table")
    params = index.args.get("params")
    if not isinstance(table, exp.Table) or not isinstance(params, exp.IndexParameters):
        return None
    columns = params.args.get("columns") or []
    using = params.args.get("using")
    where = params.args.get("where")
    name = index.this if isinstance(index.this, exp.Identifier) else None
    return IndexDefinition(
        table=table,
        name=name,
        parts=tuple(index_part(column) for column in columns),
        kind="UNIQUE" if create.args.get("unique") else "INDEX",
        method=using.name.lower() if using is not None else "btree",
        predicate=where.this.sql().lower() if isinstance(where, exp.Where) else None,
        include=tuple(index_part(column).key for column in params.args.get("include") or ()),
        anchor=name or (columns[0] if columns else table),
    )


def _clauses(table: exp.Table, items: Iterable[exp.Expression]) -> Iterator[IndexDefinition]:
    for item in items:
        if isinstance(item, exp.ColumnDef):
            yield from _inline(table, item)
            continue
        name = item.this if isinstance(item, exp.Constraint) else None
        for clause in item.expressions if isinstance(item, exp.Constraint) else [item]:
            definition = _clause(table, clause, name if isinstance(name, exp.Identifier) else None)
            if definition is not None:
                yield definition


def _clause(
    table: exp.Table, clause: exp.Expression, name: exp.Identifier | None
) -> IndexDefinition | None:
    if isinstance(clause, exp.PrimaryKey):
        parts = tuple(index_part(column) for column in clause.expressions)
        anchor = name or (clause.expressions[0] if clause.expressions else table)
        return IndexDefinition(table, name, parts, "PRIMARY", constraint=True, anchor=anchor)
    if isinstance(clause, exp.UniqueColumnConstraint):
        schema = clause.this
        if not isinstance(schema, exp.Schema):
            return None
        if name is None and isinstance(schema.this, exp.Identifier):
            name = schema.this  # MySQL: UNIQUE KEY name (cols)
        parts = tuple(index_part(column) for column in schema.expressions)
        anchor = name or (schema.expressions[0] if schema.expressions else table)
        return IndexDefinition(table, name, parts, "UNIQUE", constraint=True, anchor=anchor)
    if isinstance(clause, exp.IndexColumnConstraint):
        index_name = clause.this if isinstance(clause.this, exp.Identifier) else None
        kind = str(clause.args.get("kind") or "").upper()
        index_kind: IndexKind = "FULLTEXT" if kind == "FULLTEXT" else "INDEX"
        if kind == "SPATIAL":
            index_kind = "SPATIAL"
        return IndexDefinition(
            table,
            index_name or name,
            tuple(index_part(column) for column in clause.expressions),
            index_kind,
            method=kind.lower() if kind else "btree",
            anchor=index_name or (clause.expressions[0] if clause.expressions else table),
        )
    return None


def _inline(table: exp.Table, column: exp.ColumnDef) -> Iterator[IndexDefinition]:
    for constraint in column.args.get("constraints") or ():
        if not isinstance(constraint, exp.ColumnConstraint):
            continue
        name = constraint.this if isinstance(constraint.this, exp.Identifier) else None
        primary = isinstance(constraint.kind, exp.PrimaryKeyColumnConstraint)
        if primary or isinstance(constraint.kind, exp.UniqueColumnConstraint):
            yield IndexDefinition(
                table,
                name,
                (IndexPart(column.name.lower(), column.name),),
                "PRIMARY" if primary else "UNIQUE",
                constraint=True,
                anchor=name or column.this,
            )


def _create_index_command(statement: Statement) -> IndexDefinition | None:
    """MySQL ``CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX name ON t (...)`` that sqlglot keeps as a
    command (always for FULLTEXT and SPATIAL, for any kind with ``ALGORITHM=`` / ``LOCK=``):
    its key list, read as the equivalent ``ALTER TABLE ... ADD INDEX``."""
    if statement.dialect not in ("mysql", "mariadb"):
        return None
    words, tokens = statement.words, statement.tokens
    if words[:1] != ("CREATE",) or "INDEX" not in words or "ON" not in words:
        return None
    kind = words[words.index("INDEX") - 1]
    if kind not in ("FULLTEXT", "SPATIAL", "UNIQUE"):
        if kind not in ("CREATE", "ONLINE", "OFFLINE"):
            return None
        kind = ""
    table, end = qualified_name_tokens(tokens, words.index("ON") + 1)
    if table is None or end >= len(tokens):
        return None
    at = words.index("INDEX") + 1
    at += 3 if words[at : at + 3] == ("IF", "NOT", "EXISTS") else 0
    name = exp.to_identifier(tokens[at].text)
    rest = statement.text[tokens[end].start :]
    try:
        with QuietSqlglot():
            parsed = sqlglot.parse_one(f"ALTER TABLE t ADD {kind} INDEX {rest}", read="mysql")
    except (ParseError, TokenError):
        return None
    for found in index_definitions(parsed if isinstance(parsed, exp.Expression) else None):
        index_kind: IndexKind = "UNIQUE" if kind == "UNIQUE" else found.kind
        return IndexDefinition(
            table, name, found.parts, index_kind, method=found.method, anchor=name
        )
    return None
