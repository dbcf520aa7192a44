"""The part of a migration file that runs when it is applied.

A down file (``.down.sql``, Flyway ``U``) runs only on rollback, and a dbmate file carries its
rollback after ``-- migrate:down``. The engine checks statements of the up part only; file rules
that walk statements ask here so that they judge the same part.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linters.naming import MigrationNameError, has_dbmate_sections, split_dbmate

if TYPE_CHECKING:
    from linters.rule import LintedFile
    from linters.statement import Statement

__all__ = ["up_statements"]


def up_statements(file: LintedFile) -> list[Statement]:
    if file.name is not None and file.name.direction == "down":
        return []
    if file.context.config.naming == "dbmate" or has_dbmate_sections(file.source):
        try:
            down = split_dbmate(file.source).down
        except MigrationNameError:
            return file.statements
        if down is not None:
            return [statement for statement in file.statements if statement.start < down.offset]
    return file.statements
