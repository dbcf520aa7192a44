"""Index created without CONCURRENTLY.

## What it does
Reports `CREATE [UNIQUE] INDEX` without `CONCURRENTLY` on an existing table.

Ignores indexes on tables (and materialized views) created earlier in the same change: nobody
writes to them yet. Ignores known partitioned tables, where `CONCURRENTLY` is not allowed:
`index-on-partitioned-parent` reports those.

## Why is this bad?
A plain `CREATE INDEX` holds a SHARE lock on the table for the whole build: every `INSERT`,
`UPDATE` and `DELETE` waits, for minutes on a large table. `CREATE INDEX CONCURRENTLY` takes a
SHARE UPDATE EXCLUSIVE lock instead, which lets reads and writes go on while it builds.

## Example
```sql
CREATE INDEX ix_users_email ON users (email);
-- SHARE lock on users: writes blocked for the whole build
```

## Use instead
```sql
-- schemabot:no-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_users_email ON users (email);
```
`CREATE INDEX CONCURRENTLY` cannot run inside a transaction: put it alone in a file marked
`-- schemabot:no-transaction`. If it fails, it leaves an INVALID index behind (which
`IF NOT EXISTS` would then accept): `DROP INDEX CONCURRENTLY` it and run the migration again.

## References
- [PostgreSQL: Building Indexes Concurrently](https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.index_creations import index_creation
from linters.sql.object_names import qualified_name
from linters.sql.schema_facts import facts_before
from linters.sql.statement_edits import insert_after
from linters.statement import Statement

_INDEX_KEYWORDS = re.compile(r"CREATE\s+(?:UNIQUE\s+)?INDEX\b", re.IGNORECASE)


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    index = index_creation(statement)
    if index is None or index.concurrently or index.only or context.is_new_table(index.table):
        return
    table = index.table
    facts = facts_before(statement, context)
    table_facts = facts.table(table)
    if facts.is_new_table(table) or (table_facts is not None and table_facts.partitioned):
        return
    yield Violation(
        message=f"Create {index.label(qualified_name(table))} CONCURRENTLY",
        help="Use CREATE INDEX CONCURRENTLY, alone in a file marked `-- schemabot:no-transaction`",
        suggestion=insert_after(statement, _INDEX_KEYWORDS, " CONCURRENTLY"),
    )


RULE = StatementRule(
    id="create-index-not-concurrently",
    severity=Severity.ERROR,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Create, exp.Command),
    check=check,
)
