"""Split a migration file into statements, comments and client commands, in one pass.

One compiled regular expression per dialect jumps from one token that matters to the next: a
comment, a quote, a dollar quote, a delimiter, a client command at the start of a line and, inside
a compound statement (a trigger or procedure body), ``BEGIN`` / ``CASE`` / ``END``. The text in
between is plain SQL that needs no closer look, so the cost is a few regex calls per statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from linters.dialects import Dialect
from linters.finding import Span
from linters.line_index import LineIndex

__all__ = ["ClientCommand", "Comment", "Piece", "SplitFile", "split_source"]


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment: ``text`` without its ``--``, ``#`` or ``/* */``; the place includes them."""

    text: str
    start: int
    end: int
    #: Where the lines start: the span is worked out when asked for, since most comments (a
    #: licence header) are read for their text alone, if at all.
    lines: LineIndex = field(repr=False, compare=False)

    @property
    def span(self) -> Span:
        return self.lines.span(self.start, self.end)


class ClientCommand(NamedTuple):
    """Input for the SQL client, not the server: a psql meta-command (``\\set x 1``), a MySQL
    ``DELIMITER //`` line, or the data lines psql sends for ``COPY ... FROM STDIN``."""

    text: str
    span: Span
    start: int
    end: int


@dataclass(slots=True)
class Piece:
    """Where one statement is: ``source[start:end]``, without its delimiter."""

    start: int
    end: int
    #: Why the text cannot be parsed at all (an unterminated string...), found while splitting.
    error: str | None = None
    #: Comments between the previous statement and this one (not those trailing on its line).
    leading_comments: list[Comment] = field(default_factory=list)
    #: It holds a BEGIN ... END body (a trigger, a procedure): procedural code sqlglot may not
    #: read even when the server does.
    compound: bool = False


@dataclass(slots=True)
class SplitFile:
    pieces: list[Piece]
    comments: list[Comment]
    client_commands: list[ClientCommand]
    lines: LineIndex


_BYTE_ORDER_MARK = "\ufeff"

# `$` belongs to identifiers in PostgreSQL and MySQL; `.` precedes a column name (`new.end`).
_WORD_START = r"(?<![\w$.])"
_WORD_END = r"(?![\w$])"

# Each dialect's lexical rules, as (group name, pattern) in priority order. Group names drive
# the scanner; "open_..." catch a quote whose closing twin never comes.
_LEXICON: dict[Dialect, tuple[tuple[str, str], ...]] = {
    "postgres": (
        ("line_comment", r"--[^\r\n]*+"),
        ("block_comment", r"/\*"),
        ("string", r"(?<![\w$])[eE]'(?:[^'\\]++|\\[\s\S]|'')*+'|'[^']*+(?:''[^']*+)*+'"),
        ("quoted", r'"[^"]*+(?:""[^"]*+)*+"'),
        ("dollar_quote", r"(?<![\w$])\$(?:[^\W\d]\w*+)?\$"),
        ("open_string", r"(?<![\w$])[eE](?=')|'"),
        ("open_identifier", r'"'),
        ("psql_command", r"(?:\A|\n)[ \t]*+\\[^\r\n]*+"),
    ),
    "mysql": (
        ("line_comment", r"(?:--(?![^\s\x00-\x1f\x7f])|\#)[^\r\n]*+"),
        ("block_comment", r"/\*"),
        ("string", r"""'(?:[^'\\]++|\\[\s\S]|'')*+'|"(?:[^"\\]++|\\[\s\S]|"")*+\""""),
        ("quoted", r"`[^`]*+(?:``[^`]*+)*+`"),
        ("open_string", r"""['"]"""),
        ("open_identifier", r"`"),
        (
            "delimiter_command",
            r"(?:\A|\n)[ \t]*+(?P<delimiter_word>DELIMITER)[ \t]++(?P<new_delimiter>\S++)[^\r\n]*+",
        ),
    ),
    "sqlite": (
        ("line_comment", r"--[^\r\n]*+"),
        ("block_comment", r"/\*"),
        ("string", r"'[^']*+(?:''[^']*+)*+'"),
        ("quoted", r'"[^"]*+(?:""[^"]*+)*+"|`[^`]*+(?:``[^`]*+)*+`|\[[^\]]*+\]'),
        ("open_string", r"'"),
        ("open_identifier", r'["`\[]'),
    ),
}
_LEXICON["mariadb"] = _LEXICON["mysql"]

