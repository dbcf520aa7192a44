"""AUTO_INCREMENT column that is not BIGINT UNSIGNED.

## What it does
Reports an `AUTO_INCREMENT` column, in `CREATE TABLE` or `ALTER TABLE ... ADD/MODIFY/CHANGE`,
whose type is not an integer (`DECIMAL`, `FLOAT`, `DOUBLE`), is signed, or is narrower than
`BIGINT`. `SERIAL` is `BIGINT UNSIGNED` and passes. New tables are not exempt: this is about the
type, and the type is cheapest to fix before the table has rows.

## Why is this bad?
An AUTO_INCREMENT key only grows. A signed `INT` stops at 2,147,483,647 and every insert then
fails with "duplicate entry"; widening the column later is a type change that copies the table
with writes blocked (and every foreign key column must follow). Negative values are never
generated, so a signed type wastes half its range. AUTO_INCREMENT on `FLOAT`/`DOUBLE` is
deprecated since MySQL 8.0.17 and loses precision.

## Example
```sql
CREATE TABLE orders (
    id int NOT NULL AUTO_INCREMENT PRIMARY KEY
    -- signed INT: inserts fail after 2147483647 orders
);
```

## Use instead
```sql
CREATE TABLE orders (
    id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY
);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.column_definitions import created_table
from linters.sql.mysql_alter import alter_table
from linters.sql.mysql_column import has_auto_increment, type_name
from linters.sql.node_spans import span_of
from linters.sql.object_names import qualified_name
from linters.statement import Statement

_T = exp.DType
#: The largest value of each integer type, signed and unsigned.
_MAXIMUM = {
    _T.TINYINT: 127,
    _T.UTINYINT: 255,
    _T.SMALLINT: 32_767,
    _T.USMALLINT: 65_535,
    _T.MEDIUMINT: 8_388_607,
    _T.UMEDIUMINT: 16_777_215,
    _T.INT: 2_147_483_647,
    _T.UINT: 4_294_967_295,
    _T.BIGINT: 9_223_372_036_854_775_807,
}
_FINE = frozenset({_T.UBIGINT, _T.SERIAL})


def _columns(statement: Statement) -> tuple[str, list[exp.ColumnDef]] | None:
    expression = statement.expression
    table = created_table(expression)
    if table is not None and isinstance(expression, exp.Create):
        schema = expression.this
        elements = schema.expressions if isinstance(schema, exp.Schema) else []
        return qualified_name(table), [e for e in elements if isinstance(e, exp.ColumnDef)]
    alter = alter_table(statement)
    if alter is None:
        return None
    return alter.table_name, alter.added_columns() + [c.definition for c in alter.changed_columns()]


def _problem(kind: exp.DType) -> str | None:
    if kind in _FINE:
        return None
    if kind not in _MAXIMUM:
        return "not an integer type"
    if kind == _T.BIGINT:
        return "signed: half of its range is never used"
    return f"it stops at {_MAXIMUM[kind]:,}"


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    found = _columns(statement)
    if found is None:
        return
    table, columns = found
    for column in columns:
        kind = column.args.get("kind")
        if not has_auto_increment(column) or not isinstance(kind, exp.DataType):
            continue
        problem = _problem(kind.this)
        if problem is None:
            continue
        yield Violation(
            message=f"Use BIGINT UNSIGNED for AUTO_INCREMENT column `{column.name}` of "
            f"`{table}`, not {type_name(column)}: {problem}",
            help="Declare AUTO_INCREMENT keys (and the columns referencing them) BIGINT UNSIGNED",
            span=span_of(statement, column),
        )


RULE = StatementRule(
    id="mysql-auto-increment-type",
    severity=Severity.WARNING,
    dialects=MYSQL,
    doc=__doc__ or "",
    on=(exp.Create, exp.Alter),
    check=check,
)
