"""The table an UPDATE or DELETE changes, and the conditions that limit its rows.

MySQL's multi-table forms put the target and its joins in one node
(``UPDATE t JOIN u ON ... SET``, ``DELETE t FROM t JOIN u ON ...``); an inner join's ``ON``
limits the rows changed as a WHERE would.
"""

from __future__ import annotations

from sqlglot import exp

from linters.sql.row_bounds import is_tautology

__all__ = ["CARRIERS", "changed_table", "has_row_filter", "inserted_table", "row_changes"]

#: Statement kinds that can carry an UPDATE or DELETE (PostgreSQL data-modifying CTEs).
CARRIERS = (exp.Update, exp.Delete, exp.Insert, exp.Select)


def row_changes(statement: exp.Expression | None) -> list[exp.Update | exp.Delete]:
    """The UPDATEs and DELETEs a statement runs: itself, and those in its WITH clauses.

    ``WITH moved AS (DELETE FROM t RETURNING *) INSERT ...`` deletes from ``t`` as surely as a
    plain DELETE. MERGE's ``WHEN MATCHED THEN UPDATE`` is bounded by the MERGE's ON, not here.
    """
    if statement is None:
        return []
    return [
        node
        for node in statement.find_all(exp.Update, exp.Delete)
        if isinstance(node, exp.Update | exp.Delete) and not isinstance(node.parent, exp.When)
    ]


def changed_table(statement: exp.Expression | None) -> exp.Table | None:
    """The table whose rows an UPDATE or DELETE changes (the first, for multi-table DELETE)."""
    if isinstance(statement, exp.Delete) and statement.args.get("tables"):
        first = statement.args["tables"][0]
        return first if isinstance(first, exp.Table) else None
    if isinstance(statement, exp.Update | exp.Delete) and isinstance(statement.this, exp.Table):
        return statement.this
    return None


def inserted_table(insert: exp.Insert) -> exp.Table | None:
    """The table an INSERT fills, with or without a column list."""
    target = insert.this.this if isinstance(insert.this, exp.Schema) else insert.this
    return target if isinstance(target, exp.Table) else None


def _filtering_join(join: exp.Join) -> bool:
    side = str(join.args.get("side") or "").upper()
    kind = str(join.args.get("kind") or "").upper()
    return join.args.get("on") is not None and not side and kind in ("", "INNER", "STRAIGHT_JOIN")


def has_row_filter(statement: exp.Update | exp.Delete) -> bool:
    """A WHERE (not ``WHERE true``), or MySQL's inner join with ON, limits the rows changed."""
    where = statement.args.get("where")
    if where is not None:
        return not is_tautology(where)
    target = statement.this
    joins = (target.args.get("joins") or []) if isinstance(target, exp.Table) else []
    return any(_filtering_join(join) for join in joins)
