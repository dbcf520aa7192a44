"""UPDATE or DELETE without WHERE.

## What it does
Reports `UPDATE` and `DELETE` with no `WHERE` clause, or with one that keeps every row
(`WHERE true`, `WHERE 1`, `WHERE 1 = 1`), on a table that existed before this change. MySQL's
multi-table form limited by an inner `JOIN ... ON` counts as filtered; PostgreSQL's
`UPDATE ... FROM` / `DELETE ... USING` without `WHERE` does not (it changes every row).
PostgreSQL's data-modifying CTEs (`WITH moved AS (DELETE FROM t RETURNING *) INSERT ...`)
are checked like plain statements.

## Why is this bad?
The statement changes every row of the table in one transaction: a forgotten condition is
data loss on every environment the rollout reaches. Even when meant, it locks every row it
changes until it commits, writes the whole table to the WAL or binlog at once and lags replicas.

## Example
```sql
DELETE FROM sessions;
-- every session is gone on every environment, not only the expired ones
UPDATE users SET plan = 'free';
-- every paying customer is downgraded
```

## Use instead
```sql
DELETE FROM sessions WHERE expires_at < now();
UPDATE users SET plan = 'free' WHERE plan IS NULL;
```
For a deliberate whole-table change, batch it by key range (see backfill-unbatched) and
suppress this finding with a reason.

Exempt: tables created earlier in the same change.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.dml_targets import CARRIERS, changed_table, has_row_filter, row_changes
from linters.sql.object_names import qualified_name
from linters.statement import Statement


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    for dml in row_changes(statement.expression):
        table = changed_table(dml)
        if has_row_filter(dml) or table is None or context.is_new_table(table):
            continue
        verb = "UPDATE" if isinstance(dml, exp.Update) else "DELETE"
        yield Violation(
            message=f"Add a WHERE clause to this {verb} of every row of `{qualified_name(table)}`",
            help="Limit the rows with WHERE; batch a deliberate whole-table change by key range",
        )


RULE = StatementRule(
    id="update-delete-without-where",
    severity=Severity.ERROR,
    dialects=ALL,
    doc=__doc__ or "",
    on=CARRIERS,
    check=check,
)
