"""Schema change inside an explicit transaction on MySQL/MariaDB.

## What it does
Reports DDL (`CREATE`, `ALTER`, `DROP`, `RENAME`, `TRUNCATE`, `GRANT`, ...) written between
`BEGIN` / `START TRANSACTION` and `COMMIT` / `ROLLBACK` in a MySQL or MariaDB migration.

## Why is this bad?
MySQL and MariaDB commit implicitly before and after every DDL statement, even one that fails.
The `BEGIN ... COMMIT` around it promises an atomicity the server does not give: the work before
the DDL is committed at the DDL, the DDL cannot be rolled back, and what follows runs in
autocommit. A failure half-way leaves the migration partly applied.

## Example
```sql
START TRANSACTION;
INSERT INTO plans (name) VALUES ('pro');
ALTER TABLE accounts ADD COLUMN plan_id bigint;  -- commits the INSERT; cannot be rolled back
UPDATE accounts SET plan_id = 1;                 -- autocommit: no transaction any more
COMMIT;                                          -- commits nothing
```

## Use instead
```sql
-- V8__add_accounts_plan_id.sql: one DDL statement per migration
ALTER TABLE accounts ADD COLUMN plan_id bigint;
-- V9__backfill_accounts_plan_id.sql: data changes in their own migration
START TRANSACTION;
INSERT INTO plans (name) VALUES ('pro');
UPDATE accounts SET plan_id = 1;
COMMIT;
```
The runner records each MySQL migration as started before and done after, so a partly applied
file is detected; keep files small so that what to repair is obvious. `CREATE/DROP TEMPORARY
TABLE` does not commit and is not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from linters.dialects import MYSQL
from linters.finding import Severity
from linters.rule import FileRule, LintedFile, Violation
from linters.sql.statement_kinds import statement_head
from linters.sql.transactions import Control, commits_implicitly, transaction_control


def check(file: LintedFile) -> Iterator[Violation]:
    begin_line: int | None = None
    for statement in file.up_statements:
        control = transaction_control(statement)
        if control is not None and control.control is Control.BEGIN:
            begin_line = statement.span.line
        elif control is not None and control.ends_transaction:
            begin_line = None
        elif begin_line is not None and commits_implicitly(statement):
            yield Violation(
                message=(
                    f"Move `{statement_head(statement)}` out of the transaction begun on line "
                    f"{begin_line}: MySQL commits before and after it"
                ),
                help="One DDL per migration, outside BEGIN ... COMMIT; data changes separately",
                statement=statement,
            )


RULE = FileRule(
    id="mysql-ddl-in-transaction",
    severity=Severity.WARNING,
    dialects=MYSQL,
    doc=__doc__ or "",
    check=check,
)
