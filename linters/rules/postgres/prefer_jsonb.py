"""Use `jsonb` instead of `json`.

## What it does
Reports columns declared (or retyped) as `json`, including arrays of it, in `CREATE TABLE`,
`ADD COLUMN` and `ALTER COLUMN ... TYPE`.

## Why is this bad?
`json` keeps the input text as is and has no equality operator: `SELECT DISTINCT`, `UNION`,
`GROUP BY` and `IN (SELECT ...)` over a `json` column fail with "could not identify an equality
operator for type json", and it cannot be indexed with GIN. Every access re-parses the text.
`jsonb` is stored parsed, compares, indexes and is faster to query.

## Example
```sql
ALTER TABLE orders ADD COLUMN payload json;  -- SELECT DISTINCT payload ... fails at run time
```

## Use instead
```sql
ALTER TABLE orders ADD COLUMN payload jsonb;
```
The exemption: a column that must keep the exact input text (key order, duplicate keys,
whitespace), for example a signed webhook body. Keep `json` there and suppress with the reason.

## References
- [PostgreSQL: JSON types](https://www.postgresql.org/docs/current/datatype-json.html)
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.column_definitions import statement_column_types, statement_columns
from linters.sql.column_types import element_types, replace_declared_type
from linters.sql.node_spans import violation_at
from linters.statement import Statement


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    if exp.DataType.Type.JSON not in statement_column_types(statement):
        return
    for column in statement_columns(statement):
        if column.data_type is None:
            continue
        if not any(t.this == exp.DataType.Type.JSON for t in element_types(column.data_type)):
            continue
        yield violation_at(
            statement,
            column.name,
            message=f"Use `jsonb` for column `{column.table.name}.{column.name.name}`",
            help="`json` has no equality operator and no GIN index; `jsonb` has both",
            suggestion=replace_declared_type(statement, column.name, "json", "jsonb"),
        )


RULE = StatementRule(
    id="prefer-jsonb",
    severity=Severity.WARNING,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Create, exp.Alter),
    check=check,
)
