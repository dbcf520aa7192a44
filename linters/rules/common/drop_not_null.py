"""NOT NULL removed from a column.

## What it does
Reports `ALTER TABLE ... ALTER [COLUMN] c DROP NOT NULL` (PostgreSQL) and, on MySQL/MariaDB,
`MODIFY`/`CHANGE` that redefines a column with an explicit `NULL`, on a table that existed
before this change.

MySQL's `MODIFY c type` without `NOT NULL` also makes a NOT NULL column nullable (the column is
redefined from scratch). The linter cannot see the column's current nullability without a
database, so it reports only the explicit `NULL`; write `NOT NULL` on every `MODIFY` of a
NOT NULL column.

## Why is this bad?
Code, reports, PL/pgSQL functions and downstream consumers were written assuming the column
always has a value. Once NULLs can be written, old code paths crash on them or silently treat
them as zero, empty or false; `NOT IN` subqueries over the column start returning nothing.

## Example
```sql
ALTER TABLE payments ALTER COLUMN currency DROP NOT NULL;
-- new rows may have no currency; running code that formats amounts fails on them
```

## Use instead
Keep the constraint and write an explicit marker value, or introduce a new nullable column
(or table, with a view for old readers) and migrate consumers to it:
```sql
ALTER TABLE payments ADD COLUMN settlement_currency text;  -- nullable from the start
```
Exempt: tables created earlier in the same change.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.ddl_targets import alter_actions, altered_table, command_actions
from linters.sql.node_spans import span_of
from linters.sql.object_names import qualified_name
from linters.statement import Statement


def _redefined_as_null(modify: exp.ModifyColumn) -> bool:
    """MySQL ``MODIFY``/``CHANGE`` whose new definition says ``NULL``."""
    definition = modify.this
    return isinstance(definition, exp.ColumnDef) and any(
        isinstance(constraint.kind, exp.NotNullColumnConstraint)
        and constraint.kind.args.get("allow_null")
        for constraint in definition.constraints
    )


def _nullable_columns(statement: Statement) -> Iterator[tuple[str, exp.Expression | None]]:
    for action in alter_actions(statement.expression):
        if isinstance(action, exp.AlterColumn):
            if action.args.get("allow_null") and action.args.get("drop"):
                yield action.name, action.this
        elif isinstance(action, exp.ModifyColumn) and _redefined_as_null(action):
            yield action.this.name, action.this
    for subcommand in command_actions(statement):
        tokens, words = subcommand.tokens, subcommand.words
        if words[:1] == ("ALTER",) and words[-3:] == ("DROP", "NOT", "NULL"):
            named = 2 if words[1:2] == ("COLUMN",) else 1
            if len(tokens) > named:
                yield tokens[named].text, None


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    table = altered_table(statement)
    if table is None or context.is_new_table(table):
        return
    # MySQL's MODIFY restates the whole column: NULL there may be no change at all.
    unless = " unless it already allows NULL" if statement.dialect in ("mysql", "mariadb") else ""
    for column, node in _nullable_columns(statement):
        yield Violation(
            message=f"Do not make column `{column}` of `{qualified_name(table)}` nullable{unless}",
            help="Keep NOT NULL and write a marker value, or add a new nullable column",
            span=span_of(statement, node),
        )


RULE = StatementRule(
    id="drop-not-null",
    severity=Severity.WARNING,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    needs_words=frozenset({"DROP", "MODIFY", "CHANGE"}),
    check=check,
)
