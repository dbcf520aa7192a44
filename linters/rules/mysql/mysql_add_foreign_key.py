"""Foreign key added to an existing table while foreign_key_checks is on.

## What it does
Reports `ALTER TABLE ... ADD [CONSTRAINT name] FOREIGN KEY` on a table that existed before
this change, unless the file turned `foreign_key_checks` off for the session before it. On
MySQL 9.0+ and MariaDB 10.5+, where `ADD COLUMN c ... REFERENCES t (id)` creates a foreign key,
that form is reported too.

## Why is this bad?
With `foreign_key_checks=1`, MySQL and MariaDB can add a foreign key only with
`ALGORITHM=COPY`: the child table is copied row by row to validate every value, with concurrent
writes blocked until the copy ends. With `foreign_key_checks=0` the key is added in place
without reading the rows, which is fast but checks nothing. Tables with foreign keys also cannot
be migrated later with gh-ost (see `mysql-osc-incompatible`).

## Example
```sql
ALTER TABLE orders ADD CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id);
-- foreign_key_checks=1: orders is copied row by row, writes blocked until the end
```

## Use instead
Only when every existing row is known to be valid (check first with a query), add the key
without validation, and turn the checks back on in the same file:
```sql
SET foreign_key_checks = 0;
ALTER TABLE orders ADD CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id),
    ALGORITHM=INPLACE, LOCK=NONE;
SET foreign_key_checks = 1;
```
The session setting must reach the server on the same connection: not through a pooler that
may switch connections between statements. Or keep referential integrity in the application.

Exempt: tables created earlier in the same change.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.mysql_alter import AlterTable, alter_table
from linters.sql.mysql_column import references_of
from linters.sql.mysql_version import at_least
from linters.sql.session_settings import Scope, setting_changes
from linters.statement import Statement

_OFF = frozenset({"0", "OFF", "FALSE"})


def _checks_off_before(statement: Statement, context: Context) -> bool:
    """Whether the file turned the session's foreign_key_checks off before ``statement``."""
    off = False
    for earlier in context.statements[: statement.index]:
        for setting in setting_changes(earlier):
            if setting.name == "foreign_key_checks" and setting.scope is Scope.SESSION:
                off = (setting.value or "").upper() in _OFF
    return off


def _command_keys(words: tuple[str, ...]) -> list[str]:
    """``ADD [CONSTRAINT [name]] FOREIGN KEY`` in the words of a command fallback."""
    keys = []
    for i in range(1, len(words) - 1):
        if words[i : i + 2] != ("FOREIGN", "KEY"):
            continue
        if words[i - 1] == "ADD" or words[max(i - 2, 0) : i] == ("ADD", "CONSTRAINT"):
            keys.append("(unnamed)")
        elif words[max(i - 3, 0) : i - 1] == ("ADD", "CONSTRAINT"):
            keys.append(words[i - 1].lower())
    return keys


def _added_keys(alter: AlterTable, context: Context) -> list[str]:
    if alter.is_command:
        return _command_keys(alter.clause_words)
    keys = [
        name or "(" + ", ".join(column.name for column in item.expressions) + ")"
        for name, item in alter.added_constraints()
        if isinstance(item, exp.ForeignKey)
    ]
    if at_least(context, mysql=(9, 0), mariadb=(10, 5)):
        keys += [f"on {c.name}" for c in alter.added_columns() if references_of(c) is not None]
    return keys


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    alter = alter_table(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    keys = _added_keys(alter, context)
    if not keys or _checks_off_before(statement, context):
        return
    for key in keys:
        yield Violation(
            message=f"Do not add foreign key `{key}` to existing table `{alter.table_name}` "
            "with foreign_key_checks on: the table is copied, writes blocked",
            help="If every row is known valid: SET foreign_key_checks = 0 before it and = 1 "
            "after, on the same connection; otherwise keep the check in the application",
        )


RULE = StatementRule(
    id="mysql-add-foreign-key",
    severity=Severity.WARNING,
    dialects=MYSQL,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    check=check,
)
