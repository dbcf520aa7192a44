"""Constraint added NOT VALID and validated in the same transaction.

## What it does
Reports `ALTER TABLE ... VALIDATE CONSTRAINT c` in the same transaction that added `c` with
`NOT VALID` (a `CHECK`, a `FOREIGN KEY`, or on PostgreSQL 18 a `NOT NULL`), on an existing
table. The transaction is the runner's (the whole file) or an explicit `BEGIN ... COMMIT`.

## Why is this bad?
`NOT VALID` exists to split a blocking operation in two: adding the constraint takes a strong
lock (ACCESS EXCLUSIVE for a check, SHARE ROW EXCLUSIVE on both tables for a foreign key) but
only for an instant, because no row is scanned; `VALIDATE CONSTRAINT` then scans the table
under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on. In one transaction the strong
lock of the `ADD` is still held while `VALIDATE` scans: writes (or all access) are blocked for
the whole scan, exactly as if `NOT VALID` had not been written.

## Example
```sql
ALTER TABLE orders ADD CONSTRAINT orders_user_fk
  FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;
-- scans orders while the SHARE ROW EXCLUSIVE locks on orders and users are held:
-- writes to both tables wait for the whole scan
```

## Use instead
```sql
-- V20__add_orders_user_fk.sql
ALTER TABLE orders ADD CONSTRAINT orders_user_fk
  FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;

-- V21__validate_orders_user_fk.sql: a later transaction
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;
```
Exempt: tables created earlier in the same change (nobody else uses them yet), and
non-transactional files, where each statement commits on its own.
"""

from __future__ import annotations

from collections.abc import Iterator

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import FileRule, LintedFile, Violation, table_key, unqualified
from linters.sql.alter_subcommands import alter_subcommands
from linters.sql.new_tables import NewTables
from linters.statement import Statement


def check(file: LintedFile) -> Iterator[Violation]:
    context = file.context
    new_tables = NewTables(context)
    for transaction in file.context.transactions:
        added: dict[tuple[str, str], int] = {}  # (table, constraint) -> line of the ADD
        for statement in transaction.statements:
            alter = alter_subcommands(statement)
            if alter is not None and transaction.is_block and not new_tables.is_new(alter.table):
                table = unqualified(table_key(alter.table))
                for action in alter.subcommands:
                    name = action.constraint_name
                    if action.adds_constraint and action.not_valid and name is not None:
                        added[(table, name.lower())] = statement.span.line
                    elif action.words[:2] == ("VALIDATE", "CONSTRAINT") and len(action.tokens) > 2:
                        validated = action.tokens[2].text
                        line = added.get((table, validated.lower()))
                        if line is not None:
                            yield _violation(validated, line, statement)
            new_tables.observe(statement)


def _violation(constraint: str, line: int, statement: Statement) -> Violation:
    return Violation(
        message=(
            f"Validate `{constraint}` in a later transaction: the lock of its NOT VALID add "
            f"on line {line} is still held during the scan"
        ),
        help="Commit first: move VALIDATE CONSTRAINT to the next migration",
        statement=statement,
    )


RULE = FileRule(
    id="validate-in-same-transaction",
    severity=Severity.ERROR,
    dialects=POSTGRES,
    doc=__doc__ or "",
    check=check,
)
