"""New column with an expression default on an existing table.

## What it does
Reports `ALTER TABLE ... ADD COLUMN` with a default that has to be computed for each existing
row, on a table that existed before this change:
- MySQL: any expression default, written in parentheses: `DEFAULT (uuid())`, `DEFAULT (now())`,
  even a constant `DEFAULT (1)` or `DEFAULT ('[]')` for a JSON column.
- MariaDB: defaults that differ per row: `uuid()`, `uuid_short()`, `sysdate()`, sequence
  values, or references to other columns. MariaDB adds `DEFAULT (now())`, `DEFAULT (1 + 1)` or
  `DEFAULT current_user()` instantly (checked on MariaDB 10.11), so they are not reported.

Literal defaults (`DEFAULT 0`, `DEFAULT 'new'`) and `DEFAULT CURRENT_TIMESTAMP` are not
expressions and are not reported.

## Why is this bad?
An instant ADD COLUMN stores one default value in the table's metadata. A value that must be
evaluated for every row cannot be stored that way: the server refuses `ALGORITHM=INSTANT` and
`INPLACE` and copies the whole table, with concurrent writes blocked until the copy ends.

## Example
```sql
ALTER TABLE orders ADD COLUMN public_id char(36) NOT NULL DEFAULT (uuid());
-- expression default: orders is copied row by row, writes blocked until the end
```

## Use instead
Add the column without a default, set the default for new rows, then backfill in batches:
```sql
ALTER TABLE orders ADD COLUMN public_id char(36) NULL;
ALTER TABLE orders ALTER COLUMN public_id SET DEFAULT (uuid());
UPDATE orders SET public_id = uuid() WHERE public_id IS NULL AND id BETWEEN 1 AND 10000;
```
Exempt: tables created earlier in the same change.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.mysql_alter import alter_table
from linters.sql.mysql_column import default_of
from linters.sql.node_spans import span_of
from linters.statement import Statement

#: MariaDB functions whose value differs per row: a default using them forces a table copy.
_PER_ROW_FUNCTIONS = frozenset({"UUID", "UUID_SHORT", "SYSDATE", "NEXTVAL", "LASTVAL", "SYS_GUID"})


def _function_names(expression: exp.Expression) -> set[str]:
    names = set()
    for call in expression.find_all(exp.Func):
        name = call.name if isinstance(call, exp.Anonymous) else call.sql_name()
        names.add(name.upper())
    return names


def _copies_table(default: exp.Expression, dialect: str) -> bool:
    if dialect == "mariadb":
        per_row = _function_names(default) & _PER_ROW_FUNCTIONS
        return bool(per_row) or default.find(exp.Column) is not None
    return isinstance(default, exp.Paren)


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    alter = alter_table(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    for column in alter.added_columns():
        default = default_of(column)
        if default is None or not _copies_table(default, context.dialect):
            continue
        yield Violation(
            message=f"Add column `{column.name}` to `{alter.table_name}` without the expression "
            f"default `{default.sql('mysql')}`: the table is copied",
            help="Add the column without a default, then ALTER COLUMN ... SET DEFAULT, "
            "then backfill existing rows in batches",
            span=span_of(statement, column),
        )


RULE = StatementRule(
    id="mysql-add-column-expression-default",
    severity=Severity.ERROR,
    dialects=MYSQL,
    doc=__doc__ or "",
    on=(exp.Alter,),
    check=check,
)
