"""Column nullable, or without a default, against the policy.

## What it does
Checks the columns of `CREATE TABLE`, `ADD COLUMN` and MySQL `MODIFY` / `CHANGE` against two
switches: with `require_not_null`, a column must be declared `NOT NULL`; with `require_default`,
it must have a `DEFAULT`. Off by default: a team policy. Exempt from both: primary key columns,
identity, serial and `AUTO_INCREMENT` columns, generated (computed) columns, and the names in
`exempt_columns`. Also exempt from `require_default`: MySQL `BLOB` / `TEXT` / `JSON` / spatial
columns, which could not take a literal default before MySQL 8.0.13.

## Why is this bad?
A nullable column makes every reader handle NULL (three-valued logic: `WHERE status <> 'x'`
skips NULL rows), and making it NOT NULL later scans the table under a lock. A NOT NULL column
without a default makes every `INSERT` that does not name it fail, including old application
versions still running during a deploy.

## Example
```sql
ALTER TABLE orders ADD COLUMN channel text;  -- NULL for every existing and forgotten row
```

## Use instead
```sql
ALTER TABLE orders ADD COLUMN channel text NOT NULL DEFAULT 'web';
```
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL, MYSQL
from linters.rule import Context, StatementRule, Violation
from linters.rule_options import BooleanOption, StringListOption
from linters.sql.column_definitions import (
    ColumnDefinition,
    statement_columns,
    table_primary_key_columns,
)
from linters.sql.column_types import is_serial
from linters.sql.node_spans import violation_at
from linters.statement import Statement

RULE_ID = "column-nullability-default-policy"
REQUIRE_NOT_NULL = BooleanOption(RULE_ID, "require_not_null", True, "Columns must be `NOT NULL`.")
REQUIRE_DEFAULT = BooleanOption(RULE_ID, "require_default", False, "Columns must have a `DEFAULT`.")
EXEMPT_COLUMNS = StringListOption(
    RULE_ID, "exempt_columns", (), "Columns never checked (e.g. `deleted_at`)."
)
_MYSQL_NO_LITERAL_DEFAULT = frozenset(
    {
        exp.DType.TEXT,
        exp.DType.TINYTEXT,
        exp.DType.MEDIUMTEXT,
        exp.DType.LONGTEXT,
        exp.DType.BLOB,
        exp.DType.TINYBLOB,
        exp.DType.MEDIUMBLOB,
        exp.DType.LONGBLOB,
        exp.DType.JSON,
        exp.DType.GEOMETRY,
        exp.DType.POINT,
        exp.DType.LINESTRING,
        exp.DType.POLYGON,
        exp.DType.MULTILINESTRING,
        exp.DType.MULTIPOLYGON,
    }
)


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    require_not_null = REQUIRE_NOT_NULL.value(context.config)
    require_default = REQUIRE_DEFAULT.value(context.config)
    exempt_names = {name.lower() for name in EXEMPT_COLUMNS.value(context.config)}
    key_columns = set(table_primary_key_columns(statement.expression))
    for column in statement_columns(statement):
        if column.action == "retype" or column.column in exempt_names:
            continue
        if column.column in key_columns or _generates_its_value(column, context):
            continue
        name = f"{column.table.name}.{column.name.name}"
        if require_not_null and not column.is_not_null:
            yield violation_at(
                statement,
                column.name,
                message=f"Declare column `{name}` NOT NULL",
                help="Add NOT NULL (with a DEFAULT for existing rows), or exempt the column",
            )
        elif require_default and column.default is None and _can_have_default(column, context):
            yield violation_at(
                statement,
                column.name,
                message=f"Give column `{name}` a DEFAULT",
                help="Add a DEFAULT so inserts that do not name the column keep working",
            )


def _generates_its_value(column: ColumnDefinition, context: Context) -> bool:
    if column.is_primary_key or column.is_identity or column.is_generated:
        return True
    if column.is_auto_increment:
        return True
    return column.data_type is not None and is_serial(column.data_type, context.dialect)


def _can_have_default(column: ColumnDefinition, context: Context) -> bool:
    if context.dialect not in MYSQL or column.data_type is None:
        return True
    return column.data_type.this not in _MYSQL_NO_LITERAL_DEFAULT


RULE = StatementRule(
    id=RULE_ID,
    severity=None,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Create, exp.Alter),
    check=check,
    options=(
        REQUIRE_NOT_NULL,
        REQUIRE_DEFAULT,
        EXEMPT_COLUMNS,
    ),
)
