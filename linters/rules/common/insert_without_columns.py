"""INSERT without a column list.

## What it does
Reports `INSERT INTO t VALUES (...)`, `INSERT INTO t SELECT ...` and MySQL's
`REPLACE INTO t VALUES (...)` that do not name the target columns, on a table that existed
before this change.

## Why is this bad?
The values are matched to columns by position, so the statement depends on the exact column
list and order of the table where it runs. It fails (or, worse, fills the wrong columns when
the types happen to fit) on an environment whose schema drifted, and in any migration that runs
again later (repeatable `R__` files, re-seeding scripts) once a column was added, dropped or
moved.

## Example
```sql
INSERT INTO plans VALUES (1, 'free', 0);
-- after ADD COLUMN currency: "INSERT has more target columns than expressions"
```

## Use instead
```sql
INSERT INTO plans (id, name, price_cents) VALUES (1, 'free', 0);
```
Exempt: tables created earlier in the same change (their column list is right above), and
`INSERT INTO t DEFAULT VALUES`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.object_names import qualified_name, qualified_name_tokens
from linters.statement import Statement

_HELP = "List the target columns: INSERT INTO t (a, b) VALUES (...)"


def _replace_target(statement: Statement) -> exp.Table | None:
    """The table of MySQL ``REPLACE [INTO] t VALUES/SELECT ...`` without a column list."""
    words = statement.words
    if words[:1] != ("REPLACE",):
        return None
    start = 2 if words[1:2] == ("INTO",) else 1
    table, after = qualified_name_tokens(statement.tokens, start)
    positional = words[after : after + 1] in (("VALUES",), ("VALUE",), ("SELECT",))
    return table if positional else None


def _positional_target(statement: Statement) -> exp.Table | None:
    insert = statement.expression
    if isinstance(insert, exp.Command):
        return _replace_target(statement)
    if not isinstance(insert, exp.Insert) or insert.args.get("default"):
        return None
    target = insert.this
    return target if isinstance(target, exp.Table) and insert.expression is not None else None


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    table = _positional_target(statement)
    if table is not None and not context.is_new_table(table):
        yield Violation(
            message=f"List the columns of `{qualified_name(table)}` this INSERT fills",
            help=_HELP,
        )


RULE = StatementRule(
    id="insert-without-columns",
    severity=Severity.WARNING,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Insert, exp.Command),
    check=check,
)
