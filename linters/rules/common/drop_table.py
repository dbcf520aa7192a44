"""Table dropped in a migration.

## What it does
Reports `DROP TABLE` (with or without `IF EXISTS`) of a table that existed before this change.

## Why is this bad?
The rows are gone, and there is no undo short of restoring a backup. During a deploy the
previous version of the application is still running and still queries the table: its requests
fail until the rollout completes, and a rollback of the code cannot bring the data back.

## Example
```sql
DROP TABLE orders;
-- every row of orders is gone; running app versions still query it
```

## Use instead
Stop reading and writing the table in a deployed release first, back it up (or prove it is
empty with a check before the migration), then drop it in a later, separately reviewed
migration that says why:
```sql
-- schemabot:ignore drop-table -- unused since release 4.2, backup in s3://backups/orders
DROP TABLE orders;
```

Exempt: tables created earlier in the same change, and `DROP TEMPORARY TABLE` (MySQL).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.ddl_targets import drop_kind, dropped_objects
from linters.sql.object_names import qualified_name
from linters.statement import Statement


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    drop = statement.expression
    if not isinstance(drop, exp.Drop) or drop_kind(drop) != "TABLE" or drop.args.get("temporary"):
        return
    for table in dropped_objects(drop):
        if isinstance(table, exp.Table) and not context.is_new_table(table):
            yield Violation(
                message=f"Do not drop table `{qualified_name(table)}` in a migration",
                help="Stop using it in code first, back it up, then drop it in a later migration",
            )


RULE = StatementRule(
    id="drop-table",
    severity=Severity.ERROR,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Drop,),
    check=check,
)
