"""Primary key added, dropped or replaced on an existing table.

## What it does
Reports, on a table that existed before this change, `ALTER TABLE ... ADD PRIMARY KEY`,
`DROP PRIMARY KEY` (with or without a new key in the same statement), and `ADD` / `MODIFY` /
`CHANGE` of a column declared `PRIMARY KEY`.

## Why is this bad?
InnoDB stores rows in primary key order: a new or changed primary key rewrites the whole table
and every secondary index (`ALGORITHM=INPLACE` at best; `COPY`, with writes blocked, when
nullable columns must become NOT NULL). Dropping the primary key without a replacement is
`ALGORITHM=COPY` only; the table then has InnoDB's hidden row id, row-based replicas scan the
whole table for each replicated row change, and gh-ost and pt-online-schema-change refuse to
migrate it later.

## Example
```sql
ALTER TABLE order_lines DROP PRIMARY KEY, ADD PRIMARY KEY (order_id, line_no);
-- order_lines and all its indexes are rebuilt
```

## Use instead
Plan primary key changes as their own migration, run with gh-ost or pt-online-schema-change on
a big table (both need the old key, or another NOT NULL unique key, to copy rows). Never leave a
table without a primary key.

Exempt: tables created earlier in the same change.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.index_definitions import created_indexes
from linters.sql.mysql_alter import AlterTable, alter_table
from linters.statement import Statement


def _adds_primary_key(alter: AlterTable) -> bool:
    if alter.is_command:
        words = alter.clause_words
        return any(
            words[i : i + 2] == ("PRIMARY", "KEY") and "ADD" in words[max(i - 3, 0) : i]
            for i in range(len(words) - 1)
        )
    created = created_indexes(alter.statement)
    return created is not None and any(index.kind == "PRIMARY" for index in created[1])


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    alter = alter_table(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    table = alter.table_name
    adds, drops = _adds_primary_key(alter), alter.drops_primary_key
    if drops and not adds:
        message = (
            f"Do not drop the primary key of `{table}` without a new one: the table is copied "
            "with writes blocked and becomes unusable for replicas and gh-ost"
        )
    elif adds:
        verb = "Change" if drops else "Add"
        message = (
            f"{verb} the primary key of existing table `{table}` with gh-ost or "
            "pt-online-schema-change: the table and all its indexes are rebuilt"
        )
    else:
        return
    yield Violation(
        message=message,
        help="Run primary key changes as their own migration through gh-ost or "
        "pt-online-schema-change; never leave a table without a primary key",
    )


RULE = StatementRule(
    id="mysql-primary-key-change",
    severity=Severity.ERROR,
    dialects=MYSQL,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    check=check,
)
