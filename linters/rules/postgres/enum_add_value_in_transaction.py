"""Enum value added in a transaction that uses it, or in any transaction before PostgreSQL 12.

## What it does
Reports `ALTER TYPE ... ADD VALUE 'x'` when it runs in a transaction (the runner wraps the
file, or it follows `BEGIN`) and:
- a later statement of the same transaction uses the label `'x'` (PostgreSQL 12+; assumed
  when no `postgres_version` is configured), or
- the server is older than 12, which refuses `ADD VALUE` in any transaction block.

A use is the label as a string literal anywhere in the statement (`INSERT`, `UPDATE`,
`DEFAULT 'x'`, `WHERE status = 'x'`); function bodies (`$$ ... $$`) do not count, since they
are not run when created, and neither does adding the same label to another enum type.

## Why is this bad?
PostgreSQL 12+ allows `ADD VALUE` in a transaction but refuses to use the new value before
the transaction commits: `unsafe use of new value "x" of enum type`. Before 12 the statement
itself fails: `ALTER TYPE ... ADD cannot run inside a transaction block`. Either way the
migration fails when applied.

## Example
```sql
ALTER TYPE order_status ADD VALUE 'packed' BEFORE 'shipped';
UPDATE orders SET status = 'packed' WHERE packed_at IS NOT NULL;
-- ERROR: unsafe use of new value "packed" of enum type order_status
```

## Use instead
Add the value in one migration and use it in the next:
```sql
-- V12__order_status_packed.sql
ALTER TYPE order_status ADD VALUE 'packed' BEFORE 'shipped';
-- V13__mark_packed_orders.sql
UPDATE orders SET status = 'packed' WHERE packed_at IS NOT NULL;
```
Before PostgreSQL 12, put the `ADD VALUE` alone in a file marked
`-- schemabot:no-transaction`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.enum_additions import EnumAddition, enum_addition
from linters.sql.object_names import qualified_name, same_table
from linters.statement import Statement

_STRINGS = frozenset({"STRING", "NATIONAL_STRING"})


def _first_use(statement: Statement, context: Context, added: EnumAddition) -> Statement | None:
    """The first later statement of the same transaction that writes the new label (adding
    the same label to another enum type does not use this one's)."""
    transaction = context.transaction_of(statement)
    for later in transaction.statements if transaction is not None else ():
        if later.index <= statement.index:
            continue
        other = enum_addition(later)
        if other is not None and not same_table(other.enum_type, added.enum_type):
            continue
        tokens = later.tokens
        if any(token.token_type.name in _STRINGS and token.text == added.label for token in tokens):
            return later
    return None


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    addition = enum_addition(statement)
    if addition is None or not context.in_transaction(statement):
        return
    name = qualified_name(addition.enum_type)
    version = context.server_version
    if version is not None and version < (12,):
        yield Violation(
            message=f"Add value '{addition.label}' to enum `{name}` outside a transaction",
            help="PostgreSQL < 12 refuses ALTER TYPE ... ADD VALUE in a transaction block: put it "
            "alone in a file marked `-- schemabot:no-transaction`",
        )
        return
    use = _first_use(statement, context, addition)
    if use is not None:
        yield Violation(
            message=f"Commit enum value '{addition.label}' of `{name}` before line "
            f"{use.span.line} uses it",
            help="A new enum value cannot be used in the transaction that added it: move the "
            "ADD VALUE to an earlier migration",
        )


RULE = StatementRule(
    id="enum-add-value-in-transaction",
    severity=Severity.WARNING,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Command,),
    check=check,
)
