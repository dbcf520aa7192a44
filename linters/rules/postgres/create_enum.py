"""Enum type created.

## What it does
Reports `CREATE TYPE ... AS ENUM (...)`. Off by default: a policy for teams that keep value
lists in tables or CHECK constraints. Composite types and domains are not enums and pass.

## Why is this bad?
An enum's values can be added (`ALTER TYPE ... ADD VALUE`, which cannot be used in the same
transaction and, before PostgreSQL 12, cannot run in one at all) and renamed, but never removed
or reordered: that needs a new type and a rewrite of every column using it, under an
exclusive lock. The values live in the schema, so adding one is a migration and a deploy,
and comparisons (`status < 'shipped'`) follow declaration order, not alphabetical order.

## Example
```sql
CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');  -- 'paid' can never be removed
```

## Use instead
```sql
CREATE TABLE order_statuses (name text PRIMARY KEY);
-- orders.status text NOT NULL REFERENCES order_statuses (name)
-- or: status text NOT NULL CHECK (status IN ('new', 'paid', 'shipped'))
```

## References
- [PostgreSQL: Enumerated types](https://www.postgresql.org/docs/current/datatype-enum.html)
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.rule import Context, StatementRule, Violation
from linters.sql.node_spans import violation_at
from linters.statement import Statement


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    create = statement.expression
    if not isinstance(create, exp.Create) or str(create.kind).upper() != "TYPE":
        return
    definition = create.args.get("expression")
    if isinstance(definition, exp.DataType) and definition.this == exp.DataType.Type.ENUM:
        yield violation_at(
            statement,
            create.this,
            message=f"Use a lookup table or a CHECK instead of enum type `{create.this.name}`",
            help="Enum values cannot be removed or reordered without rewriting every column",
        )


RULE = StatementRule(
    id="create-enum",
    severity=None,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Create,),
    check=check,
)
