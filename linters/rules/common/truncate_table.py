"""Table truncated in a migration.

## What it does
Reports `TRUNCATE [TABLE]` of a table that existed before this change.

## Why is this bad?
Every row is removed at once. `TRUNCATE` fires no `ON DELETE` triggers, so audit and
cleanup logic is skipped. On PostgreSQL it takes an ACCESS EXCLUSIVE lock: every read of the
table waits until the migration's transaction ends. On MySQL/MariaDB it is DDL: it commits
implicitly and cannot be rolled back.

## Example
```sql
TRUNCATE TABLE sessions;
-- every session is gone, every user is logged out; readers of sessions queue behind the lock
```

## Use instead
Delete the rows you mean, in batches, or leave the data alone:
```sql
DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at < now() LIMIT 5000);
```
Exempt: tables created earlier in the same change.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.object_names import qualified_name
from linters.statement import Statement


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    truncate = statement.expression
    if not isinstance(truncate, exp.TruncateTable):
        return
    for table in truncate.expressions:
        if isinstance(table, exp.Table) and not context.is_new_table(table):
            yield Violation(
                message=f"Do not truncate table `{qualified_name(table)}` in a migration",
                help="Delete the rows you mean in batches, or leave the data alone",
            )


RULE = StatementRule(
    id="truncate-table",
    severity=Severity.ERROR,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.TruncateTable,),
    check=check,
)
