"""The indexes a statement creates or drops, whatever the spelling.

An index comes from ``CREATE [UNIQUE] INDEX``, from a PRIMARY KEY or UNIQUE constraint (inline
on a column, at table level, or added by ALTER TABLE), or from MySQL's ``KEY`` / ``INDEX`` /
``FULLTEXT`` / ``SPATIAL`` clauses. Rules about index shape see them all the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlglot import exp

from linters.sql.column_definitions import created_table

__all__ = ["IndexDefinition", "dropped_index_names", "index_definitions", "index_key"]


@dataclass(frozen=True)
class IndexDefinition:
    table: exp.Table
    #: The name as written; None when the database names it.
    name: exp.Identifier | None
    #: Key parts in order: a column name (lower case), ``col(10)`` for a MySQL prefix, or the
    #: expression's SQL.
    keys: tuple[str, ...]
    unique: bool = False
    primary: bool = False
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


def index_key(node: exp.Expression) -> str:
    """A key part as a comparable string: ``a``, ``a(10)``, ``lower(email)``."""
    if isinstance(node, exp.Ordered):
        node = node.this
    if isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Column | exp.Identifier):
        return node.name.lower()
    if isinstance(node, exp.ColumnPrefix):
        return f"{node.name.lower()}({node.expression.sql()})"
    if isinstance(node, exp.Anonymous) and len(node.expressions) == 1:
        length = node.expressions[0]
        if isinstance(length, exp.Literal) and length.is_int:
            # MySQL's `col(10)` prefix inside CREATE INDEX parses as a function call.
            return f"{node.name.lower()}({length.this})"
    return node.sql().lower()


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
        yield from _clauses(expression.this, items)


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
        keys=tuple(index_key(column) for column in columns),
        unique=bool(create.args.get("unique")),
        method=using.name.lower() if using is not None else "btree",
        predicate=where.this.sql().lower() if isinstance(where, exp.Where) else None,
        include=tuple(index_key(column) for column in params.args.get("include") or ()),
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
        keys = tuple(index_key(column) for column in clause.expressions)
        return IndexDefinition(
            table, name, keys, unique=True, primary=True, constraint=True, anchor=name or table
        )
    if isinstance(clause, exp.UniqueColumnConstraint):
        schema = clause.this
        if not isinstance(schema, exp.Schema):
            return None
        if name is None and isinstance(schema.this, exp.Identifier):
            name = schema.this  # MySQL: UNIQUE KEY name (cols)
        keys = tuple(index_key(column) for column in schema.expressions)
        return IndexDefinition(
            table, name, keys, unique=True, constraint=True, anchor=name or table
        )
    if isinstance(clause, exp.IndexColumnConstraint):
        index_name = clause.this if isinstance(clause.this, exp.Identifier) else None
        kind = clause.args.get("kind")
        keys = tuple(index_key(column) for column in clause.expressions)
        return IndexDefinition(
            table,
            index_name,
            keys,
            method=str(kind).lower() if kind else "btree",
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
                (column.name.lower(),),
                unique=True,
                primary=primary,
                constraint=True,
                anchor=name or column.this,
            )


def dropped_index_names(expression: exp.Expression | None) -> tuple[str, ...]:
    """Names of indexes and constraints a DROP INDEX or ALTER TABLE ... DROP removes.

    ``PRIMARY`` stands for a dropped primary key (MySQL's name for it).
    """
    drops: list[exp.Expression] = []
    if isinstance(expression, exp.Drop) and expression.kind == "INDEX":
        drops.append(expression)
    elif isinstance(expression, exp.Alter):
        drops.extend(expression.args.get("actions") or ())
    names: list[str] = []
    for drop in drops:
        if isinstance(drop, exp.DropPrimaryKey):
            names.append("primary")
        elif isinstance(drop, exp.Drop) and drop.kind in ("INDEX", "CONSTRAINT", "KEY"):
            names.extend(table.name.lower() for table in drop.args.get("tables") or ())
    return tuple(names)
