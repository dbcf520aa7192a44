"""Unique index added through an online schema change tool, which can drop duplicate rows.

## What it does
For repositories whose ALTERs run through gh-ost or pt-online-schema-change, reports a new
`UNIQUE` key or `PRIMARY KEY` on an existing table: `ALTER TABLE ... ADD UNIQUE`,
`ADD PRIMARY KEY`, `ADD COLUMN ... UNIQUE`, `MODIFY ... UNIQUE` and `CREATE UNIQUE INDEX`.

Off by default; enable it with `select = ["mysql-osc-unique-index"]`.

## Why is this bad?
Both tools copy rows into the new table with `INSERT IGNORE`. With a new unique key, every row
that duplicates an earlier one is silently skipped: the migration "succeeds" and the rows are
gone. gh-ost stops on such warnings only with `--panic-on-warnings` (not yet the default);
pt-online-schema-change refuses the ALTER unless `--no-check-unique-key-change` is given, and
with that flag loses the rows the same way.

## Example
```sql
ALTER TABLE users ADD UNIQUE INDEX ux_users_email (email);
-- run by gh-ost: users with a duplicate email are silently dropped from the copy
```

## Use instead
Find and resolve duplicates first, and make the tool fail instead of dropping rows:
```sql
SELECT email, COUNT(*) FROM users GROUP BY email HAVING COUNT(*) > 1;
-- gh-ost --panic-on-warnings --alter="ADD UNIQUE INDEX ux_users_email (email)" ...
```
Exempt: tables created earlier in the same change.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL
from linters.rule import Context, StatementRule, Violation
from linters.rules.mysql.mysql_osc_incompatible import tool_option
from linters.sql.index_definitions import created_indexes
from linters.sql.object_names import qualified_name
from linters.statement import Statement

RULE_ID = "mysql-osc-unique-index"
TOOL = tool_option(RULE_ID)
_HELP = {
    "gh-ost": "Remove duplicates first, and run gh-ost with --panic-on-warnings",
    "pt-osc": "Remove duplicates first; keep pt-osc's --check-unique-key-change on",
}


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    expression = statement.expression
    if isinstance(expression, exp.Create) and isinstance(expression.this, exp.Schema):
        return
    created = created_indexes(statement)
    if created is None or context.is_new_table(created[0]):
        return
    tool = TOOL.value(context.config)
    table = qualified_name(created[0])
    for index in created[1]:
        if index.kind in ("UNIQUE", "PRIMARY"):
            key = "primary key" if index.kind == "PRIMARY" else "unique key"
            yield Violation(
                message=f"Check `{table}` for duplicates before adding {key} `{index.label}` "
                f"with {tool}: its INSERT IGNORE copy silently drops duplicate rows",
                help=_HELP[tool],
            )


RULE = StatementRule(
    id=RULE_ID,
    severity=None,
    dialects=MYSQL,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Create, exp.Command),
    check=check,
    options=(TOOL,),
)
