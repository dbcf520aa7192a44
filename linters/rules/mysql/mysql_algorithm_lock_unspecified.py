"""ALTER TABLE without an explicit ALGORITHM (and LOCK).

## What it does
Reports an `ALTER TABLE` on an existing table that does not state `ALGORITHM=`, or that states
`ALGORITHM=INPLACE` (or MariaDB's `NOCOPY`) without `LOCK=`. Off by default: a policy for teams
that want every ALTER to say how it may run.

`ALGORITHM=INSTANT` needs no `LOCK=`: MySQL rejects `ALGORITHM=INSTANT` combined with any
`LOCK=` other than `DEFAULT`, and an instant change takes only a brief metadata lock anyway.

## Why is this bad?
Without `ALGORITHM=` the server picks the cheapest algorithm it supports, and silently falls back
to `INPLACE` (a rebuild) or `COPY` (writes blocked) when a cheaper one does not apply: on an
older server, a table with a FULLTEXT index, a column added in the middle, a type change hidden
in a MODIFY. Stating the algorithm and lock turns that silent fallback into an immediate error,
before anything is locked.

## Example
```sql
ALTER TABLE orders ADD COLUMN note varchar(255);
-- no ALGORITHM: on a table where INSTANT does not apply, MySQL rebuilds or copies orders
```

## Use instead
```sql
ALTER TABLE orders ADD COLUMN note varchar(255), ALGORITHM=INSTANT;
ALTER TABLE orders ADD INDEX ix_orders_created (created_at), ALGORITHM=INPLACE, LOCK=NONE;
-- fails at once with "ALGORITHM=INSTANT is not supported" instead of locking orders
```
Exempt: tables created earlier in the same change.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL
from linters.rule import Context, StatementRule, Violation
from linters.sql.mysql_alter import alter_table
from linters.statement import Statement

#: Algorithms whose concurrency depends on LOCK=.
_LOCK_MATTERS = frozenset({"INPLACE", "NOCOPY"})


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    alter = alter_table(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    if alter.algorithm is None:
        missing = "ALGORITHM=" if alter.lock is not None else "ALGORITHM= and LOCK="
    elif alter.algorithm in _LOCK_MATTERS and alter.lock is None:
        missing = "LOCK="
    else:
        return
    yield Violation(
        message=f"State {missing} on ALTER TABLE `{alter.table_name}`",
        help="Append ALGORITHM=INSTANT, or ALGORITHM=INPLACE, LOCK=NONE, so that the server "
        "fails instead of silently copying the table",
    )


RULE = StatementRule(
    id="mysql-algorithm-lock-unspecified",
    severity=None,
    dialects=MYSQL,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    check=check,
)
