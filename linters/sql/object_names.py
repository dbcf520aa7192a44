"""How findings name database objects, and when two written names mean the same table."""

from __future__ import annotations

from sqlglot import exp

__all__ = ["qualified_name", "same_table"]


def qualified_name(node: exp.Expression) -> str:
    """``schema.table`` for a table, ``name`` for an identifier or column, without quotes."""
    if isinstance(node, exp.Table):
        return ".".join(part.name for part in node.parts)
    return node.name


def same_table(left: exp.Table, right: exp.Table) -> bool:
    """Same name, ignoring case; the schema counts only when both names are qualified.

    ``public.orders`` and ``orders`` are the same table for a migration that uses both, as
    ``Context.is_new_table`` also assumes.
    """
    if left.name.lower() != right.name.lower():
        return False
    return not (left.db and right.db) or left.db.lower() == right.db.lower()