# What a token of _LEXICON can start with. Testing this first at each position lets the regex
# skip plain SQL about four times faster than trying every alternative there.
_FIRST: dict[Dialect, str] = {
    "postgres": r"""[-/'"$\n]|[eE]'""",
    "mysql": r"""[-#/'"`\n]""",
    "mariadb": r"""[-#/'"`\n]""",
    "sqlite": r"""[-/'"`\[]""",
}

# Statements whose body may hold `;` inside BEGIN ... END. Matched where the statement starts.
_COMPOUND_HEAD: dict[Dialect, re.Pattern[str]] = {
    "postgres": re.compile(
        r"CREATE\s++(?:OR\s++REPLACE\s++)?(?:FUNCTION|PROCEDURE)" + _WORD_END, re.IGNORECASE
    ),
    "mysql": re.compile(
        r"""(?:CREATE\s++(?:OR\s++REPLACE\s++)?
              (?:DEFINER\s*+=\s*+(?:CURRENT_USER(?:\s*+\(\s*+\))?
                 |(?:'[^']*+'|"[^"]*+"|`[^`]*+`|[\w$.%-]++)
                  (?:\s*+@\s*+(?:'[^']*+'|"[^"]*+"|`[^`]*+`|[\w$.%-]++))?)\s++)?
              (?:SQL\s++SECURITY\s++\w++\s++)?(?:AGGREGATE\s++)?
              (?:PROCEDURE|FUNCTION|TRIGGER|EVENT)
           |ALTER\s++(?:DEFINER\s*+=\s*+\S++\s++)?EVENT
           |(?:[\w$]++\s*+:\s*+)?BEGIN\s++NOT\s++ATOMIC)"""
        + _WORD_END,
        re.IGNORECASE | re.VERBOSE,
    ),
    "sqlite": re.compile(r"CREATE\s++(?:TEMP(?:ORARY)?\s++)?TRIGGER" + _WORD_END, re.IGNORECASE),
}
_COMPOUND_HEAD["mariadb"] = _COMPOUND_HEAD["mysql"]

# Inside a compound statement: what opens and closes a block. `END IF`, `END LOOP`... close
# blocks that were never counted (IF is also a function), so they are not closers here;
# `END CASE` is one closer, not a closer and an opener.
_BLOCK_WORDS = (
    ("block_case", rf"{_WORD_START}CASE{_WORD_END}"),
    (
        "block_end",
        rf"{_WORD_START}END(?:\s++CASE)?{_WORD_END}(?!\s++(?:IF|LOOP|WHILE|REPEAT|FOR){_WORD_END})",
    ),
)
# PostgreSQL bodies are BEGIN ATOMIC only: a bare BEGIN there may be a column named "begin".
_BEGIN = rf"{_WORD_START}BEGIN{_WORD_END}"
_BLOCK_BEGIN: dict[Dialect, str] = {
    "postgres": rf"{_WORD_START}BEGIN\s++ATOMIC{_WORD_END}",
    "mysql": _BEGIN,
    "mariadb": _BEGIN,
    "sqlite": _BEGIN,
}

_BLOCK_COMMENT_MARK = re.compile(r"/\*|\*/")
_COPY_FROM_STDIN = re.compile(r"COPY\s[^;]*?\bFROM\s++STDIN\b", re.IGNORECASE)
_END_OF_COPY_DATA = re.compile(r"^\\\.[ \t]*+\r?$", re.MULTILINE)


