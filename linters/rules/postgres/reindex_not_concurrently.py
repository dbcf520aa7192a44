"""REINDEX without CONCURRENTLY.

## What it does
Reports `REINDEX INDEX | TABLE | SCHEMA | DATABASE` without `CONCURRENTLY` (as a keyword or in
the option list) when the server is PostgreSQL 12 or later (assumed when no `postgres_version`
is configured).

Ignores tables created earlier in the same change and indexes created on them earlier in the
same file, `REINDEX SYSTEM` (which has no concurrent form), and servers older than 12.

## Why is this bad?
A plain `REINDEX` holds a SHARE lock on the table, blocking every write, and an ACCESS
EXCLUSIVE lock on each index it rebuilds, blocking the reads that would use it, for the whole
rebuild. `REINDEX ... CONCURRENTLY` builds a new copy next to the old one and swaps them with
only short locks.

## Example
```sql
REINDEX INDEX ix_orders_created_at;
-- SHARE lock on orders: writes blocked; reads using the index blocked, for the whole rebuild
```

## Use instead
```sql
-- schemabot:no-transaction
REINDEX INDEX CONCURRENTLY ix_orders_created_at;
```
`REINDEX ... CONCURRENTLY` cannot run in a transaction: put it alone in a file marked
`-- schemabot:no-transaction`. A failed run leaves an INVALID `_ccnew` index to drop.

## References
- [PostgreSQL: Rebuilding Indexes Concurrently](https://www.postgresql.org/docs/current/sql-reindex.html#SQL-REINDEX-CONCURRENTLY)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.maintenance_commands import maintenance_command
from linters.sql.object_names import qualified_name
from linters.sql.schema_facts import facts_before
from linters.sql.statement_edits import insert_after
from linters.statement import Statement

_REINDEX_KIND = re.compile(
    r"REINDEX\s*(?:\([^)]*\)\s*)?(?:INDEX|TABLE|SCHEMA|DATABASE)\b", re.IGNORECASE
)


def _on_new_table(statement: Statement, context: Context, kind: str, name: exp.Table) -> bool:
    facts = facts_before(statement, context)
    if kind == "TABLE":
        return facts.is_new_table(name)
    index = facts.index(name.name) if kind == "INDEX" else None
    return index is not None and facts.is_new_table(index.table)


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    command = maintenance_command(statement)
    if command is None or command.verb != "REINDEX" or "CONCURRENTLY" in command.options:
        return
    version = context.server_version
    if command.kind in (None, "SYSTEM") or (version is not None and version < (12,)):
        return
    kind = command.kind or ""
    targets = command.targets
    if targets and all(_on_new_table(statement, context, kind, name) for name in targets):
        return
    names = ", ".join(qualified_name(name) for name in targets) or "the current database"
    yield Violation(
        message=f"Reindex {kind.lower()} `{names}` CONCURRENTLY",
        help="Use REINDEX ... CONCURRENTLY, alone in a file marked `-- schemabot:no-transaction`",
        suggestion=insert_after(statement, _REINDEX_KIND, " CONCURRENTLY"),
    )


RULE = StatementRule(
    id="reindex-not-concurrently",
    severity=Severity.ERROR,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Command,),
    check=check,
)
