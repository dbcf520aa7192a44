"""Transaction opened and never committed.

## What it does
Reports a `BEGIN` / `START TRANSACTION` (or `COMMIT AND CHAIN`) whose transaction is still open
at the end of a file the runner does not wrap: a PostgreSQL file marked no-transaction, or any
MySQL/MariaDB file.

## Why is this bad?
The statements run, report success, and are rolled back when the runner's connection closes:
the migration is recorded as applied although it changed nothing. Worse, the runner's own
history row may be written inside the still-open transaction and vanish with it.

## Example
```sql
-- schemabot:no-transaction
BEGIN;
UPDATE orders SET status = 'new' WHERE status IS NULL;
-- end of file: the UPDATE is rolled back at disconnect, the migration counts as applied
```

## Use instead
```sql
-- schemabot:no-transaction
BEGIN;
UPDATE orders SET status = 'new' WHERE status IS NULL;
COMMIT;
```
Files the runner wraps are exempt: its own `COMMIT` ends whatever is open (a `BEGIN` there is
`transaction-control-in-wrapped-file`). On MySQL/MariaDB a schema change commits the open
transaction implicitly, so a `BEGIN` followed by DDL is not reported here (but by
`mysql-ddl-in-transaction`).
"""

from __future__ import annotations

from collections.abc import Iterator

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import FileRule, LintedFile, Violation
from linters.sql.transactions import TransactionKind


def check(file: LintedFile) -> Iterator[Violation]:
    context = file.context
    if context.wrapped_in_transaction:
        return
    found = file.context.transactions
    last = found[-1] if found else None
    if last is None or last.kind is not TransactionKind.EXPLICIT or last.end is not None:
        return
    begin = last.begin
    written = " ".join(begin.text.split()) if begin is not None else "BEGIN"
    yield Violation(
        message=f"Commit the transaction that `{written}` opens: it is still open at the end",
        help="Add COMMIT; an open transaction is rolled back when the connection closes",
        statement=begin,
    )


RULE = FileRule(
    id="transaction-not-committed",
    severity=Severity.ERROR,
    dialects=ALL,
    doc=__doc__ or "",
    check=check,
)
