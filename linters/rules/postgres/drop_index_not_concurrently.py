"""Index dropped without CONCURRENTLY.

## What it does
Reports `DROP INDEX` without `CONCURRENTLY`.

Ignores indexes created earlier in the same file on a table created earlier in the change.

## Why is this bad?
`DROP INDEX` takes an ACCESS EXCLUSIVE lock on the index's table. The drop itself is quick, but
the lock request waits for every running query on the table, and every query that arrives
after it waits too: one long report turns a millisecond drop into an outage.
`DROP INDEX CONCURRENTLY` waits for those queries without blocking anyone.

## Example
```sql
DROP INDEX ix_users_email;
-- ACCESS EXCLUSIVE on users: reads and writes queue behind the drop
```

## Use instead
```sql
-- schemabot:no-transaction
DROP INDEX CONCURRENTLY IF EXISTS ix_users_email;
```
`DROP INDEX CONCURRENTLY` runs outside a transaction (a file marked
`-- schemabot:no-transaction`), drops one index at a time, and takes no `CASCADE`. It cannot
drop an index that backs a constraint (drop the constraint instead) or an index on a
partitioned table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.schema_facts import facts_before
from linters.sql.statement_edits import insert_after
from linters.statement import Statement

_DROP_INDEX = re.compile(r"DROP\s+INDEX\b", re.IGNORECASE)


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    drop = statement.expression
    if not isinstance(drop, exp.Drop) or str(drop.args.get("kind")).upper() != "INDEX":
        return
    if drop.args.get("concurrently"):
        return
    indexes = [index for index in drop.args.get("tables") or () if isinstance(index, exp.Table)]
    facts = facts_before(statement, context)
    known = [facts.index(index.name) for index in indexes]
    if known and all(item is not None and facts.is_new_table(item.table) for item in known):
        return
    names = ", ".join(f"`{index.sql(dialect='postgres')}`" for index in indexes)
    mechanical = len(indexes) == 1 and not drop.args.get("cascade")
    yield Violation(
        message=f"Drop index {names} CONCURRENTLY",
        help="Use DROP INDEX CONCURRENTLY, alone in a file marked `-- schemabot:no-transaction`",
        suggestion=insert_after(statement, _DROP_INDEX, " CONCURRENTLY") if mechanical else None,
    )


RULE = StatementRule(
    id="drop-index-not-concurrently",
    severity=Severity.WARNING,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Drop,),
    check=check,
)
