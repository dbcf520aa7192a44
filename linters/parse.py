"""Split a migration file into statements with exact spans, and parse each with sqlglot.

PROVISIONAL: a token-based split; to be replaced by a scanner that handles MySQL DELIMITER,
BEGIN ... END bodies and keeps comments with their positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, TokenError
from sqlglot.tokenizer_core import TokenType

from linters.dialects import SQLGLOT_DIALECT, Dialect
from linters.finding import Span
from linters.statement import Statement

__all__ = ["NO_TRANSACTION_DIRECTIVES", "Comment", "ParsedFile", "parse_file"]

#: Comments that mark a file as non-transactional: ours, Atlas's and dbmate's.
NO_TRANSACTION_DIRECTIVES = re.compile(
    r"^\s*(schemabot:no-transaction|atlas:txmode\s+none|migrate:up\s+.*transaction:false)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment as written, without its ``--`` or ``/* */``."""

    text: str
    span: Span
    start: int


@dataclass
class ParsedFile:
    source: str
    statements: list[Statement]
    comments: list[Comment] = field(default_factory=list)

    @property
    def no_transaction(self) -> bool:
        return any(NO_TRANSACTION_DIRECTIVES.match(comment.text) for comment in self.comments)


def _position(source: str, offset: int) -> tuple[int, int]:
    line = source.count("\n", 0, offset) + 1
    column = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return line, column


def parse_file(source: str, dialect: Dialect) -> ParsedFile:
    read = SQLGLOT_DIALECT[dialect]
    try:
        tokens = sqlglot.tokenize(source, read=read)
    except TokenError as error:
        line, column = _position(source, len(source))
        span = Span(1, 1, line, column)
        bad = Statement(0, source, span, 0, len(source), dialect, None, str(error))
        return ParsedFile(source, [bad])
    groups: list[list[object]] = [[]]
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            groups.append([])
        else:
            groups[-1].append(token)
    statements: list[Statement] = []
    for group in groups:
        if not group:
            continue
        first, last = group[0], group[-1]
        start, end = first.start, last.end + 1  # type: ignore[attr-defined]
        text = source[start:end]
        line, column = _position(source, start)
        end_line, end_column = _position(source, end - 1)
        statement = Statement(
            len(statements), text, Span(line, column, end_line, end_column), start, end, dialect
        )
        try:
            parsed = sqlglot.parse_one(text, read=read, error_level=ErrorLevel.RAISE)
            statement.expression = parsed if isinstance(parsed, exp.Expression) else None
        except (ParseError, TokenError) as error:
            statement.error = str(error).splitlines()[0]
        if isinstance(statement.expression, exp.Command) and statement.expression is None:
            statement.error = "unsupported statement"
        statements.append(statement)
    return ParsedFile(source, statements)
