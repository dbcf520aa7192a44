"""Lock taken without a lock timeout.

## What it does
Reports the first statement of a file that takes a lock conflicting with the application's
queries on an existing table, when no lock timeout is in effect for it: no earlier
`SET lock_timeout` (PostgreSQL; `SET LOCAL` counts inside a transaction only) or
`SET [SESSION] lock_wait_timeout` (MySQL/MariaDB; `SET GLOBAL` does not change the running
session), set to something other than 0.

PostgreSQL: any lock from SHARE up (`CREATE INDEX`, most `ALTER TABLE`, `CREATE TRIGGER`,
`DROP`, `TRUNCATE`, `LOCK`, a foreign key's referenced table ...). MySQL/MariaDB: every DDL on
an existing table, since each takes an exclusive metadata lock, even `ALGORITHM=INSTANT`.

## Why is this bad?
A DDL statement first waits for its lock. If one long transaction or a slow query holds the
table, the DDL waits, and every query that arrives after it queues behind the waiting DDL,
however short the DDL itself would be: reads and writes on the table stop until the long
transaction ends. A short lock timeout makes the migration fail fast instead, to be retried.
MySQL's default `lock_wait_timeout` is one year (MariaDB: one day).

## Example
```sql
ALTER TABLE users ADD COLUMN nickname text;
-- waits behind a 10-minute report query; meanwhile every query on users queues behind it
```

## Use instead
```sql
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN nickname text;  -- gives up after 2 s; retry later
```
MySQL/MariaDB: `SET SESSION lock_wait_timeout = 5;` (MariaDB also `ALTER TABLE ... WAIT 5` or
`NOWAIT`). Exempt: tables created earlier in the same change, `LOCK ... NOWAIT`, and every file
when the configuration says `runner_sets_timeouts = true` (the runner sets the environment's
timeout on its session).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from linters.dialects import MYSQL, POSTGRES
from linters.finding import Severity
from linters.rule import FileRule, LintedFile, Violation
from linters.sql.session_state import BlockingLock, file_session

if TYPE_CHECKING:
    from linters.statement import Statement

_SETTING = {
    "postgres": "lock_timeout",
    "mysql": "lock_wait_timeout",
    "mariadb": "lock_wait_timeout",
}
_SET_STATEMENT = {
    "postgres": "SET lock_timeout = '2s';",
    "mysql": "SET SESSION lock_wait_timeout = 5;",
    "mariadb": "SET SESSION lock_wait_timeout = 5;",
}


def check(file: LintedFile) -> Iterator[Violation]:
    context = file.context
    if context.config.runner_sets_timeouts:
        return
    setting, mariadb = _SETTING[context.dialect], context.dialect == "mariadb"
    for step in file_session(context).statements:
        if step.bounds(setting):
            continue
        words = step.statement.words
        if "NOWAIT" in words or (mariadb and "WAIT" in words):
            continue  # waits briefly
        locked = step.existing_blocking_locks
        if locked:
            yield _violation(step.statement, setting, locked[0])
            return


def _violation(statement: Statement, setting: str, lock: BlockingLock) -> Violation:
    set_statement = _SET_STATEMENT[statement.dialect]
    return Violation(
        message=(
            f"Set `{setting}` before locking {lock.target} ({lock.lock}): while it "
            "waits, every query on the table queues behind it"
        ),
        help=f"Start the file with `{set_statement}` and retry the migration when it times out",
        statement=statement,
        suggestion=f"{set_statement}\n{statement.text}",
    )


RULE = FileRule(
    id="lock-timeout-missing",
    severity=Severity.WARNING,
    dialects=POSTGRES | MYSQL,
    doc=__doc__ or "",
    check=check,
)
