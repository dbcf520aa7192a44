"""Check constraint added and validated in one step.

## What it does
Reports `ADD [CONSTRAINT name] CHECK (...)` without `NOT VALID` on an existing table, and
`ADD COLUMN ... CHECK (...)` (a column constraint cannot say `NOT VALID`, and PostgreSQL scans
the table to check it even when the new column is all NULL).

Ignores tables created earlier in the same change.

## Why is this bad?
Adding a validated check constraint holds an ACCESS EXCLUSIVE lock on the table while every
row is scanned: reads and writes are blocked for the whole scan.

## Example
```sql
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0);
-- ACCESS EXCLUSIVE on orders: reads and writes blocked while every row is checked
```

## Use instead
```sql
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0) NOT VALID;
-- new and updated rows are checked from now on; the lock is brief

-- in a later migration (a later transaction): SHARE UPDATE EXCLUSIVE, writes go on
ALTER TABLE orders VALIDATE CONSTRAINT orders_amount_positive;
```
For a new column, add the column first, then the constraint as above.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.alter_subcommands import alter_subcommands
from linters.sql.object_names import qualified_name
from linters.sql.statement_edits import append
from linters.statement import Statement

_VALIDATE_LATER = "Add it NOT VALID, then VALIDATE CONSTRAINT in a later migration"


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    alter = alter_subcommands(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    table = qualified_name(alter.table)
    single = len(alter.subcommands) == 1
    for subcommand in alter.subcommands:
        if subcommand.constraint_kind == "CHECK" and not subcommand.not_valid:
            name = subcommand.constraint_name
            label = f"check constraint `{name}`" if name else "the check constraint"
            yield Violation(
                message=f"Add {label} on `{table}` NOT VALID, then validate it separately",
                help=_VALIDATE_LATER,
                suggestion=append(statement, " NOT VALID") if single else None,
            )
        elif subcommand.adds_column and subcommand.has_words("CHECK"):
            yield Violation(
                message=f"Add column `{subcommand.column_name}` to `{table}` without its CHECK; "
                "add the check NOT VALID",
                help="Add the column, then ADD CONSTRAINT ... CHECK (...) NOT VALID and "
                "VALIDATE CONSTRAINT in a later migration",
            )


RULE = StatementRule(
    id="add-check-validating",
    severity=Severity.ERROR,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    alter_actions=frozenset({"ADD COLUMN", "ADD CONSTRAINT"}),
    check=check,
)
