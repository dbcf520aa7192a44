"""Stored generated column added to an existing table.

## What it does
Reports `ADD COLUMN ... GENERATED ALWAYS AS (expr) STORED` (PostgreSQL, MySQL, MariaDB),
MySQL's `ADD COLUMN ... AS (expr) STORED` and MariaDB's `PERSISTENT`, on an existing table.

Ignores tables created earlier in the same change and virtual generated columns (MySQL's
default; PostgreSQL 18's `VIRTUAL`, its default from 18 on).

## Why is this bad?
A stored generated column has to be computed and written for every existing row. PostgreSQL
rewrites the table under an ACCESS EXCLUSIVE lock (reads and writes blocked); MySQL copies the
table with writes blocked.

## Example
```sql
ALTER TABLE orders ADD COLUMN total numeric GENERATED ALWAYS AS (price * quantity) STORED;
-- PostgreSQL: ACCESS EXCLUSIVE on orders while every row is rewritten
```

## Use instead
```sql
-- PostgreSQL: a plain column, kept up to date by a trigger, backfilled in batches
ALTER TABLE orders ADD COLUMN total numeric;
-- CREATE TRIGGER orders_total BEFORE INSERT OR UPDATE ON orders ... ; then backfill

-- MySQL / MariaDB, PostgreSQL 18: a virtual column costs nothing to add
ALTER TABLE orders ADD COLUMN total DECIMAL(12, 2) AS (price * quantity) VIRTUAL;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL, POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.alter_subcommands import AlterSubcommand, alter_subcommands
from linters.sql.object_names import qualified_name
from linters.statement import Statement


def _stored_generated(subcommand: AlterSubcommand) -> bool:
    words = subcommand.definition_words
    return "AS" in words and bool({"STORED", "PERSISTENT"} & set(words))


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    alter = alter_subcommands(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    table = qualified_name(alter.table)
    alternative = (
        "a plain column kept by a trigger and backfilled in batches (PostgreSQL 18: VIRTUAL)"
        if statement.dialect == "postgres"
        else "a VIRTUAL generated column, or a plain column backfilled in batches"
    )
    for subcommand in alter.subcommands:
        if subcommand.adds_column and _stored_generated(subcommand):
            yield Violation(
                message=f"Add generated column `{subcommand.column_name}` to `{table}` without "
                "STORED",
                help=f"A stored generated column rewrites the table: use {alternative}",
            )


RULE = StatementRule(
    id="add-column-generated-stored",
    severity=Severity.ERROR,
    dialects=POSTGRES | MYSQL,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    alter_actions=frozenset({"ADD COLUMN"}),
    check=check,
)
