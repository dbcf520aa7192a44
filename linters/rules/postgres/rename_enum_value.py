"""Enum value renamed in a migration.

## What it does
Reports `ALTER TYPE ... RENAME VALUE 'old' TO 'new'` on PostgreSQL (10 and later).

## Why is this bad?
Every row holding the old label changes meaning at once. The application version still running
during the deploy writes the old label, which now fails (`invalid input value for enum`), and
compares against it, which now silently matches nothing. Check constraints, partial indexes and
functions that name the old label break too.

## Example
```sql
ALTER TYPE order_status RENAME VALUE 'canceled' TO 'cancelled';
-- running app versions INSERT 'canceled' and fail; WHERE status = 'canceled' matches nothing
```

## Use instead
Add the new value, release code that reads both and writes the new one, migrate the rows in
batches, then stop accepting the old value:
```sql
ALTER TYPE order_status ADD VALUE 'cancelled';
-- later, in batches: UPDATE orders SET status = 'cancelled' WHERE status = 'canceled' ...
```
Exempt: a type created earlier in the same file.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.object_names import qualified_name, qualified_name_tokens
from linters.sql.statement_order import created_earlier_in_file
from linters.statement import Statement


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    words = statement.words
    if words[:2] != ("ALTER", "TYPE") or not statement.has_words("RENAME", "VALUE"):
        return
    tokens = statement.tokens
    enum_type, after_name = qualified_name_tokens(tokens, 2)
    if enum_type is None or words[after_name : after_name + 2] != ("RENAME", "VALUE"):
        return
    name = qualified_name(enum_type)
    if created_earlier_in_file(statement, context, "TYPE", name):
        return
    labels = [token.text for token in tokens[after_name + 2 :] if token.text.upper() != "TO"]
    old, new = [*labels, "?", "?"][:2]
    yield Violation(
        message=f"Do not rename value '{old}' of enum `{name}` to '{new}' while code still uses it",
        help="Add the new value, migrate rows and code, then stop using the old value",
    )


RULE = StatementRule(
    id="rename-enum-value",
    severity=Severity.ERROR,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Command,),
    check=check,
)
