"""Split a migration file into statements with exact spans, and parse each with sqlglot.

``linters.split`` finds the statements, comments and client commands in one pass; this module
tokenizes each statement once, parses those tokens, and keeps them for ``Statement.tokens``.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from typing import ClassVar

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect as SqlglotDialect
from sqlglot.errors import ErrorLevel, ParseError, TokenError
from sqlglot.parser import Parser
from sqlglot.tokenizer_core import Token, TokenType
from sqlglot.tokens import Tokenizer

from linters.dialects import SQLGLOT_DIALECT, Dialect
from linters.line_index import LineIndex
from linters.split import ClientCommand, Comment, Piece, split_source
from linters.statement import Statement

__all__ = [
    "NO_TRANSACTION_DIRECTIVES",
    "ClientCommand",
    "Comment",
    "ParsedFile",
    "QuietSqlglot",
    "missing_delimiter",
    "parse_file",
    "tokenize_statement",
]

#: Comments that mark a file as non-transactional: ours, Atlas's and dbmate's.
NO_TRANSACTION_DIRECTIVES = re.compile(
    r"^\s*(schemabot:no-transaction|atlas:txmode\s+none|migrate:up\s+.*transaction:false)\b",
    re.IGNORECASE,
)

#: Statements the server accepts but sqlglot rejects, as ``Statement.matches`` shapes: they
#: become a generic command (rules read their words) instead of a syntax error. So do compound
#: statements (a trigger's BEGIN ... END body): procedural code is beyond sqlglot.
UNPARSED_COMMANDS: dict[Dialect, tuple[str, ...]] = {
    "postgres": (
        "CLUSTER",
        "COMMENT ON",
        "COMMIT PREPARED",
        "CREATE OPERATOR",
        "CREATE TRANSFORM",
        # argument lists with names or array types: `DROP FUNCTION f(ids bigint[])`
        "DROP FUNCTION",
        "DROP PROCEDURE",
        "DROP ROUTINE",
        "IMPORT FOREIGN SCHEMA",
        "NOTIFY",
        "REASSIGN OWNED",
        "RELEASE",
        "ROLLBACK PREPARED",
        "SECURITY LABEL",
        "START TRANSACTION",
        "UNLISTEN",
    ),
    "mysql": (
        "ALTER TABLE ... PARTITION",
        "BEGIN NOT ATOMIC",
        "CHECK TABLE",
        "CHECKSUM TABLE",
        "DEALLOCATE PREPARE",
        "DO",
        "HANDLER",
        "INSTALL",
        "LOAD DATA",
        "LOCK TABLE",
        "REPAIR TABLE",
        "XA",
    ),
    "sqlite": ("RELEASE", "UPDATE OR"),
}
UNPARSED_COMMANDS["mariadb"] = UNPARSED_COMMANDS["mysql"]

_TOKEN_REPR = re.compile(
    r"<Token token_type: [\w.]+, text: (?P<text>.*?), line: \d+, col: \d+, start: \d+, end: \d+,"
    r" comments: \[[^\]]*\]>"
)


class QuietSqlglot:
    """Mutes sqlglot's logger while statements are parsed.

    sqlglot logs a warning for each statement it keeps as a generic command: for a linter that
    is an answer, not a problem, and it must not clutter stderr. A disabled logger does not even
    build the record, which a filter would (that cost a quarter of the parse time). Counted, so
    that overlapping parses in several threads restore the logger only when the last one ends.
    """

    _logger = logging.getLogger("sqlglot")
    _lock = threading.Lock()
    _active = 0
    _was_disabled = False

    def __enter__(self) -> None:
        with self._lock:
            if QuietSqlglot._active == 0:
                QuietSqlglot._was_disabled = self._logger.disabled
                self._logger.disabled = True
            QuietSqlglot._active += 1

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            QuietSqlglot._active -= 1
            if QuietSqlglot._active == 0:
                self._logger.disabled = QuietSqlglot._was_disabled


@dataclass(frozen=True, slots=True)
class _Reader:
    """sqlglot's tokenizer and parser for one dialect. Making a parser costs about as much as
    parsing a short statement, so each thread keeps one per dialect (they keep state while
    they work: sharing them across threads would not be safe)."""

    tokenizer: Tokenizer
    parser: Parser

    _per_thread: ClassVar[threading.local] = threading.local()

    @classmethod
    def of(cls, dialect: Dialect) -> _Reader:
        readers: dict[Dialect, _Reader] | None = getattr(cls._per_thread, "readers", None)
        if readers is None:
            readers = cls._per_thread.readers = {}
        reader = readers.get(dialect)
        if reader is None:
            sqlglot_dialect = SqlglotDialect.get_or_raise(SQLGLOT_DIALECT[dialect])
            parser = sqlglot_dialect.parser(error_level=ErrorLevel.RAISE)
            reader = readers[dialect] = cls(sqlglot_dialect.tokenizer(), parser)
        return reader


@dataclass
class ParsedFile:
    source: str
    statements: list[Statement]
    #: Every comment of the file, in order, wherever it is.
    comments: list[Comment] = field(default_factory=list)
    #: psql meta-commands, MySQL DELIMITER lines, COPY data: skipped, kept for rules to report.
    client_commands: list[ClientCommand] = field(default_factory=list)

    @property
    def no_transaction(self) -> bool:
        return any(NO_TRANSACTION_DIRECTIVES.match(comment.text) for comment in self.comments)


def parse_file(source: str, dialect: Dialect) -> ParsedFile:
    split = split_source(source, dialect)
    reader = _Reader.of(dialect)
    with QuietSqlglot():
        statements = [
            _statement(index, piece, source, dialect, reader, split.lines)
            for index, piece in enumerate(split.pieces)
        ]
    return ParsedFile(source, statements, split.comments, split.client_commands)


def _statement(
    index: int, piece: Piece, source: str, dialect: Dialect, reader: _Reader, lines: LineIndex
) -> Statement:
    statement = Statement(
        index,
        source[piece.start : piece.end],
        lines.span(piece.start, piece.end),
        piece.start,
        piece.end,
        dialect,
        error=piece.error,
        leading_comments=[comment.text for comment in piece.leading_comments],
    )
    if piece.error is None:
        _parse(statement, piece, reader, lines)
    else:
        statement.prepared_tokens = []
    return statement


def _parse(statement: Statement, piece: Piece, reader: _Reader, lines: LineIndex) -> None:
    text = statement.text
    try:
        tokens = reader.tokenizer.tokenize(text)
    except TokenError as error:
        statement.error = _tokenize_error(error, piece, lines)
        statement.prepared_tokens = []
        return
    statement.prepared_tokens = _unfold_commands(tokens, text, reader.tokenizer)
    try:
        expressions = [e for e in reader.parser.parse(tokens, text) if e is not None]
    except ParseError as error:
        known = UNPARSED_COMMANDS[statement.dialect]
        if piece.compound or any(statement.matches(shape) for shape in known):
            statement.expression = _command(tokens, text)
        elif (line := missing_delimiter(statement)) is not None:
            statement.error = _missing_delimiter_error(statement, line)
        else:
            statement.error = _parse_error(error, text, piece, lines)
        return
    except Exception as error:  # sqlglot has bugs of its own: a TypeError on `0?`
        line, column = lines.position(piece.start)
        statement.error = (
            f"sqlglot failed on the statement at line {line}, column {column}: "
            f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        )
        return
    single = expressions[0] if len(expressions) == 1 else None
    if isinstance(single, exp.Expression) and not isinstance(single, exp.Condition | exp.Alias):
        statement.expression = single
    elif tokens:
        # Several expressions: a compound body (BEGIN ... END) sqlglot read piece by piece.
        # A bare expression: a word sqlglot does not know as a statement (``CHECKPOINT``).
        statement.expression = _command(tokens, text)
    else:
        statement.error = "no statement sqlglot can read"


#: Words that begin a statement. One at the start of a line inside a statement that does not
#: parse most likely begins the next statement, after a forgotten ``;``.
_STATEMENT_WORDS = frozenset(
    {"ALTER", "COMMENT", "CREATE", "DELETE", "DROP", "GRANT", "INSERT", "REVOKE", "TRUNCATE"}
    | {"UPDATE"}
)


def missing_delimiter(statement: Statement) -> int | None:
    """The file line where a second statement seems to begin inside ``statement`` (a line
    that starts, unindented, with a statement's first word, after text that parses as a
    statement on its own): the ``;`` between the two is probably missing. Only meaningful
    for a statement that did not parse (or parsed only as a generic command)."""
    text = statement.text
    start = text.find("\n") + 1
    while start > 0:
        unindented = text[start : start + 1].isalpha()
        word = text[start:].split(maxsplit=1)[0].upper() if unindented else ""
        if word in _STATEMENT_WORDS and _reads_alone(text[:start].rstrip(), statement.dialect):
            return statement.span.line + text.count("\n", 0, start)
        start = text.find("\n", start) + 1
    return None


def _reads_alone(text: str, dialect: Dialect) -> bool:
    """Whether sqlglot reads ``text`` as one statement it understands (not a generic command)."""
    reader = _Reader.of(dialect)
    try:
        parsed = reader.parser.parse(reader.tokenizer.tokenize(text), text)
    except (ParseError, TokenError):
        return False
    return (
        len(parsed) == 1
        and isinstance(parsed[0], exp.Expression)
        and not isinstance(parsed[0], exp.Command | exp.Condition | exp.Alias)
    )


def _missing_delimiter_error(statement: Statement, line: int) -> str:
    first_words = " ".join(statement.text.split("\n")[line - statement.span.line].split()[:3])
    return (
        f"a `;` is probably missing before line {line} (`{first_words}` starts another statement)"
    )


def _command(tokens: list[Token], text: str) -> exp.Command:
    """What sqlglot builds when it falls back: the first word, and the rest as written."""
    size = tokens[0].end + 1
    return exp.Command(this=text[:size], expression=text[size:])


def _parse_error(error: ParseError, text: str, piece: Piece, lines: LineIndex) -> str:
    """One line: sqlglot's description, and where in the file.

    sqlglot's own line and column count from the statement's start and are sometimes wrong (a
    negative column for a missing argument), so the place comes from the text it quotes: the
    context before the token, and the token.
    """
    details = error.errors[0] if error.errors else {}
    description = str(details.get("description") or str(error).splitlines()[0])
    # sqlglot names a token by its repr, whose line and column count within the statement
    description = _TOKEN_REPR.sub(r"`\g<text>`", description)
    before, highlight = str(details.get("start_context", "")), str(details.get("highlight", ""))
    found = text.find(before + highlight) if highlight else -1
    if found < 0:
        return description
    line, column = lines.position(piece.start + found + len(before))
    token = highlight.strip()
    quoted = not token or "\n" in token or f"`{token}`" in description
    near = "" if quoted else f" near `{token[:40]}`"
    return f"{description}{near} at line {line}, column {column}"


def _tokenize_error(error: TokenError, piece: Piece, lines: LineIndex) -> str:
    line, column = lines.position(piece.start)
    context = " ".join(str(error).split())[:80]
    return f"cannot tokenize the statement at line {line}, column {column}: {context}"


def _unfold_commands(tokens: list[Token], text: str, tokenizer: Tokenizer) -> list[Token]:
    """sqlglot folds what follows a command keyword (``VACUUM``, ``DO``, ``REFRESH``...) into
    one string token; tokenize that remainder again so ``Statement.words`` sees every word."""
    commands, prefixes = tokenizer.COMMANDS, tokenizer.COMMAND_PREFIX_TOKENS
    if not tokens or (tokens[0].token_type not in commands and ";" not in text):
        return tokens  # nothing folded: only a leading command or one after `;` folds
    unfolded: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        unfolded.append(token)
        index += 1
        leads = index == 1 or tokens[index - 2].token_type in prefixes
        if token.token_type not in commands or not leads or index == len(tokens):
            continue
        folded, begin = tokens[index], token.end + 1
        remainder = text[begin : _next_semicolon(tokens, index, len(text))]
        if folded.token_type != TokenType.STRING or remainder.strip() != folded.text:
            continue  # a real string literal, not a folded remainder
        try:
            inner = tokenizer.tokenize(remainder)
        except TokenError:
            continue
        unfolded.extend(_shifted(_unfold_commands(inner, remainder, tokenizer), text, begin))
        index += 1
    return unfolded


def _next_semicolon(tokens: list[Token], index: int, default: int) -> int:
    for token in tokens[index:]:
        if token.token_type == TokenType.SEMICOLON:
            return int(token.start)
    return default


def _shifted(tokens: list[Token], text: str, offset: int) -> list[Token]:
    """Tokens of ``text[offset:]`` re-placed in ``text``: offsets, lines and columns."""
    line = text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1)
    return [
        Token(
            token.token_type,
            token.text,
            token.line + line,
            token.col + column if token.line == 1 else token.col,
            token.start + offset,
            token.end + offset,
            token.comments,
        )
        for token in tokens
    ]


def tokenize_statement(text: str, dialect: Dialect) -> list[Token]:
    """A statement's tokens as ``Statement.tokens`` holds them; empty when unreadable."""
    tokenizer = _Reader.of(dialect).tokenizer
    try:
        tokens = tokenizer.tokenize(text)
    except TokenError:
        return []
    return _unfold_commands(tokens, text, tokenizer)
