"""Which tables are new at a given statement of a file, for rules that walk a whole file.

The engine's ``Context.new_tables`` is complete only for statement rules, which it asks before
each statement; a file rule sees the set after the whole file ran, so a table the file drops and
then creates again would look new at its DROP. ``NewTables`` answers for the tables earlier
files created and adds this file's creations as the walk reaches them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from linters.rule import TableKeys, table_key

if TYPE_CHECKING:
    from linters.rule import Context
    from linters.statement import Statement

__all__ = ["NewTables", "created_key", "created_relation"]


def created_relation(expression: exp.Expression | None) -> exp.Table | None:
    """The table or view a CREATE makes: what makes a table new for later statements."""
    if not isinstance(expression, exp.Create):
        return None
    if str(expression.args.get("kind", "")).upper() not in ("TABLE", "VIEW"):
        return None
    target = expression.this
    table = target.this if isinstance(target, exp.Schema) else target
    return table if isinstance(table, exp.Table) else None


def created_key(statement: Statement) -> str | None:
    """The ``table_key`` of the table or view ``statement`` creates, computed once per
    statement: the engine and every rule that walks a file ask for each statement."""
    return statement.derived(_created_key)


def _created_key(statement: Statement) -> str | None:
    table = created_relation(statement.expression)
    return table_key(table) if table is not None else None


class NewTables:
    """Tables created earlier in the change, as of the statement the walk has reached."""

    def __init__(self, context: Context) -> None:
        #: Every table of the change so far, this file's included.
        self._change = context.new_tables
        self._here = context.created_here
        self._walked = TableKeys()

    def observe(self, statement: Statement) -> None:
        """Call after checking ``statement``: what it creates is new for later statements."""
        key = created_key(statement)
        if key is not None:
            self._walked.add(key)

    def is_new(self, table: exp.Table | str) -> bool:
        if self._walked.holds(table):
            return True
        return self._change.holds(table) and not self._here.holds(table)
