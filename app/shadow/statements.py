"""The statements of a migration file with their exact places, as the linter reports them."""

from __future__ import annotations

import re

from app.migrations.files import Script, ScriptStatement
from app.shadow.results import StatementRun
from linters.dialects import Dialect
from linters.finding import Span

__all__ = ["changes_settings", "span_of", "statement_runs"]

_SETTING = re.compile(r"^\s*(?:SET|RESET)\b", re.I)


def changes_settings(text: str) -> bool:
    """Whether the statement sets session variables, which may include the run's limits."""
    return _SETTING.match(text) is not None


def span_of(script: Script, statement: ScriptStatement) -> Span:
    """1-based lines and columns of the statement in its file, end inclusive."""
    line_start = script.source.rfind("\n", 0, statement.start) + 1
    column = statement.start - line_start + 1
    text = statement.text.rstrip()
    lines = text.split("\n")
    end_line = statement.line + len(lines) - 1
    end_column = column + len(text) - 1 if len(lines) == 1 else len(lines[-1])
    return Span(statement.line, column, end_line, max(end_column, 1))


def statement_runs(path: str, script: Script, dialect: Dialect) -> list[StatementRun]:
    """A not-yet-run record for each statement of ``script``, which lives at ``path``."""
    return [
        StatementRun(path, statement.index, span_of(script, statement), statement.text)
        for statement in script.statements(dialect)
    ]
