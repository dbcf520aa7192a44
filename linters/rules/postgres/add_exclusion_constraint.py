"""Exclusion constraint added to an existing table.

## What it does
Reports `ADD [CONSTRAINT name] EXCLUDE ...` on an existing table.

Ignores tables created earlier in the same change.

## Why is this bad?
Adding an exclusion constraint builds its index and checks every row while holding an ACCESS
EXCLUSIVE lock: reads and writes are blocked for the whole build. Unlike foreign keys, checks
and unique constraints, it has no online path: no `NOT VALID`, no `USING INDEX`.

## Example
```sql
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap
  EXCLUDE USING gist (room_id WITH =, during WITH &&);
-- ACCESS EXCLUSIVE on bookings: reads and writes blocked while the index is built
```

## Use instead
Declare it when the table is created:
```sql
CREATE TABLE bookings_v2 (
  room_id bigint NOT NULL,
  during tstzrange NOT NULL,
  CONSTRAINT bookings_v2_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&)
);
-- then dual-write, copy the rows in batches and switch over
```
Or add it to the existing table in a maintenance window.
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


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    alter = alter_subcommands(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    for subcommand in alter.subcommands:
        if subcommand.constraint_kind == "EXCLUDE":
            name = subcommand.constraint_name
            label = f"exclusion constraint `{name}`" if name else "an exclusion constraint"
            yield Violation(
                message=f"Do not add {label} to existing table `{qualified_name(alter.table)}`",
                help="No online path: create a new table with the constraint and move the "
                "rows, or use a maintenance window",
            )


RULE = StatementRule(
    id="add-exclusion-constraint",
    severity=Severity.ERROR,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    alter_actions=frozenset({"ADD CONSTRAINT"}),
    check=check,
)
