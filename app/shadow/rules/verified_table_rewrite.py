"""Statement that rewrote an existing table.

## What it does
Reports a statement after which a table that existed before the pull request's migrations
has new storage: PostgreSQL gave it a new `relfilenode`, MariaDB a new InnoDB table id. Every
row was copied. With `shadow_rows`, the finding says how many rows and how long the copy took.

Ignores tables created earlier in the pull request, `TRUNCATE` (new storage, no copy), and
the statements of a file that failed (the failure is what to fix there).
Not reported again when a lint rule already flags the statement as a rewrite
(`change-column-type`, `table-rewrite-command`, `mysql-copy-algorithm`, ...).

## Why is this bad?
A rewrite takes time in proportion to the table's size, and holds a lock for all of it:
ACCESS EXCLUSIVE on PostgreSQL (reads and writes wait), at least a write-blocking lock on
MariaDB for a table copy. What takes milliseconds on the scratch database takes minutes on a
large production table, and needs twice the table's disk space meanwhile.

## Example
```sql
ALTER TABLE orders ALTER COLUMN amount TYPE bigint;
-- PostgreSQL: ACCESS EXCLUSIVE on orders while every row is copied
```

## Use instead
Change the table in steps that keep its storage: add a new column, backfill it in batches,
switch reads and writes over, drop the old column later. Where a rewrite is unavoidable, use
an online schema change tool (pg_repack, gh-ost, pt-online-schema-change) or a maintenance
window.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.shadow.results import ShadowReport
from app.shadow.verified_rule import VerifiedRule
from linters.finding import Finding, Severity

_TRUNCATE = re.compile(r"^\s*TRUNCATE\b", re.I)


def check(report: ShadowReport) -> Iterator[Finding]:
    for run in report.completed:
        if _TRUNCATE.match(run.text):
            continue
        for rewrite in run.rewrites:
            took = f" in {run.duration_ms:,.0f} ms" if run.duration_ms is not None else ""
            yield Finding(
                run.path, run.span, RULE.id, RULE.severity,
                f"Avoid rewriting `{rewrite.table}`: this statement copied all "
                f"{rewrite.rows:,} rows of the scratch table{took}",
                "Keep the table's storage: add a new column, backfill in batches, switch over",
            )  # fmt: skip


RULE = VerifiedRule(
    id="verified-table-rewrite",
    severity=Severity.WARNING,
    doc=__doc__ or "",
    check=check,
    same_meaning=frozenset(
        {
            "add-column-auto-increment",
            "add-column-generated-stored",
            "add-column-volatile-default",
            "change-column-type",
            "column-reordered",
            "mysql-add-column-expression-default",
            "mysql-add-column-position",
            "mysql-convert-charset",
            "mysql-copy-algorithm",
            "mysql-enum-set-change",
            "mysql-primary-key-change",
            "mysql-set-not-null",
            "mysql-table-rebuild",
            "table-rewrite-command",
        }
    ),
)
