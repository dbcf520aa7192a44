"""Comparison with NULL using = or <>.

## What it does
Reports `= NULL`, `<> NULL` and `!= NULL` (either side), and `NOT IN (..., NULL)`, in a
condition: `WHERE`, `HAVING`, `JOIN ... ON`, `CASE WHEN`, `MERGE ... ON` and `CHECK`, of any
statement. Assignments (`SET col = NULL`, `ON CONFLICT DO UPDATE SET`, `SET search_path = ...`)
are not conditions and are not reported.

## Why is this bad?
A comparison with NULL is neither true nor false but unknown, and a condition that is unknown
keeps no row: `WHERE deleted_at = NULL` matches nothing, `x NOT IN (1, NULL)` never holds. The
migration runs without error and silently changes no rows; a `CHECK` written this way rejects
nothing.

## Example
```sql
UPDATE users SET status = 'active' WHERE deactivated_at = NULL;
-- updates no row at all, and says nothing
```

## Use instead
```sql
UPDATE users SET status = 'active' WHERE deactivated_at IS NULL;
```
(`IS NOT NULL` for `<>` / `!=`; `IS [NOT] DISTINCT FROM` or MySQL's `<=>` to compare two
values that may be NULL.)
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL, SQLGLOT_DIALECT
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.node_spans import span_of
from linters.statement import Statement

_CONDITIONS = (exp.Where, exp.Having, exp.Qualify, exp.CheckColumnConstraint)


def _in_condition(node: exp.Expr) -> bool:
    """Whether ``node`` is (part of) a condition rather than an assigned value."""
    child, parent = node, node.parent
    while parent is not None:
        if isinstance(parent, _CONDITIONS):
            return True
        if isinstance(parent, exp.Join | exp.Merge) and child.arg_key == "on":
            return True
        if isinstance(parent, exp.If) and child.arg_key == "this":
            return True
        child, parent = parent, parent.parent
    return False


def _compares_with_null(node: exp.Expr) -> bool:
    if isinstance(node, exp.EQ | exp.NEQ):
        return isinstance(node.this, exp.Null) or isinstance(node.expression, exp.Null)
    if isinstance(node, exp.Not) and isinstance(node.this, exp.In):
        return any(isinstance(item, exp.Null) for item in node.this.expressions)
    return False


def _with_is_null(node: exp.Expr) -> exp.Expr:
    if not isinstance(node, exp.EQ | exp.NEQ) or not _compares_with_null(node):
        return node
    if not _in_condition(node):
        return node
    value = node.expression if isinstance(node.this, exp.Null) else node.this
    is_null = exp.Is(this=value.copy(), expression=exp.Null())
    return is_null if isinstance(node, exp.EQ) else exp.Not(this=is_null)


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    expression = statement.expression
    # No NULL written, no NULL in the tree: most statements skip the walk over their tree.
    if expression is None or isinstance(expression, exp.Command) or "NULL" not in statement.words:
        return
    found = [
        node
        for node in expression.find_all(exp.EQ, exp.NEQ, exp.Not)
        if _compares_with_null(node) and _in_condition(node)
    ]
    if not found:
        return
    suggestion = None
    # ``NOT IN (..., NULL)`` has no mechanical fix: which value was meant is for a person.
    if all(isinstance(node, exp.EQ | exp.NEQ) for node in found):
        fixed = expression.copy().transform(_with_is_null)
        suggestion = fixed.sql(dialect=SQLGLOT_DIALECT[statement.dialect])
    for node in found:
        yield Violation(
            message=_message(node, node.sql(dialect=SQLGLOT_DIALECT[statement.dialect])),
            help="Compare with NULL using IS NULL / IS NOT NULL; NULL never equals anything",
            span=span_of(statement, node.find(exp.Identifier)),
            suggestion=suggestion,
        )


def _message(node: exp.Expr, written: str) -> str:
    if isinstance(node, exp.EQ):
        return f"Use `IS NULL` instead of `{written}`: the comparison is never true"
    if isinstance(node, exp.NEQ):
        return f"Use `IS NOT NULL` instead of `{written}`: the comparison is never true"
    return f"Remove NULL from `{written}`: NOT IN with a NULL is never true"


RULE = StatementRule(
    id="null-comparison",
    severity=Severity.ERROR,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Expression,),
    needs_words=frozenset({"NULL"}),
    check=check,
)
