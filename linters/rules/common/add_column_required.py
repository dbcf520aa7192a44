"""NOT NULL column added without a default.

## What it does
Reports `ADD COLUMN ... NOT NULL` (or `PRIMARY KEY`, which implies it) without a default on an
existing table, in PostgreSQL and MySQL/MariaDB. A `DEFAULT NULL` counts as no default.

Ignores tables created earlier in the same change, and columns whose values are generated:
`GENERATED ... AS (...)`, identity, `serial`, `AUTO_INCREMENT` (other rules look at those).

## Why is this bad?
PostgreSQL refuses it on a table that has rows (`column "x" contains null values`): the
migration fails in production after passing on an empty development database. MySQL accepts
it and silently fills existing rows with the type's zero value (`0`, `''`, `0000-00-00`).
Either way, the application version still running during the deploy does not send the column,
and its INSERTs start failing.

## Example
```sql
ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;
-- PostgreSQL: fails on a non-empty table; MySQL: every existing row gets tenant_id = 0
```

## Use instead
```sql
ALTER TABLE users ADD COLUMN tenant_id bigint;  -- or NOT NULL DEFAULT <constant>
-- backfill in batches, deploy code that writes tenant_id, then enforce NOT NULL
-- (PostgreSQL: see set-not-null-scan for doing that without a long lock)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL, POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.alter_subcommands import AlterSubcommand, alter_subcommands
from linters.sql.column_types import is_serial
from linters.sql.default_volatility import is_null
from linters.sql.object_names import qualified_name
from linters.statement import Statement

#: Words that give a column its values without a DEFAULT clause.
_GENERATING = frozenset(
    {"GENERATED", "AS", "AUTO_INCREMENT", "IDENTITY", "SERIAL", "BIGSERIAL", "SMALLSERIAL"}
)


def _required(subcommand: AlterSubcommand, statement: Statement) -> bool:
    column = subcommand.added_column
    if column is None:
        # sqlglot could not read the definition alone: judge by its words.
        words = set(subcommand.definition_words)
        return "NOT" in words and "NULL" in words and not words & (_GENERATING | {"DEFAULT"})
    if not (column.is_not_null or column.is_primary_key):
        return False
    default = column.default
    if default is not None and not is_null(default):
        return False
    serial = column.data_type is not None and is_serial(column.data_type, statement.dialect)
    return not (column.is_generated or column.is_identity or column.is_auto_increment or serial)


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    alter = alter_subcommands(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    table = qualified_name(alter.table)
    consequence = (
        "PostgreSQL refuses it on a table with rows"
        if statement.dialect == "postgres"
        else "MySQL fills existing rows with zero values"
    )
    for subcommand in alter.subcommands:
        if subcommand.adds_column and _required(subcommand, statement):
            yield Violation(
                message=f"Add column `{subcommand.column_name}` to `{table}` as nullable or with "
                "a default",
                help=f"{consequence}: add it nullable, backfill, then enforce NOT NULL",
            )


RULE = StatementRule(
    id="add-column-required",
    severity=Severity.ERROR,
    dialects=POSTGRES | MYSQL,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    alter_actions=frozenset({"ADD COLUMN"}),
    check=check,
)
