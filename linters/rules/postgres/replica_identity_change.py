"""Replica identity set to FULL or NOTHING.

## What it does
Reports `ALTER TABLE ... REPLICA IDENTITY FULL` and `REPLICA IDENTITY NOTHING` on an existing
table. `DEFAULT` and `USING INDEX` are not reported.

Ignores tables created earlier in the same change: no replication consumer relies on them yet.

## Why is this bad?
The replica identity decides what logical replication and change-data-capture tools (Debezium,
publications to other databases) see of the old row on UPDATE and DELETE. `FULL` logs the
whole old row for every change: WAL volume grows, and subscribers without a matching key
search every row. `NOTHING` makes UPDATE and DELETE fail on a table that is published. The
statement also takes an ACCESS EXCLUSIVE lock on the table.

## Example
```sql
ALTER TABLE orders REPLICA IDENTITY FULL;
-- every UPDATE/DELETE on orders now writes the whole old row to WAL
```

## Use instead
Check with the owners of the publications and CDC consumers first. Prefer a key:
```sql
ALTER TABLE orders REPLICA IDENTITY USING INDEX orders_public_id_key;
```
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

_CONSEQUENCE = {
    "FULL": "Every UPDATE/DELETE then logs the whole old row",
    "NOTHING": "UPDATE/DELETE then fail on a published table",
}


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    alter = alter_subcommands(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    for subcommand in alter.subcommands:
        words = subcommand.top_words
        if words[:2] != ("REPLICA", "IDENTITY") or len(words) < 3 or words[2] not in _CONSEQUENCE:
            continue
        yield Violation(
            message=f"Check logical replication consumers before setting REPLICA IDENTITY "
            f"{words[2]} on `{qualified_name(alter.table)}`",
            help=f"{_CONSEQUENCE[words[2]]}; prefer REPLICA IDENTITY USING INDEX",
        )


RULE = StatementRule(
    id="replica-identity-change",
    severity=Severity.WARNING,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    alter_actions=frozenset({"REPLICA"}),
    check=check,
)
