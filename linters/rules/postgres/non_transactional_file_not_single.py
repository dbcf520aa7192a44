"""Non-transactional file with more than one statement.

## What it does
Reports a PostgreSQL migration marked non-transactional (`-- schemabot:no-transaction`,
`-- atlas:txmode none`, dbmate's `transaction:false`) that runs more than one statement, when a
statement that may already have run before a later failure cannot run a second time.

## Why is this bad?
Without a transaction each statement commits on its own. If the second statement fails, the
first has already happened: the file is half-applied, the runner stops, and re-running the file
fails on its first statement. Someone has to repair the database by hand. golang-migrate even
skips its transaction only for single-statement files, for this reason.

## Example
```sql
-- schemabot:no-transaction
CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);
CREATE INDEX CONCURRENTLY orders_created_idx ON orders (created_at);
-- the second build fails (a deadlock, a timeout): a retry fails at once, because
-- orders_status_idx already exists
```

## Use instead
```sql
-- V10__index_orders_status.sql
-- schemabot:no-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON orders (status);

-- V11__index_orders_created_at.sql
-- schemabot:no-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_idx ON orders (created_at);
```
Exempt: session settings (`SET lock_timeout ...`), and files in which every statement that can
run before another is safe to repeat (`IF [NOT] EXISTS`, `OR REPLACE`, `VACUUM`, `ANALYZE`,
`REINDEX`, `VALIDATE CONSTRAINT`). An explicit `BEGIN ... COMMIT` block counts as one step.
Beware: a failed `CREATE INDEX CONCURRENTLY` leaves an INVALID index that `IF NOT EXISTS` then
accepts; check `pg_index.indisvalid` before relying on a retry.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import FileRule, LintedFile, Violation
from linters.sql.existence_guards import is_rerunnable
from linters.sql.statement_kinds import StatementKind, statement_head, statement_kind


def check(file: LintedFile) -> Iterator[Violation]:
    context = file.context
    if context.wrapped_in_transaction:
        return
    steps = [
        [st for st in transaction.statements if statement_kind(st) is not StatementKind.SESSION]
        for transaction in file.context.transactions
    ]
    steps = [step for step in steps if step]
    for step, next_step in pairwise(steps):
        unsafe = next((statement for statement in step if not is_rerunnable(statement)), None)
        if unsafe is None:
            continue
        filename = file.path.rsplit("/", 1)[-1]
        yield Violation(
            message=(
                f"Split `{filename}` into one statement per file: if this statement fails, "
                f"`{statement_head(unsafe)}` on line {unsafe.span.line} cannot be re-run"
            ),
            help="One statement per non-transactional file, or IF [NOT] EXISTS on each",
            statement=next_step[0],
        )
        return


RULE = FileRule(
    id="non-transactional-file-not-single",
    severity=Severity.WARNING,
    dialects=POSTGRES,
    doc=__doc__ or "",
    check=check,
)
