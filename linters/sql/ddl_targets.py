"""What a DDL statement acts on: the table an ALTER TABLE changes, the objects a DROP removes.

``dropped_names`` reads ``DROP <kind> [CONCURRENTLY] [IF EXISTS] a, b [CASCADE | RESTRICT]``
from words rather than sqlglot's tree, so it also answers for statements sqlglot cannot parse
(``DROP SCHEMA a, b``, ``DROP DATABASE x WITH (FORCE)``, ``DROP INDEX a, b``).

Also answers for ALTER TABLE statements sqlglot kept as a generic command, so a rule that asks
"which table does this alter?" is not fooled by ``ALTER TABLE t VALIDATE CONSTRAINT c``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from linters.sql.alter_subcommands import AlterSubcommand, alter_subcommands
from linters.sql.object_names import qualified_name, qualified_name_tokens

if TYPE_CHECKING:
    from linters.statement import Statement

__all__ = [
    "alter_actions",
    "altered_table",
    "command_actions",
    "drop_kind",
    "dropped_names",
    "dropped_objects",
]


def _alter_table(expression: exp.Expression | None) -> exp.Alter | None:
    if isinstance(expression, exp.Alter) and str(expression.args.get("kind", "")) == "TABLE":
        return expression
    return None


def altered_table(statement: Statement) -> exp.Table | None:
    """The table of an ``ALTER TABLE``, parsed or kept as a generic command."""
    alter = _alter_table(statement.expression)
    if alter is not None and isinstance(alter.this, exp.Table):
        return alter.this
    command = alter_subcommands(statement) if statement.is_command else None
    return command.table if command is not None else None


def alter_actions(expression: exp.Expression | None) -> list[exp.Expression]:
    """The actions of a parsed ``ALTER TABLE`` (empty for anything else)."""
    alter = _alter_table(expression)
    return list(alter.args.get("actions") or []) if alter is not None else []


def command_actions(statement: Statement) -> tuple[AlterSubcommand, ...]:
    """The subcommands of an ``ALTER TABLE`` that sqlglot kept as a generic command (empty for
    any other statement): the counterpart of ``alter_actions`` for statements without a tree."""
    command = alter_subcommands(statement) if statement.is_command else None
    return command.subcommands if command is not None else ()


def drop_kind(drop: exp.Drop) -> str:
    """``TABLE``, ``COLUMN``, ``CONSTRAINT``, ``FOREIGN KEY``, ``SCHEMA`` ... upper-case."""
    return str(drop.args.get("kind") or "").upper()


def dropped_objects(drop: exp.Drop) -> list[exp.Expression]:
    return list(drop.args.get("tables") or [])


def dropped_names(statement: Statement, kind: str) -> list[str]:
    """Names dropped by ``DROP <kind> ...`` (``kind`` one upper-case word); empty otherwise."""
    words = statement.words
    if words[:2] != ("DROP", kind):
        return []
    index = 3 if words[2:3] == ("CONCURRENTLY",) else 2
    if words[index : index + 2] == ("IF", "EXISTS"):
        index += 2
    names: list[str] = []
    while True:
        name, index = qualified_name_tokens(statement.tokens, index)
        if name is None:
            break
        names.append(qualified_name(name))
        if words[index : index + 1] != (",",):
            break
        index += 1
    return names
