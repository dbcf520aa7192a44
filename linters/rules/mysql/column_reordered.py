"""Existing column moved to another position.

## What it does
Reports MySQL/MariaDB `ALTER TABLE ... MODIFY [COLUMN]` or `CHANGE [COLUMN]` with `FIRST` or
`AFTER other` on a table that existed before this change. (`ADD COLUMN ... AFTER` places a new
column and is not reported here.)

## Why is this bad?
Moving a column is not a metadata change in MySQL: it rebuilds the table, rewriting every row
(`ALGORITHM=INPLACE` at best), which takes long on a big table and lags replicas. (MariaDB 10.4
and later can reorder instantly.) On every server, consumers that rely on column positions
change meaning: `SELECT *` into positional structures, `INSERT INTO t VALUES (...)` without a
column list, `LOAD DATA` and CSV exports.

## Example
```sql
ALTER TABLE users MODIFY COLUMN email varchar(255) NOT NULL AFTER id;
-- the table is rebuilt; INSERT INTO users VALUES (...) now puts values in the wrong columns
```

## Use instead
Leave the physical order alone; order columns in queries and views:
```sql
CREATE OR REPLACE VIEW users_overview AS SELECT id, email, name FROM users;
```
Exempt: tables created earlier in the same change.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.ddl_targets import alter_actions, altered_table
from linters.sql.node_spans import span_of
from linters.sql.object_names import qualified_name
from linters.statement import Statement


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    table = altered_table(statement)
    if table is None or context.is_new_table(table):
        return
    for action in alter_actions(statement.expression):
        if not isinstance(action, exp.ModifyColumn) or not isinstance(action.this, exp.ColumnDef):
            continue
        position = action.this.args.get("position")
        if position is None:
            continue
        column = (action.args.get("rename_from") or action.this).name
        yield Violation(
            message=f"Do not move existing column `{column}` of `{qualified_name(table)}`",
            help="Leave the physical column order alone; order columns in queries and views",
            span=span_of(statement, action.this),
        )


RULE = StatementRule(
    id="column-reordered",
    severity=Severity.WARNING,
    dialects=MYSQL,
    doc=__doc__ or "",
    on=(exp.Alter,),
    check=check,
)
