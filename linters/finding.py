"""What a lint run reports: a finding at an exact place in a migration file."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

__all__ = ["DOCS_URL", "Finding", "Severity", "Span"]

#: Each finding links to its rule's page; the docs site is generated from the rule docstrings.
DOCS_URL = "https://schemabot.dev/rules/{rule}"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


class Span(NamedTuple):
    """A range in a file: 1-based lines and columns, end inclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


class Finding(NamedTuple):
    path: str
    span: Span
    rule: str
    severity: Severity
    message: str
    #: The safer alternative, one line ("fix title").
    help: str
    #: Replacement text for the statement when the fix is mechanical (offered as a suggestion).
    suggestion: str | None = None

    @property
    def url(self) -> str:
        return DOCS_URL.format(rule=self.rule)

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "help": self.help,
            "url": self.url,
        }
