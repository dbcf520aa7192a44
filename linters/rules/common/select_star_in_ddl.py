"""SELECT * in a view, a table copy or an INSERT ... SELECT.

## What it does
Reports `*` (or `t.*`) in the output columns of the query of `CREATE [MATERIALIZED] VIEW`,
`CREATE TABLE ... AS SELECT` (also `CREATE TABLE ... AS TABLE` and PostgreSQL's
`SELECT * INTO new_table`), and `INSERT ... SELECT`. Only the columns the statement produces
count: `*` inside `EXISTS (SELECT * ...)`, `count(*)` or a subquery whose columns are then
named is fine.

## Why is this bad?
A view expands `*` once, at creation: columns added to the table later never appear in it, and
PostgreSQL refuses to drop or retype the columns it captured. A copy made with `*` takes
whatever columns the source has on that environment, in that order, so copies differ between
environments whose schemas drifted, and an `INSERT ... SELECT *` breaks (or fills the wrong
columns) as soon as either table changes.

## Example
```sql
CREATE VIEW active_users AS SELECT * FROM users WHERE deleted_at IS NULL;
-- columns added to users later are missing from active_users
INSERT INTO users_archive SELECT * FROM users WHERE deleted_at IS NOT NULL;
-- breaks as soon as users and users_archive differ by one column
```

## Use instead
```sql
CREATE VIEW active_users AS SELECT id, email, name FROM users WHERE deleted_at IS NULL;
INSERT INTO users_archive (id, email, name)
SELECT id, email, name FROM users WHERE deleted_at IS NOT NULL;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.dml_targets import inserted_table
from linters.sql.object_names import qualified_name
from linters.statement import Statement

_HELP = "Name the columns the statement reads"


def _selects_star(query: exp.Expression | None) -> bool:
    """Whether the columns ``query`` produces include ``*`` (every branch of a UNION counts)."""
    while isinstance(query, exp.Subquery | exp.Paren):
        query = query.this
    if isinstance(query, exp.SetOperation):
        return _selects_star(query.this) or _selects_star(query.expression)
    if not isinstance(query, exp.Select):
        return False
    return any(
        isinstance(column, exp.Star)
        or (isinstance(column, exp.Column) and isinstance(column.this, exp.Star))
        for column in query.expressions
    )


def _star_statement(expression: exp.Expression) -> str | None:
    """What the statement creates or fills, when its query selects ``*``."""
    if isinstance(expression, exp.Create):
        kind = str(expression.args.get("kind", "")).upper()
        target = expression.find(exp.Table)
        if kind in ("VIEW", "TABLE") and target and _selects_star(expression.expression):
            return f"CREATE {kind} `{qualified_name(target)}`"
    elif isinstance(expression, exp.Insert) and _selects_star(expression.expression):
        target = inserted_table(expression)
        return f"INSERT INTO `{qualified_name(target)}`" if target else "INSERT"
    elif isinstance(expression, exp.Select) and expression.args.get("into"):
        target = expression.args["into"].find(exp.Table)
        if target is not None and _selects_star(expression):
            return f"SELECT INTO `{qualified_name(target)}`"
    return None


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    if statement.expression is None:
        return
    where = _star_statement(statement.expression)
    if where is not None:
        yield Violation(message=f"Name the columns instead of `*` in {where}", help=_HELP)


RULE = StatementRule(
    id="select-star-in-ddl",
    severity=Severity.WARNING,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Create, exp.Insert, exp.Select),
    check=check,
)
