"""Backfill in the transaction that altered the table.

## What it does
Reports `UPDATE` or `DELETE` on a table that an `ALTER TABLE` earlier in the same transaction
changed: in a file the runner wraps in one transaction (the default on PostgreSQL), or between
an explicit `BEGIN` and `COMMIT`.

## Why is this bad?
Most `ALTER TABLE` forms take an ACCESS EXCLUSIVE lock, and PostgreSQL holds every lock to the
end of the transaction. The backfill that follows runs for as long as the table is big, and
for all that time nobody can read or write the table: the short ALTER becomes an outage as
long as the data migration.

## Example
```sql
ALTER TABLE orders ADD COLUMN total_cents bigint;
UPDATE orders SET total_cents = total * 100;
-- orders stays locked against every read and write until the UPDATE has rewritten each row
```

## Use instead
Commit the schema change first, then backfill in a separate migration (or a background job),
outside one big transaction and in batches (see backfill-unbatched):
```sql
-- V12__add_total_cents.sql
ALTER TABLE orders ADD COLUMN total_cents bigint;
-- V13__backfill_total_cents.sql, with -- schemabot:no-transaction: one batch per statement
UPDATE orders SET total_cents = total * 100 WHERE id >= 1 AND id < 100000;
UPDATE orders SET total_cents = total * 100 WHERE id >= 100000 AND id < 200000;
```
Exempt: tables created earlier in the same change (nobody else uses them yet), and files that
run without a transaction (the no-transaction directive) outside `BEGIN ... COMMIT`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.ddl_targets import altered_table
from linters.sql.dml_targets import CARRIERS, changed_table, row_changes
from linters.sql.object_names import qualified_name, same_table
from linters.statement import Statement


def _altered_on_line(table: exp.Table, transaction: list[Statement]) -> int | None:
    for earlier in transaction:
        altered = altered_table(earlier)
        if altered is not None and same_table(altered, table):
            return earlier.span.line
    return None


def _earlier_in_transaction(statement: Statement, context: Context) -> list[Statement]:
    """The statements that ran before ``statement`` in its transaction (none if autocommit)."""
    transaction = context.transaction_of(statement)
    if transaction is None or not transaction.is_block:
        return []
    return [member for member in transaction.statements if member.index < statement.index]


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    transaction = _earlier_in_transaction(statement, context)
    if not transaction:
        return
    for dml in row_changes(statement.expression):
        table = changed_table(dml)
        if table is None or context.is_new_table(table):
            continue
        line = _altered_on_line(table, transaction)
        if line is not None:
            yield Violation(
                message=(
                    f"Do not backfill `{qualified_name(table)}` in the transaction that "
                    f"altered it on line {line}"
                ),
                help="Commit the ALTER first; backfill in a separate migration, in batches",
            )


RULE = StatementRule(
    id="backfill-in-ddl-transaction",
    severity=Severity.ERROR,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=CARRIERS,
    check=check,
)
