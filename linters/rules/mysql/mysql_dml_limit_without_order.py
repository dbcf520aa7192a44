"""UPDATE / DELETE with LIMIT but no ORDER BY, or rows picked by ORDER BY RAND().

## What it does
Reports:
- `UPDATE ... LIMIT n` and `DELETE ... LIMIT n` without `ORDER BY`, or ordered by `RAND()`;
- `INSERT|REPLACE ... SELECT ... ORDER BY RAND()`;
- `INSERT|REPLACE ... SELECT ... LIMIT n` without `ORDER BY`.

## Why is this bad?
Without an order, which rows a LIMIT picks depends on the execution plan: it can differ between
the primary and a replica, between two runs, and after an index change. With statement-based
(or mixed) binary logging the server marks these statements unsafe and replicas can end up with
different data; a batched backfill written this way can also skip or repeat rows. `RAND()`
orders differently on every server by design.

## Example
```sql
DELETE FROM sessions WHERE expires_at < NOW() LIMIT 10000;
-- which 10000 rows? the primary and its replicas may delete different ones
```

## Use instead
Walk the primary key in deterministic ranges:
```sql
DELETE FROM sessions WHERE expires_at < NOW() AND id BETWEEN 1 AND 10000;
-- or: ... ORDER BY id LIMIT 10000
```
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.object_names import qualified_name
from linters.statement import Statement

_HELP = "Order by a unique key (ORDER BY id LIMIT n), or walk key ranges (id BETWEEN a AND b)"


def _random_order(node: object) -> bool:
    order = node.args.get("order") if isinstance(node, exp.Expression) else None
    return isinstance(order, exp.Order) and order.find(exp.Rand) is not None


def _problem(statement: Statement) -> str | None:
    expression = statement.expression
    if isinstance(expression, exp.Update | exp.Delete):
        if _random_order(expression):
            return "ORDER BY RAND() picks different rows on every server"
        if expression.args.get("limit") and not expression.args.get("order"):
            return "LIMIT without ORDER BY picks rows in no defined order"
        return None
    if isinstance(expression, exp.Insert):
        query = expression.expression
        if not isinstance(query, exp.Query):
            return None
        if _random_order(query):
            return "ORDER BY RAND() picks different rows on every server"
        if query.args.get("limit") and not query.args.get("order"):
            return "LIMIT without ORDER BY picks rows in no defined order"
        return None
    if statement.words[:1] in (("INSERT",), ("REPLACE",)) and "SELECT" in statement.words:
        # The tokenizer keeps "ORDER BY" as one word.
        words = [part for word in statement.words for part in word.split()]
        ordered = any(words[i : i + 2] == ["ORDER", "BY"] for i in range(len(words)))
        if ordered and any(words[i : i + 3] == ["ORDER", "BY", "RAND"] for i in range(len(words))):
            return "ORDER BY RAND() picks different rows on every server"
        if "LIMIT" in words and not ordered:
            return "LIMIT without ORDER BY picks rows in no defined order"
    return None


def _target(statement: Statement) -> str:
    expression = statement.expression
    table = expression.find(exp.Table) if isinstance(expression, exp.Expression) else None
    if isinstance(expression, exp.Command) or table is None:
        return ""
    return f" on `{qualified_name(table)}`"


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    problem = _problem(statement)
    if problem is not None:
        verb = statement.words[0] if statement.words else "statement"
        yield Violation(
            message=f"Make this {verb}{_target(statement)} deterministic: {problem}", help=_HELP
        )


RULE = StatementRule(
    id="mysql-dml-limit-without-order",
    severity=Severity.WARNING,
    dialects=MYSQL,
    doc=__doc__ or "",
    on=(exp.Update, exp.Delete, exp.Insert, exp.Command),
    check=check,
)
