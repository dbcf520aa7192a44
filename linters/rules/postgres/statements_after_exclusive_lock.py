"""More work in a transaction after an ACCESS EXCLUSIVE lock.

## What it does
Reports the first statement that touches another existing table (locks, reads or writes it)
in a transaction that already holds an ACCESS EXCLUSIVE lock on an existing table: most
`ALTER TABLE` forms, `DROP`, `TRUNCATE`, `LOCK`, `CLUSTER`, `VACUUM FULL`, `REFRESH MATERIALIZED
VIEW`. The transaction is the runner's (the whole file) or an explicit `BEGIN ... COMMIT`.

## Why is this bad?
PostgreSQL releases locks at commit, not at the end of the statement. ACCESS EXCLUSIVE blocks
every query on the table, even a `SELECT`, so the table is unavailable for as long as the
*rest of the transaction* runs: an index build on another table, a lock wait on another table
(now with the first lock held, a recipe for deadlocks and long queues), a backfill.

## Example
```sql
ALTER TABLE users ADD COLUMN team_id bigint;      -- ACCESS EXCLUSIVE on users, held ...
CREATE INDEX orders_created_idx ON orders (created_at);
-- ... for the whole index build on orders: users is unreadable meanwhile
```

## Use instead
```sql
-- V14__index_orders_created_at.sql
CREATE INDEX orders_created_idx ON orders (created_at);

-- V15__add_users_team_id.sql: the exclusive lock is the last thing its transaction does
ALTER TABLE users ADD COLUMN team_id bigint;
```
Not reported: further statements on the same locked table or on tables created in this change
(a backfill of the locked table is `backfill-in-ddl-transaction`), session settings, files
marked non-transactional, where each statement commits on its own, and the lock of a `DROP
TABLE` / `DROP VIEW` on what it drops: nothing can use a dropped table afterwards, however
long its lock lasts.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import FileRule, LintedFile, Violation, table_key, unqualified
from linters.sql.ddl_targets import drop_kind, dropped_objects
from linters.sql.locks import LockMode, takes_row_locks_only
from linters.sql.object_names import qualified_name
from linters.sql.session_state import file_session
from linters.statement import Statement


def _short_key(table: exp.Table) -> str:
    """``public.users`` and ``users`` are the same table here, as for new tables."""
    return unqualified(table_key(table))


def _dropped(statement: Statement) -> set[str]:
    """Tables and views the statement drops: nothing can use them afterwards anyway."""
    drop = statement.expression
    if not isinstance(drop, exp.Drop) or drop_kind(drop) not in ("TABLE", "VIEW"):
        return set()
    return {_short_key(t) for t in dropped_objects(drop) if isinstance(t, exp.Table)}


def check(file: LintedFile) -> Iterator[Violation]:
    for transaction, steps in file_session(file.context).transactions:
        if not transaction.is_block:
            continue  # each statement commits on its own: its locks end with it
        held: dict[str, tuple[str, int]] = {}  # short name -> (name, line that locked it)
        for step in steps:
            statement = step.statement
            if not held and takes_row_locks_only(statement):
                continue  # nothing held yet, and no exclusive lock taken
            locks = step.existing_table_locks
            others = [lock for lock in locks if _short_key(lock.table) not in held] if held else []
            if others:
                name, line = next(iter(held.values()))
                yield Violation(
                    message=(
                        f"Commit before working on `{qualified_name(others[0].table)}`: "
                        f"`{name}` stays ACCESS EXCLUSIVE locked (line {line}) until then"
                    ),
                    help=f"Make the statement that locks `{name}` the last of its transaction",
                    statement=statement,
                )
                break  # one finding per transaction
            gone = _dropped(statement)
            for lock in locks:
                if lock.mode is LockMode.ACCESS_EXCLUSIVE:
                    key = _short_key(lock.table)
                    if key not in gone and key not in held:
                        held[key] = (qualified_name(lock.table), statement.span.line)


RULE = FileRule(
    id="statements-after-exclusive-lock",
    severity=Severity.WARNING,
    dialects=POSTGRES,
    doc=__doc__ or "",
    check=check,
)
