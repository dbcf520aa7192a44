"""The columns a statement defines or retypes, in CREATE TABLE and ALTER TABLE alike.

Type rules ask the same question of ``CREATE TABLE t (c int)``, ``ALTER TABLE t ADD COLUMN c
int``, ``ALTER TABLE t ALTER COLUMN c TYPE int`` and MySQL's ``MODIFY`` / ``CHANGE``: which
column gets which type, with which constraints.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal, NamedTuple

from sqlglot import exp

from linters.sql.column_types import element_types

if TYPE_CHECKING:
    from linters.statement import Statement

__all__ = [
    "ColumnAction",
    "ColumnDefinition",
    "column_definitions",
    "created_table",
    "is_temporary",
    "statement_column_types",
    "statement_columns",
    "table_primary_key_columns",
]

#: create: in CREATE TABLE; add: ADD COLUMN; retype: ALTER COLUMN ... TYPE; modify: MySQL
#: MODIFY / CHANGE (a full redefinition).
ColumnAction = Literal["create", "add", "retype", "modify"]


class ColumnDefinition(NamedTuple):
    table: exp.Table
    name: exp.Identifier
    data_type: exp.DataType | None
    action: ColumnAction
    constraints: tuple[exp.ColumnConstraint, ...] = ()

    @property
    def column(self) -> str:
        return self.name.name.lower()

    @property
    def table_name(self) -> str:
        return self.table.name.lower()

    def constraint(self, kind: type[exp.Expression]) -> exp.Expression | None:
        for constraint in self.constraints:
            if isinstance(constraint.kind, kind):
                return constraint.kind
        return None

    @property
    def is_primary_key(self) -> bool:
        return self.constraint(exp.PrimaryKeyColumnConstraint) is not None

    @property
    def is_identity(self) -> bool:
        """``GENERATED ... AS IDENTITY`` (not a generated expression column)."""
        generated = self.constraint(exp.GeneratedAsIdentityColumnConstraint)
        return generated is not None and generated.args.get("expression") is None

    @property
    def is_generated(self) -> bool:
        """A computed column: ``GENERATED ALWAYS AS (expr)`` / MySQL ``AS (expr)``."""
        generated = self.constraint(exp.GeneratedAsIdentityColumnConstraint)
        if generated is not None and generated.args.get("expression") is not None:
            return True
        return self.constraint(exp.ComputedColumnConstraint) is not None

    @property
    def is_auto_increment(self) -> bool:
        return self.constraint(exp.AutoIncrementColumnConstraint) is not None

    @property
    def is_not_null(self) -> bool:
        constraint = self.constraint(exp.NotNullColumnConstraint)
        return constraint is not None and not constraint.args.get("allow_null")

    @property
    def default(self) -> exp.Expression | None:
        constraint = self.constraint(exp.DefaultColumnConstraint)
        return constraint.this if constraint is not None else None


def created_table(expression: exp.Expression | None) -> exp.Table | None:
    """The table of a ``CREATE TABLE`` (not a view, index, ...)."""
    if not isinstance(expression, exp.Create) or expression.kind != "TABLE":
        return None
    target = expression.this
    table = target.this if isinstance(target, exp.Schema) else target
    return table if isinstance(table, exp.Table) else None


def is_temporary(create: exp.Create, words: tuple[str, ...] | None = None) -> bool:
    """``words``: the statement's, when known. sqlglot reads a temporary table from TEMP or
    TEMPORARY alone, so without either the tree need not be searched."""
    if words is not None and "TEMPORARY" not in words and "TEMP" not in words:
        return False
    return create.find(exp.TemporaryProperty) is not None


def statement_columns(statement: Statement) -> list[ColumnDefinition]:
    """``column_definitions`` of a statement's tree, read once however many rules ask."""
    return statement.derived(_statement_columns)


def _statement_columns(statement: Statement) -> list[ColumnDefinition]:
    return list(column_definitions(statement.expression))


def statement_column_types(statement: Statement) -> frozenset[exp.DType]:
    """The types of the columns ``statement_columns`` defines, array elements included
    (``element_types``), read once: a rule about one type skips statements without it."""
    return statement.derived(_statement_column_types)


def _statement_column_types(statement: Statement) -> frozenset[exp.DType]:
    return frozenset(
        element.this
        for column in statement_columns(statement)
        if column.data_type is not None
        for element in element_types(column.data_type)
    )


def column_definitions(expression: exp.Expression | None) -> Iterator[ColumnDefinition]:
    """Every column defined or retyped by a CREATE TABLE or an ALTER TABLE, in order."""
    table = created_table(expression)
    if table is not None and isinstance(expression, exp.Create):
        schema = expression.this
        if isinstance(schema, exp.Schema):
            for item in schema.expressions:
                if isinstance(item, exp.ColumnDef):
                    yield _definition(table, item, "create")
        return
    if not isinstance(expression, exp.Alter) or expression.kind != "TABLE":
        return
    altered = expression.this
    if not isinstance(altered, exp.Table):
        return
    for action in expression.args.get("actions") or ():
        if isinstance(action, exp.ColumnDef):
            yield _definition(altered, action, "add")
        elif isinstance(action, exp.ModifyColumn) and isinstance(action.this, exp.ColumnDef):
            yield _definition(altered, action.this, "modify")
        elif isinstance(action, exp.AlterColumn) and isinstance(action.this, exp.Identifier):
            data_type = action.args.get("dtype")
            if isinstance(data_type, exp.DataType):
                yield ColumnDefinition(altered, action.this, data_type, "retype")


def _definition(table: exp.Table, node: exp.ColumnDef, action: ColumnAction) -> ColumnDefinition:
    kind = node.args.get("kind")
    constraints = tuple(
        item
        for item in node.args.get("constraints") or ()
        if isinstance(item, exp.ColumnConstraint)
    )
    name = node.this if isinstance(node.this, exp.Identifier) else exp.to_identifier(node.name)
    return ColumnDefinition(
        table, name, kind if isinstance(kind, exp.DataType) else None, action, constraints
    )


def table_primary_key_columns(expression: exp.Expression | None) -> tuple[str, ...]:
    """Columns of the table-level PRIMARY KEY of a CREATE TABLE, or of an ADD PRIMARY KEY."""
    if isinstance(expression, exp.Create):
        schema = expression.this
        items = schema.expressions if isinstance(schema, exp.Schema) else []
    elif isinstance(expression, exp.Alter):
        items = [
            item
            for action in expression.args.get("actions") or ()
            if isinstance(action, exp.AddConstraint)
            for item in action.expressions
        ]
    else:
        return ()
    for item in items:
        if isinstance(item, exp.PrimaryKey):
            key: exp.Expression | None = item
        elif isinstance(item, exp.Constraint):  # CONSTRAINT name PRIMARY KEY (...)
            key = item.find(exp.PrimaryKey)
        else:  # a column: its inline PRIMARY KEY is not the table-level one
            continue
        if isinstance(key, exp.PrimaryKey):
            return tuple(_name(column) for column in key.expressions)
    return ()


def _name(node: exp.Expression) -> str:
    return node.name.lower()
