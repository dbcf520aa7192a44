"""Drop or truncate with CASCADE.

## What it does
Reports `CASCADE` on `DROP ...` (tables, views, schemas, types, functions, columns,
constraints, extensions ...) and on `TRUNCATE ... CASCADE`.

## Why is this bad?
`CASCADE` tells PostgreSQL to remove whatever depends on the object, without listing it in the
migration: views, foreign keys, defaults, and for `TRUNCATE` the rows of every table that
references this one. What goes depends on the database at run time, not on what the reviewer
read; environments that drifted lose different things. A cascade like this has wiped
production tables that nobody named (Linear, January 2024).

## Example
```sql
TRUNCATE accounts CASCADE;
-- also empties every table with a foreign key to accounts: invoices, sessions, audit_log ...
DROP TYPE order_status CASCADE;
-- also drops every column of that type, with its data
```

## Use instead
Name every object you mean to remove, and let the statement fail if something else still
depends on it:
```sql
DROP VIEW open_orders;
DROP TABLE orders;  -- RESTRICT is the default: fails if anything else depends on orders
```
Exempt: `DROP TABLE/VIEW ... CASCADE` of objects created earlier in the same change (whatever
depends on them was created in the change too). `TRUNCATE ... CASCADE` has no exemption: an
existing table may reference the new one.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.ddl_targets import command_actions, drop_kind, dropped_objects
from linters.sql.object_names import qualified_name
from linters.statement import Statement

_HELP = "Drop each dependent object explicitly, then drop without CASCADE"
_TRUNCATE_HELP = "Name every table to empty, or delete the rows you mean in batches"


def _without_cascade(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Drop):
        node.set("cascade", False)
    elif isinstance(node, exp.TruncateTable):
        node.set("option", None)
    return node


def _all_new(drop: exp.Drop, context: Context) -> bool:
    objects = dropped_objects(drop)
    return (
        drop_kind(drop) in ("TABLE", "VIEW")
        and bool(objects)
        and all(isinstance(o, exp.Table) and context.is_new_table(o) for o in objects)
    )


def _cascading_command(statement: Statement) -> bool:
    words = statement.words
    actions = command_actions(statement)
    if actions:
        return any(a.words[:1] == ("DROP",) and a.words[-1] == "CASCADE" for a in actions)
    return words[:1] in (("DROP",), ("ALTER",)) and "DROP" in words and words[-1:] == ("CASCADE",)


def _cascades(statement: Statement, context: Context) -> Iterator[str]:
    expression = statement.expression
    if isinstance(expression, exp.Command):
        if _cascading_command(statement):
            yield " ".join(token.text for token in statement.tokens[:3])
        return
    if isinstance(expression, exp.TruncateTable) and expression.args.get("option") == "CASCADE":
        yield "TRUNCATE " + ", ".join(qualified_name(t) for t in expression.expressions)
        return
    for drop in expression.find_all(exp.Drop) if expression is not None else ():
        if drop.args.get("cascade") and not _all_new(drop, context):
            names = ", ".join(qualified_name(o) for o in dropped_objects(drop))
            yield f"DROP {drop_kind(drop)} {names}"


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    cascades = list(_cascades(statement, context))
    if not cascades:
        return
    suggestion = None
    if statement.expression is not None and not statement.is_command:
        fixed = statement.expression.copy().transform(_without_cascade)
        suggestion = fixed.sql(dialect="postgres")
    for cascade in cascades:
        truncates = cascade.startswith("TRUNCATE")
        yield Violation(
            message=f"Do not use CASCADE in `{cascade}`",
            help=_TRUNCATE_HELP if truncates else _HELP,
            suggestion=suggestion,
        )


RULE = StatementRule(
    id="cascade-drop",
    severity=Severity.ERROR,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Drop, exp.TruncateTable, exp.Alter, exp.Command),
    needs_words=frozenset({"CASCADE"}),
    check=check,
)
