"""Enum value added without saying where it goes.

## What it does
Reports `ALTER TYPE ... ADD VALUE 'x'` without `BEFORE` or `AFTER`.

Ignores enum types created earlier in the same file.

## Why is this bad?
Without a position the new value is appended last, and an enum sorts by declaration order,
not alphabetically. Code that compares enum values (`WHERE status < 'shipped'`, `ORDER BY
status`, `max(status)`) silently changes meaning when the value lands in the wrong place.
Stating the position makes the intended order part of the review.

## Example
```sql
ALTER TYPE order_status ADD VALUE 'packed';
-- sorts after 'delivered': WHERE status < 'shipped' no longer matches packed orders
```

## Use instead
```sql
ALTER TYPE order_status ADD VALUE 'packed' BEFORE 'shipped';
```
If last is right, say so: `ADD VALUE 'archived' AFTER 'delivered'`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.enum_additions import enum_addition
from linters.sql.object_names import qualified_name
from linters.sql.schema_facts import facts_before
from linters.statement import Statement


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    addition = enum_addition(statement)
    if addition is None or addition.position is not None:
        return
    if facts_before(statement, context).is_new_type(addition.enum_type.name):
        return
    yield Violation(
        message=f"Say where value '{addition.label}' goes in enum "
        f"`{qualified_name(addition.enum_type)}` with BEFORE or AFTER",
        help="Appended last, it sorts after every existing value: comparisons and ORDER BY on "
        "the enum change meaning",
    )


RULE = StatementRule(
    id="enum-value-unordered",
    severity=Severity.INFO,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Command,),
    check=check,
)
