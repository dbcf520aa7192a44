"""Object named without its schema.

## What it does
Reports objects named without a schema in DDL: the table, view, sequence, type, function or
index a `CREATE`, `ALTER`, `DROP`, `TRUNCATE` or `COMMENT ON` acts on, the table of a
`CREATE INDEX` or `CREATE TRIGGER`, the parent of a `PARTITION OF`, and the table a foreign key
`REFERENCES`. Off by default: a policy for databases with several schemas. Exempt: names that
cannot carry a schema (a new index's own name, the new name of a `RENAME TO`), temporary tables
(they live in `pg_temp`), `CREATE SCHEMA` itself, and the queries inside views and functions.
Generic commands sqlglot does not parse (`CREATE DOMAIN`, `CREATE EXTENSION`...) are not read.

## Why is this bad?
An unqualified name is resolved through the session's `search_path`. The migration runner, a
person's `psql` session and a connection pooler may all have different ones, so the same
migration can create the table in `public` on one environment and in the tenant schema on
another, or alter the wrong `users` table when two schemas have one.

## Example
```sql
ALTER TABLE users ADD COLUMN locale text;  -- which users? depends on search_path
```

## Use instead
```sql
ALTER TABLE app.users ADD COLUMN locale text;
```

## References
- [PostgreSQL: The schema search path](https://www.postgresql.org/docs/current/ddl-schemas.html#DDL-SCHEMAS-PATH)
- [Squawk: require-table-schema](https://squawkhq.com/docs/require-table-schema)
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.rule import Context, StatementRule, Violation
from linters.sql.column_definitions import is_temporary
from linters.sql.foreign_key_definitions import foreign_key_definitions
from linters.sql.node_spans import violation_at
from linters.statement import Statement


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    reported: set[str] = set()
    for table in _named_objects(statement.expression):
        if table.args.get("db") is not None or table.name.lower() in reported:
            continue
        reported.add(table.name.lower())
        yield violation_at(
            statement,
            table,
            message=f"Qualify `{table.name}` with its schema",
            help=f"Write `<schema>.{table.name}` so the statement does not depend on search_path",
        )


def _named_objects(expression: exp.Expression | None) -> Iterator[exp.Table]:
    if isinstance(expression, exp.Create):
        yield from _created(expression)
    elif isinstance(expression, exp.Alter) and isinstance(expression.this, exp.Table):
        yield expression.this
    elif isinstance(expression, exp.Drop):
        yield from (table for table in expression.args.get("tables") or () if _is_table(table))
    elif isinstance(expression, exp.TruncateTable):
        yield from (table for table in expression.expressions if _is_table(table))
    elif isinstance(expression, exp.Comment):
        yield from _commented(expression)
    for foreign_key in foreign_key_definitions(expression):
        if foreign_key.referenced_table is not None:
            yield foreign_key.referenced_table


def _created(create: exp.Create) -> Iterator[exp.Table]:
    kind = str(create.kind or "").upper()
    if kind == "SCHEMA" or is_temporary(create):
        return
    if kind == "INDEX" and isinstance(create.this, exp.Index):
        table = create.this.args.get("table")
        if isinstance(table, exp.Table):
            yield table
        return
    trigger = create.find(exp.TriggerProperties)
    if trigger is not None:
        table = trigger.args.get("table")
        if isinstance(table, exp.Table):
            yield table
        return
    target = create.this
    if isinstance(target, exp.Schema | exp.UserDefinedFunction):
        target = target.this
    if isinstance(target, exp.Table):
        yield target
    parent = create.find(exp.PartitionedOfProperty)
    if parent is not None and isinstance(parent.this, exp.Table):
        yield parent.this


def _commented(comment: exp.Comment) -> Iterator[exp.Table]:
    target = comment.this
    if isinstance(target, exp.Table):
        yield target
    elif isinstance(target, exp.Column) and target.args.get("table") is not None:
        # `COMMENT ON COLUMN t.c`: qualified only when written `schema.t.c`.
        table = exp.Table(this=target.args["table"], db=target.args.get("db"))
        yield table


def _is_table(node: exp.Expression) -> bool:
    return isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier)


RULE = StatementRule(
    id="schema-unqualified",
    severity=None,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Create, exp.Alter, exp.Drop, exp.TruncateTable, exp.Comment),
    check=check,
)
