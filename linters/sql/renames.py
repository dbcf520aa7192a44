"""Every way a migration renames a table or a column, in PostgreSQL and MySQL/MariaDB spelling.

Tables: ``ALTER TABLE a RENAME TO b`` (MySQL also ``RENAME b``), MySQL ``RENAME TABLE a TO b,
c TO d``. Columns: ``ALTER TABLE t RENAME [COLUMN] a TO b``, MySQL ``CHANGE [COLUMN] a b type``
when the two names differ. sqlglot reads PostgreSQL's ``RENAME a TO b`` (without ``COLUMN``) as
a table rename with a stray ``TO`` option; ``column_renames`` reads it as the column rename it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from sqlglot import exp

from linters.sql.alter_subcommands import alter_subcommands
from linters.sql.object_names import qualified_name_tokens

if TYPE_CHECKING:
    from linters.statement import Statement

__all__ = ["ColumnRename", "TableRename", "column_renames", "table_renames"]

#: Words after RENAME that make it something other than a column rename.
_NOT_COLUMN_RENAMES = frozenset({"TO", "AS", "CONSTRAINT", "INDEX", "KEY"})


class TableRename(NamedTuple):
    old: exp.Table
    new: exp.Table


class ColumnRename(NamedTuple):
    table: exp.Table
    old: str
    new: str
    #: Where the old name is written (for the finding's line); None for generic commands.
    node: exp.Expression | None = None


def _renames_column_without_keyword(alter: exp.Alter) -> bool:
    options = alter.args.get("options") or []
    return any(isinstance(option, exp.ToTableProperty) for option in options)


def table_renames(statement: Statement) -> list[TableRename]:
    expression = statement.expression
    if isinstance(expression, exp.Alter) and str(expression.args.get("kind", "")) == "TABLE":
        if _renames_column_without_keyword(expression):
            return []
        return [
            TableRename(expression.this, action.this)
            for action in expression.args.get("actions") or []
            if isinstance(action, exp.AlterRename) and isinstance(action.this, exp.Table)
        ]
    if isinstance(expression, exp.Command):
        return _rename_table_command(statement)
    return []


def _rename_table_command(statement: Statement) -> list[TableRename]:
    """MySQL ``RENAME TABLE a TO b, c TO d``."""
    tokens, words = statement.tokens, statement.words
    if words[:2] != ("RENAME", "TABLE"):
        return []
    renames: list[TableRename] = []
    index = 2
    while index < len(tokens):
        old, index = qualified_name_tokens(tokens, index)
        if old is None or index >= len(words) or words[index] != "TO":
            break
        new, index = qualified_name_tokens(tokens, index + 1)
        if new is None:
            break
        renames.append(TableRename(old, new))
        if index >= len(words) or words[index] != ",":
            break
        index += 1
    return renames


def column_renames(statement: Statement) -> list[ColumnRename]:
    expression = statement.expression
    if isinstance(expression, exp.Alter) and str(expression.args.get("kind", "")) == "TABLE":
        return list(_alter_column_renames(expression))
    command = alter_subcommands(statement) if statement.is_command else None
    if command is None:
        return []
    renames = []
    for action in command.subcommands:
        tokens, words = action.tokens, action.words
        start = 2 if words[:2] == ("RENAME", "COLUMN") else 1
        if words[:1] != ("RENAME",) or len(words) < start + 3 or words[start + 1] != "TO":
            continue
        if start == 1 and words[1] in _NOT_COLUMN_RENAMES:
            continue
        renames.append(ColumnRename(command.table, tokens[start].text, tokens[start + 2].text))
    return renames


def _alter_column_renames(alter: exp.Alter) -> list[ColumnRename]:
    table = alter.this
    renames = []
    for action in alter.args.get("actions") or []:
        if isinstance(action, exp.RenameColumn):
            renames.append(ColumnRename(table, action.this.name, action.args["to"].name, action))
        elif isinstance(action, exp.AlterRename) and _renames_column_without_keyword(alter):
            new = next(o for o in alter.args["options"] if isinstance(o, exp.ToTableProperty))
            renames.append(ColumnRename(table, action.this.name, new.this.name, action))
        elif isinstance(action, exp.ModifyColumn) and action.args.get("rename_from"):
            old = action.args["rename_from"]
            new_name = action.this.name
            # MySQL column names ignore case: ``CHANGE a A`` keeps every query working.
            if old.name.lower() != new_name.lower():
                renames.append(ColumnRename(table, old.name, new_name, old))
    return renames
