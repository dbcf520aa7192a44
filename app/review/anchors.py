"""The statement a finding is about, and the fingerprint that recognises it after a push.

Line numbers move whenever the author edits a file above a statement, so a finding is known
again by its file, rule, message and the statement's text (whitespace collapsed), plus how many
times that same statement occurred before it in the file. A finding of a file or change rule,
which is about no statement, is known by file, rule and message.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from linters.dialects import Dialect
from linters.finding import Finding, Span
from linters.registry import RULES
from linters.rule import ChangeRule, StatementRule
from linters.split import split_source

__all__ = ["Anchor", "FileStatements", "Fingerprints"]

_WHITESPACE = re.compile(r"\s+")
#: After a statement on its last line: only the delimiter, blanks and a line comment.
_LINE_END = re.compile(r"^[ \t]*;?[ \t]*(?:--[^\n]*)?\r?$")


@dataclass(frozen=True, slots=True)
class Anchor:
    """A statement as whole lines of its file."""

    start_line: int
    end_line: int
    #: The statement's text, without its delimiter.
    text: str
    #: Text on the statement's first line before it, and on its last line after it.
    before: str
    after: str

    @property
    def whole_lines(self) -> bool:
        """Nothing but blanks, the delimiter and a comment share its lines: its lines can be
        replaced by a suggestion without touching another statement."""
        return not self.before.strip() and _LINE_END.match(self.after) is not None

    def replaced_by(self, statement: str) -> str:
        """The statement's lines with the statement swapped for ``statement``."""
        return self.before + statement + self.after


class FileStatements:
    """The statements of one file, found by the linter's splitter (cheap: no parsing)."""

    def __init__(self, source: str, dialect: Dialect) -> None:
        self._source = source
        split = split_source(source, dialect)
        self._lines = split.lines
        self._pieces = [(split.lines.span(p.start, p.end), p.start, p.end) for p in split.pieces]

    def anchor(self, span: Span) -> Anchor | None:
        """The statement holding the start of ``span``; None between statements."""
        where = (span.line, span.column)
        for piece_span, start, end in self._pieces:
            if (
                (piece_span.line, piece_span.column)
                <= where
                <= (
                    piece_span.end_line,
                    piece_span.end_column,
                )
            ):
                line_start = self._source.rfind("\n", 0, start) + 1
                line_end = self._source.find("\n", end)
                line_end = len(self._source) if line_end == -1 else line_end
                return Anchor(
                    start_line=piece_span.line,
                    end_line=piece_span.end_line,
                    text=self._source[start:end],
                    before=self._source[line_start:start],
                    after=self._source[end:line_end],
                )
        return None


#: Where the engine puts findings that belong to no statement (a whole file, a change).
_NOWHERE = Span(1, 1, 1, 1)


def _about_a_statement(finding: Finding) -> bool:
    rule = RULES.get(finding.rule)
    if isinstance(rule, ChangeRule):
        return False
    # File rules (parse-error, mixed-ddl-dml, ...) point at a statement when they have one.
    return isinstance(rule, StatementRule) or finding.span != _NOWHERE


class Fingerprints:
    """Fingerprints of the findings of one review, counting repeated statements per file."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str, str, str], int] = {}

    def of(self, finding: Finding, anchor: Anchor | None) -> str:
        statement = ""
        if anchor is not None and _about_a_statement(finding):
            statement = _WHITESPACE.sub(" ", anchor.text).strip()
        key = (finding.path, finding.rule, finding.message, statement)
        occurrence = self._seen.get(key, 0)
        self._seen[key] = occurrence + 1
        text = "\0".join((*key, str(occurrence)))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
