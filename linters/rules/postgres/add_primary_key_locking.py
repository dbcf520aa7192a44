"""Primary key that builds its index under an exclusive lock.

## What it does
Reports `ADD [CONSTRAINT name] PRIMARY KEY (...)` and `ADD COLUMN ... PRIMARY KEY` on an
existing table, including a primary key added to replace another one.
`ADD CONSTRAINT name PRIMARY KEY USING INDEX index` is the safe form and is not reported here
(`pk-using-index-nullable` checks its columns).

Ignores tables created earlier in the same change.

## Why is this bad?
PostgreSQL builds the primary key's unique index inside the `ALTER TABLE`, holding an ACCESS
EXCLUSIVE lock: reads and writes are blocked for the whole build. Columns not yet declared
NOT NULL are also set NOT NULL, with a full scan under the same lock.

## Example
```sql
ALTER TABLE events ADD PRIMARY KEY (id);
-- ACCESS EXCLUSIVE on events: reads and writes blocked for the scan and the index build
```

## Use instead
```sql
-- schemabot:no-transaction
CREATE UNIQUE INDEX CONCURRENTLY events_pkey ON events (id);

-- make id NOT NULL without a long lock (see set-not-null-scan), then, a brief lock only:
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey;
```
To replace a primary key, drop the old constraint and add the new one `USING INDEX` in the
same statement; foreign keys that reference the old key must be recreated.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.alter_subcommands import alter_subcommands
from linters.sql.object_names import qualified_name
from linters.statement import Statement

_RECIPE = (
    "CREATE UNIQUE INDEX CONCURRENTLY, make the columns NOT NULL safely, then "
    "ADD CONSTRAINT ... PRIMARY KEY USING INDEX"
)


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    alter = alter_subcommands(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    table = qualified_name(alter.table)
    for subcommand in alter.subcommands:
        if subcommand.constraint_kind == "PRIMARY KEY" and subcommand.using_index is None:
            yield Violation(
                message=f"Add the primary key of `{table}` USING INDEX built CONCURRENTLY",
                help=_RECIPE,
            )
        elif subcommand.adds_column and subcommand.has_words("PRIMARY KEY"):
            yield Violation(
                message=f"Do not add column `{subcommand.column_name}` to `{table}` as its "
                "primary key in one step",
                help=f"Add the column and fill it, then {_RECIPE}",
            )


RULE = StatementRule(
    id="add-primary-key-locking",
    severity=Severity.ERROR,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    alter_actions=frozenset({"ADD COLUMN", "ADD CONSTRAINT"}),
    check=check,
)
