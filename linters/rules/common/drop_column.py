"""Column dropped in a migration.

## What it does
Reports `ALTER TABLE ... DROP [COLUMN]` on a table that existed before this change, in
PostgreSQL and MySQL/MariaDB spelling (MySQL allows `DROP name` without `COLUMN`).

## Why is this bad?
The column's data is gone. The application version still running during the deploy selects,
inserts or updates the column and fails until it is replaced; ORMs that cache the column list
at startup (Rails, Django model state, Hibernate) fail even on queries that never name it.

## Example
```sql
ALTER TABLE users DROP COLUMN legacy_login;
-- the values are lost; running app versions still write legacy_login and get errors
```

## Use instead
Release code that no longer reads or writes the column (and tell the ORM to ignore it), then
drop it in a later migration, once that release runs everywhere:
```sql
-- migration N+1, after the release that stopped using the column:
ALTER TABLE users DROP COLUMN legacy_login;
```
Exempt: tables created earlier in the same change.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.ddl_targets import (
    alter_actions,
    altered_table,
    command_actions,
    drop_kind,
    dropped_objects,
)
from linters.sql.node_spans import span_of
from linters.sql.object_names import qualified_name
from linters.statement import Statement

_HELP = "Release code that ignores the column first, then drop it in a later migration"


def _dropped_columns(statement: Statement) -> Iterator[tuple[str, exp.Expression | None]]:
    for action in alter_actions(statement.expression):
        if isinstance(action, exp.Drop) and drop_kind(action) == "COLUMN":
            for column in dropped_objects(action):
                yield column.name, column
    for subcommand in command_actions(statement):
        tokens, words = subcommand.tokens, subcommand.words
        if words[:2] == ("DROP", "COLUMN"):
            named = 4 if words[2:4] == ("IF", "EXISTS") else 2
            if len(tokens) > named:
                yield tokens[named].text, None


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    table = altered_table(statement)
    if table is None or context.is_new_table(table):
        return
    for column, node in _dropped_columns(statement):
        yield Violation(
            message=f"Do not drop column `{column}` of `{qualified_name(table)}` in a migration",
            help=_HELP,
            span=span_of(statement, node),
        )


RULE = StatementRule(
    id="drop-column",
    severity=Severity.ERROR,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    needs_words=frozenset({"DROP"}),
    check=check,
)
