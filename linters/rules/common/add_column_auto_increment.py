"""Auto-incrementing column added to an existing table.

## What it does
Reports a column added to an existing table whose values come from a counter:
`serial` / `bigserial` / `smallserial` (and `serial2/4/8`), `GENERATED ... AS IDENTITY`
(PostgreSQL), `AUTO_INCREMENT` and MySQL's `SERIAL` type.

Ignores tables created earlier in the same change. Attaching an identity to an existing column
(`ALTER COLUMN id ADD GENERATED ... AS IDENTITY`) fills nothing and is not reported.

## Why is this bad?
Every existing row needs its own value, so the table is rewritten: PostgreSQL holds an ACCESS
EXCLUSIVE lock for the whole rewrite (reads and writes blocked); MySQL copies the table with
writes blocked, and replicas using statement-based replication can number the rows
differently from the primary.

## Example
```sql
ALTER TABLE events ADD COLUMN id bigserial;
-- ACCESS EXCLUSIVE on events while every row is rewritten with its new id
```

## Use instead
Create a new table with the column, copy the rows in batches while dual writing, then switch
(expand and contract):
```sql
CREATE TABLE events_v2 (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, LIKE events);
-- dual write, copy in batches, switch readers, drop events
```
Or, on PostgreSQL: add a nullable `bigint`, create a sequence, set the default to
`nextval(...)` (new rows only), backfill in batches, then enforce NOT NULL safely.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL, POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.alter_subcommands import AlterSubcommand, alter_subcommands
from linters.sql.column_types import is_serial
from linters.sql.object_names import qualified_name
from linters.statement import Statement

_COUNTER_WORDS = frozenset({"IDENTITY", "AUTO_INCREMENT"})
_SERIAL_WORDS = frozenset({"SERIAL", "BIGSERIAL", "SMALLSERIAL", "SERIAL2", "SERIAL4", "SERIAL8"})


def _auto_increments(subcommand: AlterSubcommand, statement: Statement) -> bool:
    column = subcommand.added_column
    if column is None:
        words = subcommand.definition_words
        return bool(_COUNTER_WORDS & set(words)) or words[:1] in {(w,) for w in _SERIAL_WORDS}
    serial = column.data_type is not None and is_serial(column.data_type, statement.dialect)
    return serial or column.is_identity or column.is_auto_increment


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    alter = alter_subcommands(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    table = qualified_name(alter.table)
    for subcommand in alter.subcommands:
        if subcommand.adds_column and _auto_increments(subcommand, statement):
            yield Violation(
                message=f"Do not add auto-incrementing column `{subcommand.column_name}` to "
                f"existing table `{table}`",
                help="Numbering every row rewrites the table: create a new table with the "
                "column and copy the rows in batches",
            )


RULE = StatementRule(
    id="add-column-auto-increment",
    severity=Severity.ERROR,
    dialects=POSTGRES | MYSQL,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    alter_actions=frozenset({"ADD COLUMN"}),
    check=check,
)
