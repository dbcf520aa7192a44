"""Where a name sits in the file, so a finding lands on the line of the column it is about.

sqlglot records offsets (relative to the parsed text) on the identifiers it reads. A review
comment on the line of `amount int` inside a forty-line CREATE TABLE is worth more than one on
the CREATE line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from linters.finding import Span
from linters.rule import Violation

if TYPE_CHECKING:
    from linters.statement import Statement

__all__ = ["finding_span", "span_at", "span_of", "violation_at"]


def span_of(statement: Statement, node: exp.Expression | None) -> Span | None:
    """The span of ``node`` (an identifier, or the first identifier inside it) in the file.

    None when sqlglot kept no offsets, or when they do not point at the name in the statement's
    text (a splitter that parsed a different text than it kept): the caller then reports on the
    whole statement, never on a wrong line.
    """
    if node is None:
        return None
    identifier = node if isinstance(node, exp.Identifier) else node.find(exp.Identifier)
    if identifier is None:
        return None
    start, end = identifier.meta.get("start"), identifier.meta.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        return None
    written = statement.text[start : end + 1].strip('"`[]').lower()
    if not written or written != identifier.name.lower():
        return None
    return span_at(statement, start, end)


def span_at(statement: Statement, start: int, end: int) -> Span:
    """The span of ``statement.text[start : end + 1]`` in the file."""
    return Span(*_position(statement, start), *_position(statement, end))


def violation_at(
    statement: Statement,
    node: exp.Expression | None,
    *,
    message: str,
    help: str,
    suggestion: str | None = None,
) -> Violation:
    """A violation placed on ``node`` when the statement spans several lines.

    A suggestion replaces the whole statement, so it is only offered when the finding covers
    the statement (a one-line statement); on a multi-line statement the exact line wins.
    """
    span = _narrower_span(statement, node)
    if span is None:
        return Violation(message, help, statement, suggestion=suggestion)
    return Violation(message, help, statement, span=span)


def finding_span(statement: Statement, node: exp.Expression | None) -> Span:
    """Where ``violation_at`` places a finding about ``node``: the node's line on a multi-line
    statement, else the whole statement."""
    return _narrower_span(statement, node) or statement.span


def _narrower_span(statement: Statement, node: exp.Expression | None) -> Span | None:
    if statement.span.line == statement.span.end_line:
        return None
    return span_of(statement, node)


def _position(statement: Statement, offset: int) -> tuple[int, int]:
    text = statement.text
    newlines = text.count("\n", 0, offset)
    if newlines == 0:
        return statement.span.line, statement.span.column + offset
    return statement.span.line + newlines, offset - text.rfind("\n", 0, offset)
