"""Long-running migration statement without a statement timeout.

## What it does
Reports the first statement of a file that holds a lock blocking the application on an existing
table, or changes rows of an existing table (`UPDATE`, `DELETE`, `MERGE`, `INSERT ... SELECT`),
when no statement timeout is in effect: no earlier `SET statement_timeout` (PostgreSQL) or
`SET [SESSION] max_statement_time` (MariaDB), set to something other than 0.

## Why is this bad?
A statement that runs far longer than expected (a table ten times larger in production, a
missing index behind an `UPDATE ... WHERE`) keeps its locks the whole time: writes, or all
access, to the table stay blocked until someone notices and cancels it. A timeout suited to the
table turns an outage into a failed migration.

## Example
```sql
SET lock_timeout = '2s';
ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2);
-- rewrites 400 million rows under ACCESS EXCLUSIVE: orders is unusable for an hour
```

## Use instead
```sql
SET lock_timeout = '2s';
SET statement_timeout = '5min';
ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2);
```
MariaDB: `SET SESSION max_statement_time = 300;` (seconds). MySQL has no bound for DDL or data
changes (`max_execution_time` limits read-only SELECTs only), so the rule does not run for
MySQL. Exempt: tables created earlier in the same change, statements whose locks do not block
the application (`CREATE INDEX CONCURRENTLY`: a timeout would only leave an INVALID index), and
every file when the configuration says `runner_sets_timeouts = true`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.finding import Severity
from linters.rule import FileRule, LintedFile, Violation
from linters.sql.locks import BlockingLock, traffic_blocking_locks
from linters.sql.new_tables import NewTables
from linters.sql.session_settings import SessionSettings
from linters.statement import Statement

_SETTING = {"postgres": "statement_timeout", "mariadb": "max_statement_time"}
_SET_STATEMENT = {
    "postgres": "SET statement_timeout = '5min';",
    "mariadb": "SET SESSION max_statement_time = 300;",
}


def _long_running_on(statement: Statement, new_tables: NewTables) -> BlockingLock | None:
    """A lock on an existing table the statement may keep busy for long."""
    locks = list(traffic_blocking_locks(statement))
    expression = statement.expression
    changes_rows = isinstance(expression, exp.Update | exp.Delete | exp.Merge) or (
        isinstance(expression, exp.Insert) and expression.find(exp.Select) is not None
    )
    if changes_rows and expression is not None:
        target = expression.this.find(exp.Table) if expression.this is not None else None
        locks += [BlockingLock(target, "row")] if isinstance(target, exp.Table) else []
    return next((lock for lock in locks if not new_tables.is_new(lock.table)), None)


def check(file: LintedFile) -> Iterator[Violation]:
    context = file.context
    if context.config.runner_sets_timeouts:
        return
    setting, settings, new_tables = _SETTING[context.dialect], SessionSettings(), NewTables(context)
    for transaction in file.context.transactions:
        for statement in transaction.statements:
            settings.apply(statement, in_transaction_block=transaction.is_block)
            lock = None if settings.bounds(setting) else _long_running_on(statement, new_tables)
            if lock is not None:
                set_statement = _SET_STATEMENT[context.dialect]
                yield Violation(
                    message=(
                        f"Set `{setting}` before this statement on {lock.target}: "
                        "nothing bounds how long it holds its locks"
                    ),
                    help=f"Start the file with `{set_statement}`, a bound suited to the table",
                    statement=statement,
                    suggestion=f"{set_statement}\n{statement.text}",
                )
                return
            new_tables.observe(statement)
        settings.end_transaction()


RULE = FileRule(
    id="statement-timeout-missing",
    severity=Severity.INFO,
    dialects=frozenset({"postgres", "mariadb"}),
    doc=__doc__ or "",
    check=check,
)
