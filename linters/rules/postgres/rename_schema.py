"""Schema renamed in a migration.

## What it does
Reports `ALTER SCHEMA ... RENAME TO` on PostgreSQL.

## Why is this bad?
Every query, view definition in other schemas, function body, `search_path` setting and grant
script that names the schema breaks at once, and the application version still running during
the deploy uses the old name for every table in it.

## Example
```sql
ALTER SCHEMA billing RENAME TO invoicing;
-- running app versions query billing.invoices: "schema billing does not exist"
```

## Use instead
Create the new schema, move or mirror the objects while code writes to both, switch readers,
then drop the old schema in a later migration:
```sql
CREATE SCHEMA invoicing;
-- migrate objects and code step by step; drop billing once nothing uses it
```
Exempt: a schema created earlier in the same file.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.statement_order import created_earlier_in_file
from linters.statement import Statement


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    words = statement.words
    # ALTER SCHEMA name RENAME TO new_name
    if words[:2] != ("ALTER", "SCHEMA") or words[3:5] != ("RENAME", "TO") or len(words) < 6:
        return
    tokens = statement.tokens
    old, new = tokens[2].text, tokens[5].text
    if created_earlier_in_file(statement, context, "SCHEMA", old):
        return
    yield Violation(
        message=f"Do not rename schema `{old}` to `{new}` while code still uses `{old}`",
        help="Create the new schema, move objects while writing to both, drop the old one later",
    )


RULE = StatementRule(
    id="rename-schema",
    severity=Severity.ERROR,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Command,),
    check=check,
)
