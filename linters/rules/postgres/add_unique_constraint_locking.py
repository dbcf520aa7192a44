"""Unique constraint that builds its index under an exclusive lock.

## What it does
Reports `ADD [CONSTRAINT name] UNIQUE (...)` and `ADD COLUMN ... UNIQUE` on an existing table.
`ADD CONSTRAINT name UNIQUE USING INDEX index` is the safe form and is not reported.

Ignores tables created earlier in the same change.

## Why is this bad?
PostgreSQL builds the constraint's unique index inside the `ALTER TABLE`, holding an ACCESS
EXCLUSIVE lock: reads and writes are blocked for the whole build, and the statement fails at
the end if a duplicate exists.

## Example
```sql
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
-- ACCESS EXCLUSIVE on users: reads and writes blocked for the whole index build
```

## Use instead
```sql
-- schemabot:no-transaction
CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);

-- next migration, once the index is valid (pg_index.indisvalid): a brief lock only
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;
```
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

_RECIPE = "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX"


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    alter = alter_subcommands(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    table = qualified_name(alter.table)
    for subcommand in alter.subcommands:
        if subcommand.constraint_kind == "UNIQUE" and subcommand.using_index is None:
            name = subcommand.constraint_name
            label = f"unique constraint `{name}`" if name else "the unique constraint"
            yield Violation(
                message=f"Add {label} on `{table}` USING INDEX built CONCURRENTLY",
                help=_RECIPE,
            )
        elif subcommand.adds_column and subcommand.has_words("UNIQUE"):
            yield Violation(
                message=f"Add column `{subcommand.column_name}` to `{table}` without UNIQUE; "
                "add the constraint USING INDEX built CONCURRENTLY",
                help=f"Add the column, then {_RECIPE}",
            )


RULE = StatementRule(
    id="add-unique-constraint-locking",
    severity=Severity.ERROR,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    alter_actions=frozenset({"ADD COLUMN", "ADD CONSTRAINT"}),
    check=check,
)