@cache
def _scanner(dialect: Dialect, delimiter: str, compound: bool) -> re.Pattern[str]:
    """The pattern that finds the next token that matters, for one delimiter and mode."""
    parts = list(_LEXICON[dialect])
    first = [_FIRST[dialect], re.escape(delimiter)]
    if compound:
        parts.append(("block_begin", _BLOCK_BEGIN[dialect]))
        parts.extend(_BLOCK_WORDS)
        first.append("[bBcCeE]")
    parts.append(("delimiter", re.escape(delimiter)))
    tokens = "|".join(f"(?P<{name}>{regex})" for name, regex in parts)
    return re.compile(rf"(?:\A|(?={'|'.join(first)}))(?:{tokens})", re.IGNORECASE)


class _Scanner:
    """The state of one pass over a file; ``run`` returns what it found."""

    def __init__(self, source: str, dialect: Dialect) -> None:
        self.source = source
        self.size = len(source)
        self.dialect = dialect
        self.lines = LineIndex(source)
        self.pieces: list[Piece] = []
        self.comments: list[Comment] = []
        self.client_commands: list[ClientCommand] = []
        self.delimiter = ";"
        self.pattern = _scanner(dialect, ";", False)
        #: Where the pending statement starts, and where its last significant character ends.
        self.start: int | None = None
        self.last = 0
        self.depth = 0
        self.compound = False
        self.leading: list[Comment] = []
        #: Comments starting before this offset trail the previous statement's line.
        self.trailing_until = 0

    def run(self) -> SplitFile:
        source, size = self.source, self.size
        position = 1 if source.startswith(_BYTE_ORDER_MARK) else 0
        while position < size:
            match = self.pattern.search(source, position)
            stop = match.start() if match else size
            if stop > position and self._plain(position, stop):
                position = self.start or 0  # rescan the statement as a compound one
                continue
            if match is None:
                break
            position = self._token(match)
        if self.start is not None:
            error = None
            if self.depth and self.delimiter == ";":
                line, column = self.lines.position(self.start)
                error = f"BEGIN ... END block of the statement at line {line}, column {column}"
                error += " is never closed"
            self._finish(self.last, error)
        return SplitFile(self.pieces, self.comments, self.client_commands, self.lines)

    def _plain(self, begin: int, stop: int) -> bool:
        """Account for plain text; True when the statement it starts must be rescanned."""
        text = self.source[begin:stop]
        content = text.lstrip()
        if not content:
            return False
        self.last = begin + len(text.rstrip())
        if self.start is not None:
            return False
        self.start = stop - len(content)
        if _COMPOUND_HEAD[self.dialect].match(self.source, self.start):
            self.pattern = _scanner(self.dialect, self.delimiter, True)
            return True
        return False

    def _significant(self, begin: int, end: int) -> None:
        if self.start is None:
            self.start = begin
        self.last = end

    def _token(self, match: re.Match[str]) -> int:
        """Handle one token; returns where to scan on."""
        kind, begin, end = match.lastgroup, match.start(), match.end()
        if kind == "delimiter":
            if self.depth and self.delimiter == ";":  # DELIMITER users split on theirs alone
                self._significant(begin, end)
                return end
            if self.start is not None:
                self._finish(self.last, None)
                self._after_delimiter(end)
                return self._copy_data(end)
            self._after_delimiter(end)
            return end
        if kind in ("string", "quoted"):
            self._significant(begin, end)
            return end
        if kind == "line_comment":
            text = match.group()
            self._comment(text[1:] if text[0] == "#" else text[2:], begin, end)
            return end
        if kind == "block_comment":
            return self._block_comment(begin)
        if kind == "dollar_quote":
            close = self.source.find(match.group(), end)
            if close < 0:
                return self._unterminated(begin, f"dollar-quoted string {match.group()}")
            self._significant(begin, close + len(match.group()))
            return self.last
        if kind == "open_string":
            return self._unterminated(begin, "quoted string")
        if kind == "open_identifier":
            return self._unterminated(begin, "quoted identifier")
        if kind in ("psql_command", "delimiter_command"):
            return self._client_command(match)
        # block_begin, block_case, block_end: only scanned inside a compound statement
        self._significant(begin, end)
        if kind != "block_end":
            if kind == "block_begin" or self.depth:
                self.depth += 1
                self.compound = True
        elif self.depth:
            self.depth -= 1
        return end

    def _comment(self, text: str, begin: int, end: int) -> None:
        comment = Comment(text, begin, end, self.lines)
        self.comments.append(comment)
        if self.start is None and begin >= self.trailing_until:
            self.leading.append(comment)

    def _block_comment(self, begin: int) -> int:
        source = self.source
        if self.dialect == "postgres":  # PostgreSQL nests block comments
            depth, position = 1, begin + 2
            while depth:
                mark = _BLOCK_COMMENT_MARK.search(source, position)
                if mark is None:
                    return self._unterminated(begin, "/* comment")
                depth += 1 if mark.group() == "/*" else -1
                position = mark.end()
            end = position
        else:
            close = source.find("*/", begin + 2)
            if close < 0:
                if self.dialect != "sqlite":
                    return self._unterminated(begin, "/* comment")
                # SQLite alone lets a comment run to the end of the input.
                self._comment(source[begin + 2 :], begin, self.size)
                return self.size
            end = close + 2
        self._comment(source[begin + 2 : end - 2], begin, end)
        return end

    def _client_command(self, match: re.Match[str]) -> int:
        begin, end = match.start(), match.end()
        if match.lastgroup == "delimiter_command":
            if self.start is not None:  # a column named "delimiter", not the client command
                word_end = match.end("delimiter_word")
                self._significant(begin, word_end)
                return word_end
            self.delimiter = match.group("new_delimiter")
            self.pattern = _scanner(self.dialect, self.delimiter, False)
        elif self.start is not None:  # psql runs the buffer before a meta-command like \g
            self._finish(self.last, None)
        begin += len(match.group()) - len(match.group().lstrip())
        text = self.source[begin:end].rstrip()
        end = begin + len(text)
        self.client_commands.append(ClientCommand(text, self.lines.span(begin, end), begin, end))
        self.trailing_until = end
        self.leading = []
        return end

    def _after_delimiter(self, end: int) -> None:
        following = self.lines.next_line(end)
        self.trailing_until = self.size if following is None else following - 1
        self.leading = []

    def _copy_data(self, end: int) -> int:
        """Skip the data lines after ``COPY ... FROM STDIN;`` (psql), up to ``\\.``."""
        piece = self.pieces[-1]
        if self.dialect != "postgres" or not _COPY_FROM_STDIN.match(
            self.source, piece.start, piece.end
        ):
            return end
        begin = self.lines.next_line(end)
        if begin is None:
            return end
        final = _END_OF_COPY_DATA.search(self.source, begin)
        stop = final.end() if final else self.size
        text = self.source[begin:stop].rstrip()
        if text:
            stop = begin + len(text)
            span = self.lines.span(begin, stop)
            self.client_commands.append(ClientCommand(text, span, begin, stop))
            self.trailing_until = stop
        return stop

    def _unterminated(self, begin: int, what: str) -> int:
        """The construct at ``begin`` runs to the end of the file: the statement is broken."""
        line, column = self.lines.position(begin)
        if self.start is None:
            self.start = begin
        self.depth = 0
        end = len(self.source.rstrip())
        self._finish(end, f"unterminated {what} starting at line {line}, column {column}")
        return self.size

    def _finish(self, end: int, error: str | None) -> None:
        if self.start is not None:
            self.pieces.append(Piece(self.start, end, error, self.leading, self.compound))
        self.start = None
        self.depth = 0
        self.compound = False
        self.leading = []
        self.pattern = _scanner(self.dialect, self.delimiter, False)


def split_source(source: str, dialect: Dialect) -> SplitFile:
    """Find every statement, comment and client command of ``source``, in order."""
    return _Scanner(source, dialect).run()
