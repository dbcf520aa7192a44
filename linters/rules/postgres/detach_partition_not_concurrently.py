"""Partition detached without CONCURRENTLY.

## What it does
Reports `ALTER TABLE ... DETACH PARTITION` without `CONCURRENTLY` (or `FINALIZE`) when the
server is PostgreSQL 14 or later (assumed when no `postgres_version` is configured).

Ignores partitioned tables created earlier in the same change, and servers older than 14,
which have no concurrent form.

## Why is this bad?
A plain detach takes an ACCESS EXCLUSIVE lock on the partitioned table: every query on any
partition waits until it is done, and the lock request itself queues behind long-running
queries. `DETACH PARTITION ... CONCURRENTLY` takes only a SHARE UPDATE EXCLUSIVE lock on the
parent.

## Example
```sql
ALTER TABLE events DETACH PARTITION events_2019;
-- ACCESS EXCLUSIVE on events: reads and writes on every partition blocked
```

## Use instead
```sql
-- schemabot:no-transaction
ALTER TABLE events DETACH PARTITION events_2019 CONCURRENTLY;
```
It runs outside a transaction (a file marked `-- schemabot:no-transaction`) and is refused
while the table has a default partition. If it is interrupted, finish it with
`ALTER TABLE events DETACH PARTITION events_2019 FINALIZE`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.alter_subcommands import alter_subcommands
from linters.sql.object_names import qualified_name, qualified_name_tokens
from linters.sql.statement_edits import append
from linters.statement import Statement


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    version = context.server_version
    alter = alter_subcommands(statement)
    if alter is None or (version is not None and version < (14,)):
        return
    if context.is_new_table(alter.table):
        return
    for subcommand in alter.subcommands:
        words = subcommand.top_words
        if words[:2] != ("DETACH", "PARTITION") or {"CONCURRENTLY", "FINALIZE"} & set(words):
            continue
        partition, _ = qualified_name_tokens(list(subcommand.tokens), 2)
        yield Violation(
            message=f"Detach partition `{qualified_name(partition or alter.table)}` from "
            f"`{qualified_name(alter.table)}` CONCURRENTLY",
            help="Use DETACH PARTITION ... CONCURRENTLY, alone in a file marked "
            "`-- schemabot:no-transaction`",
            suggestion=append(statement, " CONCURRENTLY") if len(alter.subcommands) == 1 else None,
        )


RULE = StatementRule(
    id="detach-partition-not-concurrently",
    severity=Severity.ERROR,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    alter_actions=frozenset({"DETACH"}),
    check=check,
)
