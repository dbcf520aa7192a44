"""Backfill in one statement instead of batches.

## What it does
Without a database the linter cannot count rows, so this rule reads the shape of the statement.
On a table that existed before this change it reports:

* an `UPDATE` that is not limited to a key range: no `WHERE`, or a `WHERE` in which no column is
  pinned to constants on both sides or to a finite list. Batched shapes are not reported:
  `id BETWEEN 1 AND 10000`, `id >= 1 AND id < 10000` (any column, dates too), `id = 42`,
  `id IN (1, 2, 3)`, `id IN (SELECT id ... LIMIT 5000)`, `id = ANY(ARRAY(SELECT ... LIMIT n))`,
  and MySQL's `UPDATE ... LIMIT n`. Reported shapes include `WHERE col IS NULL`, one-sided
  ranges (`WHERE created_at < '2024-01-01'`), an `OR` with one unbounded branch, and joins
  (`UPDATE ... FROM`, MySQL `UPDATE t JOIN u ON ...`) without such a bound;
* an `INSERT ... SELECT` whose query reads an existing table without such a bound or a `LIMIT`
  (a table copy);
* an `INSERT ... VALUES` with more than `max_rows` rows (into any table but a new one).

A condition on a non-key column (`WHERE status = 'new'`) counts as a bound, though it may match
most of the table: the linter cannot know. An `UPDATE` without `WHERE` is also reported by
update-delete-without-where (an error: the condition may be missing by mistake); this rule
asks, in addition, that a deliberate whole-table change be batched.

Exempt: UPDATE and INSERT ... VALUES on tables created earlier in the same change; INSERT ...
SELECT that reads only such tables.

## Why is this bad?
One statement over a big table locks every row it changes until it commits (blocking the
application's writes to them), writes the whole change to the WAL or binlog at once, lags every
replica by the statement's full duration, and when it fails after an hour it rolls back for as
long. On MySQL, `INSERT ... SELECT` also locks the rows it reads.

## Example
```sql
UPDATE users SET email_normalized = lower(email);
-- every row of users is locked until the statement ends; replicas fall behind
```

## Use instead
Update by key ranges, each batch in its own transaction, with a pause between batches (a
background job, or a non-transactional migration with one batch per statement):
```sql
UPDATE users SET email_normalized = lower(email) WHERE id >= 1 AND id < 50000;
UPDATE users SET email_normalized = lower(email) WHERE id >= 50000 AND id < 100000;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.rule_options import IntegerOption
from linters.sql.dml_targets import CARRIERS, changed_table, inserted_table, row_changes
from linters.sql.object_names import qualified_name
from linters.sql.row_bounds import bounds_key_range, is_tautology
from linters.statement import Statement

_HELP = "Batch by key range (WHERE id >= :lo AND id < :hi), one transaction per batch"
MAX_ROWS = IntegerOption(
    "backfill-unbatched",
    "max_rows",
    1000,
    "The most rows one `INSERT ... VALUES` may carry.",
    minimum=1,
)


def _bounded(query: exp.Expression) -> bool:
    where = query.args.get("where")
    bounded_where = where is not None and not is_tautology(where) and bounds_key_range(where)
    return bounded_where or query.args.get("limit") is not None


def _update(update: exp.Update, context: Context) -> Iterator[Violation]:
    table = changed_table(update)
    if table is None or context.is_new_table(table) or _bounded(update):
        return
    yield Violation(
        message=f"Batch this UPDATE of `{qualified_name(table)}` by key range", help=_HELP
    )


def _unbounded_sources(query: exp.Expression, context: Context, ctes: set[str]) -> list[exp.Table]:
    """Existing tables an INSERT's query reads whole (every branch of a UNION counts)."""
    while isinstance(query, exp.Subquery | exp.Paren):
        query = query.this
    if isinstance(query, exp.SetOperation):
        return _unbounded_sources(query.this, context, ctes) + _unbounded_sources(
            query.expression, context, ctes
        )
    if not isinstance(query, exp.Select) or _bounded(query):
        return []
    sources = [query.args["from_"].this] if query.args.get("from_") else []
    sources += [join.this for join in query.args.get("joins") or []]
    return [
        source
        for source in sources
        # Named tables only: ``generate_series(...)`` or ``unnest(...)`` read no table.
        if isinstance(source, exp.Table)
        and isinstance(source.this, exp.Identifier)
        and source.name.lower() not in ctes | {"dual"}
        and not context.is_new_table(source)
    ]


def _insert(insert: exp.Insert, context: Context) -> Iterator[Violation]:
    target = inserted_table(insert)
    name = qualified_name(target) if target is not None else "?"
    source = insert.expression
    if isinstance(source, exp.Values):
        limit = MAX_ROWS.value(context.config)
        rows = len(source.expressions)
        if rows > limit and not (target is not None and context.is_new_table(target)):
            yield Violation(
                message=f"Split this INSERT of {rows} rows into `{name}` into batches of {limit}",
                help="Insert at most max_rows rows per statement, or load bulk data another way",
            )
    elif source is not None:
        ctes = {cte.alias_or_name.lower() for cte in insert.find_all(exp.CTE)}
        read = _unbounded_sources(source, context, ctes)
        if read:
            yield Violation(
                message=f"Copy the rows of `{qualified_name(read[0])}` into `{name}` in batches",
                help=_HELP,
            )


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    for dml in row_changes(statement.expression):
        if isinstance(dml, exp.Update):
            yield from _update(dml, context)
    if isinstance(statement.expression, exp.Insert):
        yield from _insert(statement.expression, context)


RULE = StatementRule(
    id="backfill-unbatched",
    severity=Severity.WARNING,
    dialects=ALL,
    doc=__doc__ or "",
    on=CARRIERS,
    check=check,
    options=(MAX_ROWS,),
)
