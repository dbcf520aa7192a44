"""Transaction control in a file the runner wraps in a transaction.

## What it does
Reports `BEGIN`, `START TRANSACTION`, `COMMIT`, `END`, `ROLLBACK` and `ABORT` in a migration
file that the runner already runs inside one transaction: every PostgreSQL and SQLite file
without the no-transaction directive.

## Why is this bad?
The runner opens a transaction, runs the file and records the migration in its history table in
that same transaction, so that a migration is applied whole or not at all. A `COMMIT` in the
file ends the runner's transaction early: what came before is committed even if a later
statement fails, what follows runs outside any transaction, and the history row is no longer
atomic with the change. A retry then fails half-way. A `BEGIN` does nothing but warn, and
usually comes with such a `COMMIT`.

## Example
```sql
BEGIN;  -- warning: there is already a transaction in progress
ALTER TABLE orders ADD COLUMN status text;
COMMIT;  -- commits the runner's transaction: the history row is written after, separately
CREATE INDEX orders_status_idx ON orders (status);  -- runs outside the transaction
```

## Use instead
```sql
ALTER TABLE orders ADD COLUMN status text;
CREATE INDEX orders_status_idx ON orders (status);
```
To manage transactions yourself, mark the file `-- schemabot:no-transaction` (also accepted:
`-- atlas:txmode none`, dbmate's `-- migrate:up transaction:false`). `SAVEPOINT`, `RELEASE` and
`ROLLBACK TO SAVEPOINT` stay inside the runner's transaction and are not reported. MySQL and
MariaDB files are never wrapped (their DDL commits implicitly); see
`mysql-ddl-in-transaction` there.
"""

from __future__ import annotations

from collections.abc import Iterator

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import FileRule, LintedFile, Violation
from linters.sql.transactions import Control, transaction_control


def check(file: LintedFile) -> Iterator[Violation]:
    if not file.context.wrapped_in_transaction:
        return
    for statement in file.up_statements:
        control = transaction_control(statement)
        if control is None or control.control is Control.SAVEPOINT:
            continue
        written = " ".join(statement.text.split())
        if control.control is Control.BEGIN:
            message = f"Remove `{written}`: the runner already runs this file in a transaction"
        else:
            message = f"Remove `{written}`: it ends the runner's transaction early"
        yield Violation(
            message=message,
            help="Let the runner own the transaction, or mark the file -- schemabot:no-transaction",
            statement=statement,
        )


RULE = FileRule(
    id="transaction-control-in-wrapped-file",
    severity=Severity.ERROR,
    dialects=ALL,
    doc=__doc__ or "",
    check=check,
)
