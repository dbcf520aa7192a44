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
from linters.sql.session_state import BlockingLock, StatementSession, file_session

_SETTING = {"postgres": "statement_timeout", "mariadb": "max_statement_time"}
_SET_STATEMENT = {
    "postgres": "SET statement_timeout = '5min';",
    "mariadb": "SET SESSION max_statement_time = 300;",
}


def _long_running_on(step: StatementSession) -> BlockingLock | None:
    """A lock on an existing table the statement may keep busy for long."""
    if step.existing_blocking_locks:
        return step.existing_blocking_locks[0]
    expression = step.statement.expression
    changes_rows = isinstance(expression, exp.Update | exp.Delete | exp.Merge) or (
        isinstance(expression, exp.Insert) and expression.find(exp.Select) is not None
    )
    if changes_rows and expression is not None:
        target = expression.this.find(exp.Table) if expression.this is not None else None
        if isinstance(target, exp.Table) and not step.is_new(target):
            return BlockingLock(target, "row")
    return None


def check(file: LintedFile) -> Iterator[Violation]:
    context = file.context
    if context.config.runner_sets_timeouts:
        return
    setting = _SETTING[context.dialect]
    for step in file_session(context).statements:
        lock = None if step.bounds(setting) else _long_running_on(step)
        if lock is not None:
            set_statement = _SET_STATEMENT[context.dialect]
            yield Violation(
                message=(
                    f"Set `{setting}` before this statement on {lock.target}: "
                    "nothing bounds how long it holds its locks"
                ),
                help=f"Start the file with `{set_statement}`, a bound suited to the table",
                statement=step.statement,
                suggestion=f"{set_statement}\n{step.statement.text}",
            )
            return


RULE = FileRule(
    id="statement-timeout-missing",
    severity=Severity.INFO,
    dialects=frozenset({"postgres", "mariadb"}),
    doc=__doc__ or "",
    check=check,
)
