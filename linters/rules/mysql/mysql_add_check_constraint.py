"""CHECK constraint added to an existing table.

## What it does
Reports `ALTER TABLE ... ADD [CONSTRAINT name] CHECK (...)`, `ADD COLUMN ... CHECK (...)`,
`MODIFY ... CHECK (...)` and `ALTER CHECK name ENFORCED` on a table that existed before this
change, on servers that enforce CHECK constraints: MySQL 8.0.16 and later, MariaDB 10.2.1 and
later. (Older MySQL parses CHECK and ignores it.)

`NOT ENFORCED` checks are reported as well: MySQL documents no in-place path for adding a
check constraint, and enforcing it later validates the rows with the same copy.

## Why is this bad?
MySQL and MariaDB validate a new check constraint by copying the table (`ALGORITHM=COPY`; both
refuse `INPLACE` and `LOCK=NONE` for it), so concurrent writes are blocked for the whole copy.
MySQL even copies for `ADD COLUMN c int CHECK (c >= 0)`, where the new column holds no values
yet. There is no `NOT VALID` as in PostgreSQL.

## Example
```sql
ALTER TABLE orders ADD CONSTRAINT chk_orders_amount CHECK (amount >= 0);
-- orders is copied to validate every row, writes blocked until the end
```

## Use instead
There is no online path in MySQL or MariaDB. Validate in the application, or add the constraint
with gh-ost or pt-online-schema-change (which copy without blocking writes), or in a quiet
period with a short `lock_wait_timeout`.

Exempt: tables created earlier in the same change.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.mysql_alter import AlterTable, alter_table
from linters.sql.mysql_column import column_kinds
from linters.sql.mysql_version import at_least
from linters.statement import Statement


def _command_checks(words: tuple[str, ...]) -> list[str]:
    """Checks added or enforced in the words of a command fallback."""
    found = []
    for i, word in enumerate(words):
        if word == "CHECK" and (
            words[i - 1 : i] == ("ADD",) or words[max(i - 2, 0) : i] == ("ADD", "CONSTRAINT")
        ):
            found.append("(unnamed)")
        else:
            named = word == "CHECK" and words[max(i - 3, 0) : i - 1] == ("ADD", "CONSTRAINT")
            enforced = word == "ENFORCED" and words[max(i - 3, 0) : i - 2] == ("ALTER",)
            if named or (enforced and words[i - 1] != "NOT"):
                found.append(words[i - 1].lower())
    return found


def _added_checks(alter: AlterTable) -> list[str]:
    if alter.is_command:
        return _command_checks(alter.clause_words)
    found = [
        name or "(unnamed)"
        for name, item in alter.added_constraints()
        if isinstance(item, exp.CheckColumnConstraint)
    ]
    columns = alter.added_columns() + [c.definition for c in alter.changed_columns()]
    for column in columns:
        if any(isinstance(kind, exp.CheckColumnConstraint) for kind in column_kinds(column)):
            found.append(f"on {column.name}")
    return found


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    if not at_least(context, mysql=(8, 0, 16), mariadb=(10, 2, 1)):
        return
    alter = alter_table(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    for name in _added_checks(alter):
        yield Violation(
            message=f"Do not add check constraint `{name}` to existing table "
            f"`{alter.table_name}`: the table is copied to validate it, writes blocked",
            help="Validate in the application, or add it with gh-ost / pt-online-schema-change",
        )


RULE = StatementRule(
    id="mysql-add-check-constraint",
    severity=Severity.WARNING,
    dialects=MYSQL,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    check=check,
)
