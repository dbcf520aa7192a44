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
from linters.sql.locks import LockMode, postgres_locks
from linters.sql.new_tables import NewTables
from linters.sql.object_names import qualified_name
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
    context = file.context
    new_tables = NewTables(context)
    for transaction in file.context.transactions:
        held: dict[str, tuple[str, int]] = {}  # short name -> (name, line that locked it)
        reported = not transaction.is_block
        for statement in transaction.statements:
            locks = [
                lock
                for lock in postgres_locks(statement)
                if not lock.on_index and not new_tables.is_new(lock.table)
            ]
            others = [lock for lock in locks if _short_key(lock.table) not in held]
            if held and others and not reported:
                name, line = next(iter(held.values()))
                yield Violation(
                    message=(
                        f"Commit before working on `{qualified_name(others[0].table)}`: "
                        f"`{name}` stays ACCESS EXCLUSIVE locked (line {line}) until then"
                    ),
                    help=f"Make the statement that locks `{name}` the last of its transaction",
                    statement=statement,
                )
                reported = True
            gone = _dropped(statement)
            for lock in locks:
                if lock.mode is LockMode.ACCESS_EXCLUSIVE and _short_key(lock.table) not in gone:
                    held.setdefault(
                        _short_key(lock.table), (qualified_name(lock.table), statement.span.line)
                    )
            new_tables.observe(statement)


RULE = FileRule(
    id="statements-after-exclusive-lock",
    severity=Severity.WARNING,
    dialects=POSTGRES,
    doc=__doc__ or "",
    check=check,
)
