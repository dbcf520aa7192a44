"""Statement that cannot run inside a transaction, run inside one.

## What it does
Reports, inside the runner's transaction or inside an explicit `BEGIN ... COMMIT`:
`CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX ... CONCURRENTLY` (and
`REINDEX SCHEMA|DATABASE|SYSTEM`), `ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY`,
`VACUUM`, `CREATE/DROP DATABASE`, `CREATE/DROP TABLESPACE`, `ALTER SYSTEM`, a bare `CLUSTER`,
and on PostgreSQL before 12 `ALTER TYPE ... ADD VALUE`.

## Why is this bad?
PostgreSQL refuses them: `ERROR: CREATE INDEX CONCURRENTLY cannot run inside a transaction
block`. The migration fails on every environment, usually first in production's rollout step,
since a developer's local tool may not wrap files the way the runner does.

## Example
```sql
-- V9__index_orders_status.sql (the runner wraps it in a transaction)
CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);
-- ERROR: CREATE INDEX CONCURRENTLY cannot run inside a transaction block
```

## Use instead
```sql
-- schemabot:no-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON orders (status);
```
Put the statement alone in a file marked non-transactional (`-- schemabot:no-transaction`;
also accepted: `-- atlas:txmode none`, dbmate's `-- migrate:up transaction:false`), outside any
`BEGIN`. The runner then executes it on its own, in autocommit. If a concurrent build fails it
leaves an INVALID index behind: drop it before retrying.
"""

from __future__ import annotations

from collections.abc import Iterator

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import FileRule, LintedFile, Violation
from linters.sql.statement_kinds import statement_head
from linters.sql.transactions import TransactionKind, autocommit_only


def check(file: LintedFile) -> Iterator[Violation]:
    context = file.context
    for transaction in context.transactions:
        if not transaction.is_block:
            continue
        for statement in transaction.statements:
            what = autocommit_only(statement, context.server_version)
            if what is None:
                continue
            if transaction.kind is TransactionKind.RUNNER:
                alternative = "Put it alone in a file marked -- schemabot:no-transaction"
            else:
                alternative = "Move it out of BEGIN ... COMMIT, into a file marked no-transaction"
            yield Violation(
                message=(
                    f"Run `{statement_head(statement, 5)}` outside a transaction: "
                    f"{what} cannot run inside one"
                ),
                help=alternative,
                statement=statement,
            )


RULE = FileRule(
    id="non-transactional-in-transaction",
    severity=Severity.ERROR,
    dialects=POSTGRES,
    doc=__doc__ or "",
    check=check,
)
