"""Column-level REFERENCES that the server ignores: no foreign key is created.

## What it does
Reports a column definition with an inline `REFERENCES parent (id)` in `CREATE TABLE` or
`ALTER TABLE ... ADD/MODIFY/CHANGE COLUMN`, on servers that parse and ignore it: MySQL before
9.0 and MariaDB before 10.5. Without `mysql_version`, schemabot judges for MySQL 8.4 (reported)
and MariaDB 10.11 (not reported). New tables are not exempt: the missing constraint is the
problem.

## Why is this bad?
MySQL 8.x and MariaDB 10.4 and older accept `user_id bigint REFERENCES users (id)` without an
error or a warning, and create no foreign key. Nothing stops orphan rows, and the schema reads
as if something did.

## Example
```sql
CREATE TABLE orders (
    id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id bigint unsigned NOT NULL REFERENCES users (id)
    -- MySQL 8.4: parsed and ignored, orders has no foreign key
);
```

## Use instead
```sql
CREATE TABLE orders (
    id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id bigint unsigned NOT NULL,
    CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id)
);
```

## References
- MySQL 8.4: [FOREIGN KEY constraints](https://dev.mysql.com/doc/refman/8.4/en/create-table-foreign-keys.html)
  ("MySQL parses but ignores inline REFERENCES specifications"); implemented in MySQL 9.0
  (WL#16130).
- MariaDB: [Foreign keys](https://mariadb.com/kb/en/foreign-keys/) (applied from 10.5).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.mysql_alter import alter_table
from linters.sql.mysql_column import references_of
from linters.sql.mysql_version import at_least, server_label
from linters.sql.node_spans import span_of
from linters.statement import Statement


def _defined_columns(statement: Statement) -> tuple[str, list[exp.ColumnDef]] | None:
    expression = statement.expression
    if isinstance(expression, exp.Create) and isinstance(expression.this, exp.Schema):
        schema = expression.this
        columns = [e for e in schema.expressions if isinstance(e, exp.ColumnDef)]
        return (schema.this.name if schema.this else "?"), columns
    alter = alter_table(statement)
    if alter is None:
        return None
    changed = [c.definition for c in alter.changed_columns()]
    return alter.table_name, alter.added_columns() + changed


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    if at_least(context, mysql=(9, 0), mariadb=(10, 5)):
        return
    defined = _defined_columns(statement)
    if defined is None:
        return
    table, columns = defined
    for column in columns:
        reference = references_of(column)
        if reference is None:
            continue
        target = reference.sql("mysql").removeprefix("REFERENCES ")
        yield Violation(
            message=f"Declare the foreign key of `{table}.{column.name}` as a table constraint: "
            f"{server_label(context)} ignores inline REFERENCES {target}",
            help=f"Write CONSTRAINT ... FOREIGN KEY ({column.name}) REFERENCES {target}",
            span=span_of(statement, column),
        )


RULE = StatementRule(
    id="mysql-inline-references",
    severity=Severity.ERROR,
    dialects=MYSQL,
    doc=__doc__ or "",
    on=(exp.Create, exp.Alter),
    check=check,
)
