"""Whether a WHERE condition limits a statement to a bounded batch of rows, read statically.

Without a database the linter cannot count rows; what it can see is the shape of the
condition. A condition "bounds a key range" when it pins some column to constants on both
sides or to a finite list: ``id BETWEEN 1 AND 10000``, ``id >= 1 AND id < 10000``,
``id = 42``, ``id IN (1, 2, 3)``, ``id IN (SELECT id ... LIMIT 1000)``. ``col IS NULL``,
``created_at < '2020-01-01'`` or ``t.id = u.id`` bound nothing the linter can see.
"""

from __future__ import annotations

from sqlglot import exp

__all__ = ["bounds_key_range", "is_constant", "is_tautology"]

_LOWER = (exp.GT, exp.GTE)
_UPPER = (exp.LT, exp.LTE)


def is_constant(node: exp.Expr) -> bool:
    """A literal, a bind parameter, or a cast / negation of one."""
    if isinstance(node, exp.Literal | exp.Placeholder | exp.Parameter | exp.Boolean):
        return True
    if isinstance(node, exp.Neg | exp.Paren | exp.Cast | exp.TryCast):
        return is_constant(node.this)
    return False


def _unwrap(node: exp.Expr) -> exp.Expr:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _limited_query(node: exp.Expr | None) -> bool:
    """A subquery (or ``ARRAY(subquery)``) that returns at most LIMIT rows."""
    while isinstance(node, exp.Subquery | exp.Paren | exp.Array | exp.Any):
        node = node.this if not isinstance(node, exp.Array) else next(iter(node.expressions), None)
    return isinstance(node, exp.Query) and node.args.get("limit") is not None


def _column_and_constant(node: exp.Binary) -> tuple[exp.Column, bool] | None:
    """The column compared and whether it is on the left, when the other side is constant."""
    left, right = _unwrap(node.this), _unwrap(node.expression)
    if isinstance(left, exp.Column) and is_constant(right):
        return left, True
    if isinstance(right, exp.Column) and is_constant(left):
        return right, False
    return None


def _point_or_list(node: exp.Expr) -> bool:
    if isinstance(node, exp.Between):
        return (
            isinstance(_unwrap(node.this), exp.Column)
            and is_constant(node.args["low"])
            and is_constant(node.args["high"])
        )
    if isinstance(node, exp.EQ):
        if _column_and_constant(node) is not None:
            return True
        right = _unwrap(node.expression)
        if isinstance(right, exp.Any) and isinstance(_unwrap(node.this), exp.Column):
            inner = _unwrap(right.this)
            literal_array = isinstance(inner, exp.Array) and all(
                is_constant(item) for item in inner.expressions
            )
            return literal_array or _limited_query(right)
        return False
    if isinstance(node, exp.In) and isinstance(_unwrap(node.this), exp.Column):
        if node.args.get("query") is not None:
            return _limited_query(node.args["query"])
        return bool(node.expressions) and all(is_constant(item) for item in node.expressions)
    return False


def _range_pair(conjuncts: list[exp.Expr]) -> bool:
    """A lower and an upper constant bound on the same column among ANDed conditions."""
    lower: set[str] = set()
    upper: set[str] = set()
    for node in conjuncts:
        if not isinstance(node, _LOWER + _UPPER):
            continue
        found = _column_and_constant(node)
        if found is None:
            continue
        column, column_on_left = found
        # ``id > 5`` and ``5 < id`` are both lower bounds.
        is_lower = isinstance(node, _LOWER) == column_on_left
        (lower if is_lower else upper).add(column.sql().lower())
    return bool(lower & upper)


def bounds_key_range(condition: exp.Expr) -> bool:
    """Whether ``condition`` pins a column to a bounded range or a finite set of values."""
    node = _unwrap(condition.this if isinstance(condition, exp.Where) else condition)
    if isinstance(node, exp.And):
        conjuncts = [_unwrap(part) for part in node.flatten()]
        return any(bounds_key_range(part) for part in conjuncts) or _range_pair(conjuncts)
    if isinstance(node, exp.Or):
        return all(bounds_key_range(_unwrap(part)) for part in node.flatten())
    return _point_or_list(node)


def is_tautology(condition: exp.Expr) -> bool:
    """``WHERE true``, ``WHERE 1``, ``WHERE 1 = 1``: a condition that keeps every row."""
    node = _unwrap(condition.this if isinstance(condition, exp.Where) else condition)
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Literal) and not node.is_string:
        return node.this not in ("0", "0.0")
    if isinstance(node, exp.EQ):
        left, right = _unwrap(node.this), _unwrap(node.expression)
        return isinstance(left, exp.Literal) and left == right
    return False
