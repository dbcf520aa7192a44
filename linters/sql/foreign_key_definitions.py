"""The foreign keys a CREATE TABLE or ALTER TABLE declares, inline or at table level.

``b int REFERENCES u``, ``FOREIGN KEY (b) REFERENCES u (id)``, ``CONSTRAINT fk FOREIGN KEY ...``
and ``ALTER TABLE ... ADD [CONSTRAINT fk] FOREIGN KEY ...`` all become one shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from sqlglot import exp

from linters.sql.column_definitions import created_table

if TYPE_CHECKING:
    from linters.statement import Statement

__all__ = ["ForeignKeyDefinition", "foreign_key_definitions", "statement_foreign_keys"]


class ForeignKeyDefinition(NamedTuple):
    table: exp.Table
    name: exp.Identifier | None
    #: Referencing columns, lower case.
    columns: tuple[str, ...]
    referenced_table: exp.Table | None
    #: Empty when the clause names no columns: the referenced table's primary key.
    referenced_columns: tuple[str, ...]
    #: ``ON DELETE`` action as written (``CASCADE``, ``SET NULL``...), None when absent.
    on_delete: str | None
    #: Declared on a column (``c int REFERENCES u``), which also defines that column here.
    inline: bool
    #: Where to point a finding.
    anchor: exp.Expression | None

    @property
    def table_name(self) -> str:
        return self.table.name.lower()

    @property
    def label(self) -> str:
        if self.name is not None:
            return self.name.name
        return f"{self.table.name}({', '.join(self.columns)})"


def statement_foreign_keys(statement: Statement) -> list[ForeignKeyDefinition]:
    """``foreign_key_definitions`` of a statement's tree, read once however many rules ask."""
    return statement.derived(_statement_foreign_keys)


def _statement_foreign_keys(statement: Statement) -> list[ForeignKeyDefinition]:
    return list(foreign_key_definitions(statement.expression))


def foreign_key_definitions(expression: exp.Expression | None) -> Iterator[ForeignKeyDefinition]:
    table = created_table(expression)
    items: list[exp.Expression] = []
    if table is not None and isinstance(expression, exp.Create):
        schema = expression.this
        items = list(schema.expressions) if isinstance(schema, exp.Schema) else []
    elif isinstance(expression, exp.Alter) and isinstance(expression.this, exp.Table):
        table = expression.this
        for action in expression.args.get("actions") or ():
            if isinstance(action, exp.AddConstraint):
                items.extend(action.expressions)
            elif isinstance(action, exp.ColumnDef):
                items.append(action)
            elif isinstance(action, exp.ModifyColumn) and isinstance(action.this, exp.ColumnDef):
                items.append(action.this)
    if table is not None:
        yield from _definitions(table, items)


def _definitions(
    table: exp.Table, items: Iterable[exp.Expression]
) -> Iterator[ForeignKeyDefinition]:
    for item in items:
        if isinstance(item, exp.ColumnDef):
            for constraint in item.args.get("constraints") or ():
                if isinstance(constraint, exp.ColumnConstraint) and isinstance(
                    constraint.kind, exp.Reference
                ):
                    name = constraint.this if isinstance(constraint.this, exp.Identifier) else None
                    yield _definition(
                        table, name, (item.name.lower(),), constraint.kind, True, name or item.this
                    )
            continue
        name = item.this if isinstance(item, exp.Constraint) else None
        name = name if isinstance(name, exp.Identifier) else None
        for clause in item.expressions if isinstance(item, exp.Constraint) else [item]:
            reference = clause.args.get("reference") if isinstance(clause, exp.ForeignKey) else None
            if isinstance(reference, exp.Reference):
                columns = tuple(column.name.lower() for column in clause.expressions)
                anchor = name or (clause.expressions[0] if clause.expressions else table)
                definition = _definition(table, name, columns, reference, False, anchor)
                delete = clause.args.get("delete")
                if isinstance(delete, str):
                    definition = definition._replace(on_delete=delete.upper())
                yield definition


def _definition(
    table: exp.Table,
    name: exp.Identifier | None,
    columns: tuple[str, ...],
    reference: exp.Reference,
    inline: bool,
    anchor: exp.Expression | None,
) -> ForeignKeyDefinition:
    target = reference.this
    referenced_columns: tuple[str, ...] = ()
    if isinstance(target, exp.Schema):
        referenced_columns = tuple(column.name.lower() for column in target.expressions)
        target = target.this
    on_delete = None
    for option in reference.args.get("options") or ():
        text = " ".join(str(option).upper().split())
        if text.startswith("ON DELETE "):
            on_delete = text.removeprefix("ON DELETE ")
    return ForeignKeyDefinition(
        table=table,
        name=name,
        columns=columns,
        referenced_table=target if isinstance(target, exp.Table) else None,
        referenced_columns=referenced_columns,
        on_delete=on_delete,
        inline=inline,
        anchor=anchor,
    )
