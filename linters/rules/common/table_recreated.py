"""Existing table dropped and created again.

## What it does
Reports `CREATE TABLE t` that follows `DROP TABLE [IF EXISTS] t` earlier in the same file, and
MariaDB's `CREATE OR REPLACE TABLE t`, when `t` existed before this change.

## Why is this bad?
The pattern reads like "make sure the table has this shape", but on a database where the table
already exists it means "delete all of its rows". It is the shape of a setup script, not of a
migration: it works on an empty development database and wipes production.

## Example
```sql
DROP TABLE IF EXISTS settings;
CREATE TABLE settings (key text PRIMARY KEY, value text);
-- on production, every saved setting is gone
CREATE OR REPLACE TABLE settings (key varchar(64) PRIMARY KEY, value text);  -- MariaDB: same
```

## Use instead
Create the table only if it is absent, and change an existing table with `ALTER TABLE`; if the
table really must go, drop it in a separate, reviewed migration (see drop-table).
```sql
CREATE TABLE IF NOT EXISTS settings (key text PRIMARY KEY, value text);
```
Exempt: tables created earlier in the same change (dropping and recreating your own new table
loses nothing). The `DROP TABLE` itself is also reported by drop-table.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.column_definitions import is_temporary
from linters.sql.ddl_targets import drop_kind, dropped_objects
from linters.sql.object_names import qualified_name, same_table
from linters.statement import Statement

_HELP = "Use CREATE TABLE IF NOT EXISTS or ALTER TABLE; drop tables in a separate migration"


def _dropped_earlier(statement: Statement, context: Context, table: exp.Table) -> bool:
    for earlier in context.statements[: statement.index]:
        drop = earlier.expression
        if not isinstance(drop, exp.Drop) or drop_kind(drop) != "TABLE":
            continue
        if not drop.args.get("temporary") and any(
            isinstance(dropped, exp.Table) and same_table(dropped, table)
            for dropped in dropped_objects(drop)
        ):
            return True
    return False


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    create = statement.expression
    if not isinstance(create, exp.Create) or str(create.args.get("kind", "")).upper() != "TABLE":
        return
    table = create.find(exp.Table)
    if table is None or context.is_new_table(table) or is_temporary(create, statement.words):
        return
    name = qualified_name(table)
    if create.args.get("replace"):
        yield Violation(message=f"Do not replace existing table `{name}`", help=_HELP)
    elif _dropped_earlier(statement, context, table):
        yield Violation(message=f"Do not drop and recreate existing table `{name}`", help=_HELP)


RULE = StatementRule(
    id="table-recreated",
    severity=Severity.ERROR,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Create,),
    check=check,
)
