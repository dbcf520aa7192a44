"""Column added with a default that rewrites the table.

## What it does
Reports `ADD COLUMN ... DEFAULT <expr>` on an existing table when the default is volatile:
`random()`, `gen_random_uuid()`, `clock_timestamp()`, `nextval()`, or any function schemabot
does not know to be stable (user functions are VOLATILE unless declared otherwise). On
PostgreSQL before 11 it reports any default other than NULL. Without a configured
`postgres_version`, a current release (11+) is assumed.

Ignores tables created earlier in the same change. `now()` and `CURRENT_TIMESTAMP` are stable:
every existing row gets the time of the migration, with no rewrite. Serial, identity and
generated columns are left to `add-column-auto-increment` and `add-column-generated-stored`.

## Why is this bad?
From PostgreSQL 11 a non-volatile default is computed once and stored in the catalog: adding
the column is instant. A volatile default must be computed for each existing row, so the
whole table is rewritten under an ACCESS EXCLUSIVE lock, blocking reads and writes for the
length of the rewrite. Before 11, every default rewrites.

## Example
```sql
ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();
-- ACCESS EXCLUSIVE on orders: reads and writes blocked while every row is rewritten
```

## Use instead
```sql
ALTER TABLE orders ADD COLUMN public_id uuid;
ALTER TABLE orders ALTER COLUMN public_id SET DEFAULT gen_random_uuid();  -- new rows only
-- then backfill existing rows in batches:
-- UPDATE orders SET public_id = gen_random_uuid() WHERE id BETWEEN ... AND public_id IS NULL;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.alter_subcommands import alter_subcommands
from linters.sql.default_volatility import is_null, is_volatile
from linters.sql.object_names import qualified_name
from linters.statement import Statement

_RECIPE = "Add the column without a default, SET DEFAULT afterwards, backfill rows in batches"


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    alter = alter_subcommands(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    version = context.server_version
    every_default_rewrites = version is not None and version < (11,)
    table = qualified_name(alter.table)
    for subcommand in alter.subcommands:
        column = subcommand.added_column
        default = column.default if column is not None else None
        if column is None or default is None or is_null(default):
            continue
        written = subcommand.default_text or default.sql(dialect="postgres")
        if every_default_rewrites:
            yield Violation(
                message=f"Add column `{column.name.name}` to `{table}` without the default "
                f"`{written}`",
                help=f"PostgreSQL < 11 rewrites the table for any default. {_RECIPE}",
            )
        elif is_volatile(default):
            yield Violation(
                message=f"Add column `{column.name.name}` to `{table}` without the volatile "
                f"default `{written}`",
                help=_RECIPE,
            )


RULE = StatementRule(
    id="add-column-volatile-default",
    severity=Severity.ERROR,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    alter_actions=frozenset({"ADD COLUMN"}),
    check=check,
)
