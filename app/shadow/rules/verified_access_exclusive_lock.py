"""Statement that locked an existing table against reads and writes.

## What it does
Reports a statement that took the strongest lock on a table (or view) that existed before
the pull request's migrations: ACCESS EXCLUSIVE on PostgreSQL, read from `pg_locks` inside
the statement's transaction; on MariaDB, an ALTER TABLE or CREATE INDEX that the server
refused to run with `LOCK=NONE` and with `LOCK=SHARED`. The finding says how long the lock
was held on the scratch database: on PostgreSQL, until the file's transaction committed.

Ignores relations created earlier in the pull request, statements whose locks could not be
read (those outside a transaction), the statements of a file that failed, and statements a
lint rule already flags for the same lock (`set-not-null-scan`, `add-check-validating`,
`change-column-type`, ...).

## Why is this bad?
While the lock is held, every query on the table waits, reads included. Worse, while the
statement *waits* for the lock (behind a long-running query or transaction), every query
that comes after it queues behind it: a statement that takes milliseconds can stall all
traffic on the table for as long as the oldest transaction runs.

## Example
```sql
ALTER TABLE orders ADD COLUMN note text;
UPDATE orders SET note = '';
-- ACCESS EXCLUSIVE on orders from the ALTER until the file commits, after the UPDATE
```

## Use instead
Bound the wait and keep the lock short:
```sql
SET lock_timeout = '2s';          -- give up (and retry later) instead of queueing traffic
ALTER TABLE orders ADD COLUMN note text;
-- nothing else in this transaction; backfill in batches in a later migration
```
Prefer forms that take weaker locks where they exist: `CREATE INDEX CONCURRENTLY`,
constraints added `NOT VALID` then validated, `ALGORITHM=INSTANT` / `LOCK=NONE` on MariaDB.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.shadow.results import ShadowReport
from app.shadow.verified_rule import VerifiedRule
from linters.finding import Finding, Severity

#: What a lock on these blocks is what users see wait; an index's or a sequence's lock comes
#: with one on its table.
_RELATION_KINDS = {"table", "partitioned table", "view", "materialized view", "foreign table"}


def check(report: ShadowReport) -> Iterator[Finding]:
    for run in report.completed:
        for lock in run.locks:
            if not (lock.blocks_reads and lock.blocks_writes) or lock.kind not in _RELATION_KINDS:
                continue
            held = f" for {lock.held_ms:,.0f} ms" if lock.held_ms is not None else ""
            yield Finding(
                run.path, run.span, RULE.id, RULE.severity,
                f"Keep the {lock.mode} lock on `{lock.relation}` short: it was held{held} on the "
                "scratch database, and reads and writes wait while it is",
                "Set a short lock_timeout, end the transaction right after, or use a weaker form",
            )  # fmt: skip


RULE = VerifiedRule(
    id="verified-access-exclusive-lock",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    same_meaning=frozenset(
        {
            "add-check-validating",
            "add-column-auto-increment",
            "add-column-generated-stored",
            "add-column-volatile-default",
            "add-exclusion-constraint",
            "add-primary-key-locking",
            "add-unique-constraint-locking",
            "change-column-type",
            "detach-partition-not-concurrently",
            "drop-index-not-concurrently",
            "mysql-convert-charset",
            "mysql-copy-algorithm",
            "mysql-enum-set-change",
            "mysql-primary-key-change",
            "mysql-table-rebuild",
            "refresh-matview-not-concurrently",
            "reindex-not-concurrently",
            "set-not-null-scan",
            "table-rewrite-command",
        }
    ),
)
