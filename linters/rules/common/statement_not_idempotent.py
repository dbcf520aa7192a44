"""CREATE or DROP that fails when the migration is retried.

## What it does
Reports `CREATE` without `IF NOT EXISTS` (or `OR REPLACE`), `DROP` without `IF EXISTS`, and on
PostgreSQL and MariaDB `ALTER TABLE ... ADD COLUMN` / `DROP COLUMN` without them, where the
statement commits on its own and another statement follows it in the file: in a PostgreSQL file
marked non-transactional (outside any `BEGIN`), and in every MySQL/MariaDB file, whose DDL
commits implicitly.

## Why is this bad?
When a later statement fails, this one has already been committed. The runner stops, someone
fixes the cause and retries the migration, and the retry fails at once on this statement:
`relation "orders_status_idx" already exists`. The file cannot be applied any more without
editing the database by hand.

## Example
```sql
-- MySQL
CREATE TABLE plans (id bigint PRIMARY KEY, name varchar(40));
ALTER TABLE accounts ADD COLUMN plan_id bigint;  -- fails (lock wait timeout)
-- the retry: ERROR 1050: Table 'plans' already exists
```

## Use instead
```sql
CREATE TABLE IF NOT EXISTS plans (id bigint PRIMARY KEY, name varchar(40));
ALTER TABLE accounts ADD COLUMN plan_id bigint;
```
Exempt: statements inside a transaction (a failure rolls them back), the last statement of the
file (if it fails, it did not happen), and statements the server offers no guard for (MySQL
has no `IF NOT EXISTS` on `CREATE INDEX` or `ADD COLUMN`; PostgreSQL none on `CREATE TYPE`).
Beware: a failed `CREATE INDEX CONCURRENTLY` leaves an INVALID index behind that `IF NOT EXISTS`
then accepts; drop it before the retry.
"""

from __future__ import annotations

from collections.abc import Iterator

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import FileRule, LintedFile, Violation
from linters.sql.existence_guards import missing_guard
from linters.sql.statement_kinds import StatementKind, statement_kind

#: Statements that neither fail a retry nor change anything by running before a failure.
_NOT_A_STEP = (StatementKind.SESSION, StatementKind.TRANSACTION)


def check(file: LintedFile) -> Iterator[Violation]:
    context = file.context
    statements = file.up_statements
    steps = [st for st in statements if statement_kind(st) not in _NOT_A_STEP]
    if len(steps) < 2:
        return
    # The last step needs no guard: if it fails, it did not happen.
    last = steps[-1]
    for transaction in context.transactions:
        if transaction.is_block or transaction.statements[0] is last:
            continue
        statement = transaction.statements[0]
        guard = missing_guard(statement, context.server_version)
        if guard is None:
            continue
        if guard.fixed is None:
            message = f"Name the index of `{guard.target}` and add `{guard.clause}`"
        else:
            message = f"Add `{guard.clause}` to `{guard.target}`: a retry would fail on it"
        yield Violation(
            message=message,
            help="The file cannot roll back: a retry after a later failure re-runs this statement",
            statement=statement,
            suggestion=guard.fixed,
        )


RULE = FileRule(
    id="statement-not-idempotent",
    severity=Severity.INFO,
    dialects=ALL,
    doc=__doc__ or "",
    check=check,
)
