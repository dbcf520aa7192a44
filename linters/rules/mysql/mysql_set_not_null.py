"""Nullable column made NOT NULL with MODIFY / CHANGE.

## What it does
Reports `ALTER TABLE ... MODIFY` / `CHANGE` that makes a nullable column `NOT NULL` (or part of
an inline `PRIMARY KEY`) on a table that existed before this change.

The column's old nullability has to be known: from an earlier `ADD COLUMN` or `MODIFY` of the
same column in this change. A `MODIFY ... NOT NULL` alone restates the whole column and does
not show whether it was nullable before, so when the change does not show it the rule stays
quiet.

## Why is this bad?
NULL to NOT NULL rebuilds the table (`ALGORITHM=INPLACE` at best, every row rewritten, replicas
lag as long). With strict `sql_mode`, one NULL left in the column makes the statement fail
after it has done most of the work; without strict mode, MySQL silently turns every NULL into
the type's zero value (`0`, `''`, `0000-00-00`), losing the difference between "unknown" and a
real value.

## Example
```sql
ALTER TABLE orders ADD COLUMN region varchar(16) NULL;
-- ... backfill ...
ALTER TABLE orders MODIFY region varchar(16) NOT NULL;
-- orders is rebuilt; a NULL left by a racing insert fails the ALTER, or becomes ''
```

## Use instead
Backfill in batches, make sure the application writes the column, keep strict `sql_mode` on
(`STRICT_TRANS_TABLES`), check `SELECT COUNT(*) FROM orders WHERE region IS NULL` is 0, then run
the MODIFY in a quiet period, or with gh-ost / pt-online-schema-change on a big table:
```sql
ALTER TABLE orders MODIFY region varchar(16) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;
```
Exempt: tables created earlier in the same change.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from linters.dialects import MYSQL
from linters.finding import Severity
from linters.rule import (
    Change,
    ChangedFile,
    ChangeRule,
    LintedFile,
    Violation,
    plain_span,
    span_from_plain,
    table_key,
)
from linters.sql.mysql_alter import alter_table
from linters.sql.mysql_catalog import replay, table_changes
from linters.sql.mysql_column import is_nullable
from linters.sql.node_spans import span_of


def not_null_columns(file: LintedFile) -> list[list[Any]]:
    """``[statement index, observation]`` for each ALTER TABLE that MODIFYs or CHANGEs a
    column into NOT NULL (old name, new name, where)."""
    found: list[list[Any]] = []
    for statement in file.up_statements:
        alter = alter_table(statement)
        if alter is None:
            continue
        columns = [
            [
                changed.old_name,
                changed.name,
                plain_span(span_of(statement, changed.definition) or statement.span),
            ]
            for changed in alter.changed_columns()
            if not is_nullable(changed.definition)
        ]
        if columns:
            observation = {"table": table_key(alter.table), "name": alter.table_name}
            found.append([statement.index, {**observation, "columns": columns}])
    return found


def check(change: Change) -> Iterator[tuple[ChangedFile | None, Violation]]:
    for file, alter, catalog in replay(change, not_null_columns):
        facts = catalog.table(alter["table"])
        if facts is None or facts.created_in_change:
            continue
        for old_name, name, place in alter["columns"]:
            old = facts.column(old_name)
            if old is None or not old.nullable:
                continue
            yield (
                file,
                Violation(
                    message=f"Backfill and check for NULLs before making `{name}` of "
                    f"`{alter['name']}` NOT NULL: the table is rebuilt",
                    help="Keep strict sql_mode on so leftover NULLs fail instead of becoming zero "
                    "values; on a big table use gh-ost or pt-online-schema-change",
                    span=span_from_plain(place),
                ),
            )


RULE = ChangeRule(
    id="mysql-set-not-null",
    severity=Severity.WARNING,
    dialects=MYSQL,
    doc=__doc__ or "",
    facts=(table_changes, not_null_columns),
    check=check,
)
