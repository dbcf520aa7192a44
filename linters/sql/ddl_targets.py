"""What a DDL statement acts on: the table an ALTER TABLE changes, the objects a DROP removes.

Also answers for ALTER TABLE statements sqlglot kept as a generic command, so a rule that asks
"which table does this alter?" is not fooled by ``ALTER TABLE t VALIDATE CONSTRAINT c``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from linters.sql.generic_command import alter_table_command

if TYPE_CHECKING:
    from linters.statement import Statement

__all__ = ["alter_actions", "altered_table", "drop_kind", "dropped_objects"]


def _alter_table(expression: exp.Expression | None) -> exp.Alter | None:
    if isinstance(expression, exp.Alter) and str(expression.args.get("kind", "")) == "TABLE":
        return expression
    return None


def altered_table(statement: Statement) -> exp.Table | None:
    """The table of an ``ALTER TABLE``, parsed or kept as a generic command."""
    alter = _alter_table(statement.expression)
    if alter is not None and isinstance(alter.this, exp.Table):
        return alter.this
    command = alter_table_command(statement)
    return command.table if command is not None else None


def alter_actions(expression: exp.Expression | None) -> list[exp.Expression]:
    """The actions of a parsed ``ALTER TABLE`` (empty for anything else)."""
    alter = _alter_table(expression)
    return list(alter.args.get("actions") or []) if alter is not None else []


def drop_kind(drop: exp.Drop) -> str:
    """``TABLE``, ``COLUMN``, ``CONSTRAINT``, ``FOREIGN KEY``, ``SCHEMA`` ... upper-case."""
    return str(drop.args.get("kind") or "").upper()


def dropped_objects(drop: exp.Drop) -> list[exp.Expression]:
    return list(drop.args.get("tables") or [])
