"""Index created on a partitioned table in one statement.

## What it does
Reports `CREATE INDEX` on a table the migration shows to be partitioned: created with
`PARTITION BY`, or named as the parent in `PARTITION OF`, `ATTACH PARTITION` or
`DETACH PARTITION` earlier in the same file.

Ignores a partitioned table created earlier in the same change whose partitions were all
created in the change too (nothing to block yet), except with `CONCURRENTLY`, which PostgreSQL
always refuses on a partitioned table. Tables not known to be partitioned are left to
`create-index-not-concurrently`.

## Why is this bad?
`CREATE INDEX` on a partitioned table builds the index on every partition, holding a SHARE
lock on each until the whole statement ends: writes to all partitions are blocked for the
total build time. `CONCURRENTLY` is not an option there (`cannot create index on partitioned
table concurrently`).

## Example
```sql
CREATE INDEX ix_events_created_at ON events (created_at);
-- SHARE lock on every partition of events: all writes blocked until the last one is built
```

## Use instead
```sql
-- an invalid index on the parent only: instant
CREATE INDEX ix_events_created_at ON ONLY events (created_at);

-- schemabot:no-transaction (one file per partition)
CREATE INDEX CONCURRENTLY ix_events_2025_created_at ON events_2025 (created_at);

-- the parent index becomes valid once every partition's index is attached
ALTER INDEX ix_events_created_at ATTACH PARTITION ix_events_2025_created_at;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.index_creations import index_creation
from linters.sql.object_names import qualified_name
from linters.sql.schema_facts import facts_before
from linters.statement import Statement

_RECIPE = (
    "CREATE INDEX ... ON ONLY the parent, CREATE INDEX CONCURRENTLY on each partition, "
    "then ALTER INDEX ... ATTACH PARTITION"
)


def _mentions_partitions(context: Context) -> bool:
    """Whether the file says anything about partitions; without it no table is known to be
    partitioned, and replaying the file's schema facts would be wasted."""
    return any("PARTITION" in word for statement in context.statements for word in statement.words)


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    index = index_creation(statement)
    if index is None or index.only or not context.derived(_mentions_partitions):
        return
    facts = facts_before(statement, context)
    table_facts = facts.table(index.table)
    if table_facts is None or not table_facts.partitioned:
        return
    parent = qualified_name(index.table)
    label = index.label(parent)
    if index.concurrently:
        yield Violation(
            message=f"Do not create {label} CONCURRENTLY on partitioned table `{parent}`",
            help=f"PostgreSQL refuses it: {_RECIPE}",
        )
        return
    partitions_new = all(facts.is_new_table(name) for name in table_facts.partitions)
    if facts.is_new_table(index.table) and partitions_new:
        return
    yield Violation(
        message=f"Build {label} partition by partition, not on partitioned table `{parent}`",
        help=_RECIPE,
    )


RULE = StatementRule(
    id="index-on-partitioned-parent",
    severity=Severity.WARNING,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Create, exp.Command),
    check=check,
)
