"""Trigger created on an existing table.

## What it does
Reports `CREATE [OR REPLACE] [CONSTRAINT] TRIGGER ... ON table` when the table exists already.

Ignores tables created earlier in the same change and event triggers (`CREATE EVENT TRIGGER`).

## Why is this bad?
`CREATE TRIGGER` takes a SHARE ROW EXCLUSIVE lock on the table. It is quick once granted, but
the request waits behind every long-running transaction on the table, and every write that
arrives meanwhile waits behind it: a short DDL becomes a write outage.

## Example
```sql
CREATE TRIGGER orders_audit AFTER UPDATE ON orders
  FOR EACH ROW EXECUTE FUNCTION audit_row();
-- SHARE ROW EXCLUSIVE on orders: writes queue behind it while it waits for its lock
```

## Use instead
```sql
SET lock_timeout = '2s';  -- give up quickly instead of queueing writes; retry later
CREATE TRIGGER orders_audit AFTER UPDATE ON orders
  FOR EACH ROW EXECUTE FUNCTION audit_row();
```
Run it at a quiet time, and make sure the trigger function itself is cheap: it runs inside
every write from now on.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.object_names import qualified_name, qualified_name_tokens
from linters.sql.schema_facts import facts_before
from linters.statement import Statement


def _trigger_and_table(statement: Statement) -> tuple[str, exp.Table] | None:
    words = statement.words
    position = 3 if words[1:3] == ("OR", "REPLACE") else 1
    position += words[position : position + 1] == ("CONSTRAINT",)
    if words[:1] != ("CREATE",) or words[position : position + 1] != ("TRIGGER",):
        return None
    if "ON" not in words[position:] or position + 1 >= len(words):
        return None
    trigger = statement.tokens[position + 1].text
    table, _ = qualified_name_tokens(statement.tokens, words.index("ON", position) + 1)
    return (trigger, table) if table is not None else None


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    found = _trigger_and_table(statement)
    if found is None:
        return
    trigger, table = found
    if context.is_new_table(table) or facts_before(statement, context).is_new_table(table):
        return
    yield Violation(
        message=f"Create trigger `{trigger}` on `{qualified_name(table)}` behind a short "
        "lock_timeout",
        help="It takes SHARE ROW EXCLUSIVE and queues writes while it waits: SET lock_timeout, "
        "run it at a quiet time",
    )


RULE = StatementRule(
    id="create-trigger-existing-table",
    severity=Severity.WARNING,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Create, exp.Command),
    check=check,
)
