"""Foreign key added and validated in one step.

## What it does
Reports a foreign key added to an existing table without `NOT VALID`:
`ADD [CONSTRAINT name] FOREIGN KEY ... REFERENCES ...`, and `ADD COLUMN ... REFERENCES ...`
when the new column gets values (a default, identity, serial or generated column): a column
constraint cannot say `NOT VALID`.

Ignores tables created earlier in the same change, and `ADD COLUMN ... REFERENCES` without a
default: the new column is all NULL, so PostgreSQL skips the check (only brief locks).

## Why is this bad?
Adding a validated foreign key takes a SHARE ROW EXCLUSIVE lock on both the table and the
referenced table, then scans the whole table to check every row: writes to both tables are
blocked for the length of the scan.

## Example
```sql
ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey
  FOREIGN KEY (user_id) REFERENCES users (id);
-- SHARE ROW EXCLUSIVE on orders and users: writes to both blocked while orders is scanned
```

## Use instead
```sql
ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey
  FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
-- new rows are checked from now on; the lock is brief

-- in a later migration (a later transaction): SHARE UPDATE EXCLUSIVE, writes go on
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_fkey;
```
A new column without a default may carry `REFERENCES` directly: it is all NULL, and
PostgreSQL skips the check. With a default, add the column first, then the constraint as above.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.alter_subcommands import AlterSubcommand, alter_subcommands
from linters.sql.column_types import is_serial
from linters.sql.default_volatility import is_null
from linters.sql.object_names import qualified_name, qualified_name_tokens
from linters.sql.statement_edits import append
from linters.statement import Statement

_VALIDATE_LATER = "Add it NOT VALID, then VALIDATE CONSTRAINT in a later migration"
#: Words of a column definition that give existing rows a value.
_VALUE_WORDS = frozenset({"DEFAULT", "IDENTITY", "GENERATED", "SERIAL", "BIGSERIAL"})


def _referenced(subcommand: AlterSubcommand) -> str:
    if "REFERENCES" not in subcommand.words:
        return "?"
    position = subcommand.words.index("REFERENCES") + 1
    table, _ = qualified_name_tokens(list(subcommand.tokens), position)
    return qualified_name(table) if table is not None else "?"


def _gets_values(subcommand: AlterSubcommand, statement: Statement) -> bool:
    """Whether an added column starts with values the new foreign key must check."""
    column = subcommand.added_column
    if not subcommand.adds_column or column is None:
        return subcommand.adds_column and bool(_VALUE_WORDS & set(subcommand.definition_words))
    default = column.default
    serial = column.data_type is not None and is_serial(column.data_type, statement.dialect)
    has_default = default is not None and not is_null(default)
    return has_default or serial or column.is_identity or column.is_generated


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    alter = alter_subcommands(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    table = qualified_name(alter.table)
    single = len(alter.subcommands) == 1
    for subcommand in alter.subcommands:
        referenced = _referenced(subcommand)
        if subcommand.constraint_kind == "FOREIGN KEY" and not subcommand.not_valid:
            name = subcommand.constraint_name
            label = f"foreign key `{name}`" if name else f"the foreign key to `{referenced}`"
            yield Violation(
                message=f"Add {label} on `{table}` NOT VALID, then validate it separately",
                help=_VALIDATE_LATER,
                suggestion=append(statement, " NOT VALID") if single else None,
            )
        elif subcommand.has_words("REFERENCES") and _gets_values(subcommand, statement):
            yield Violation(
                message=f"Add column `{subcommand.column_name}` to `{table}` without REFERENCES; "
                f"add its foreign key to `{referenced}` NOT VALID",
                help="Add the column, then ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID and "
                "VALIDATE CONSTRAINT in a later migration",
            )


RULE = StatementRule(
    id="add-foreign-key-validating",
    severity=Severity.ERROR,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    alter_actions=frozenset({"ADD COLUMN", "ADD CONSTRAINT"}),
    check=check,
)
