"""Properties of the splitter and parser that must hold for any text, however broken.

The text is built from the pieces that trouble a SQL splitter (quotes, comments, dollar quotes,
delimiters, compound blocks, client commands) mixed with arbitrary characters, so hypothesis
explores unterminated strings, truncated statements and odd nestings.
"""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linters.dialects import DIALECTS, Dialect
from linters.finding import Span
from linters.parse import ClientCommand, Comment, ParsedFile, parse_file

SEPARATORS = [";", ";", " ", " ", "\n", "\n", "\r\n", "\t", "(", ")", ",", ".", "\ufeff"]
QUOTES = ["'", "''", '"', '""', "`", "[", "]", "$$", "$f$", "$1", "E'", "e'\\'", "\\", "\\'"]
COMMENTS = ["--", "-- c\n", "#", "# c\n", "/*", "*/", "/* c */"]
BLOCKS = ["begin", "BEGIN", "END", "END IF", "CASE", "ATOMIC", "NOT ATOMIC", "FOR EACH ROW "]
HEADS = [
    "CREATE TRIGGER tr AFTER INSERT ON t ",
    "CREATE PROCEDURE p() ",
    "CREATE FUNCTION f() ",
    "DO ",
]
CLIENT = ["\nDELIMITER //\n", "\nDELIMITER ;\n", "//", "\n\\set x 1\n", "COPY t FROM STDIN;\n"]
WORDS = ["SELECT 1", "x", "é", "€", "\\.", "\n\\.\n", "CREATE TABLE t (a int)"]
FRAGMENTS = [*SEPARATORS, *QUOTES, *COMMENTS, *BLOCKS, *HEADS, *CLIENT, *WORDS]

texts = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(alphabet=string.printable, max_size=6)),
    max_size=40,
).map("".join)


def position(source: str, offset: int) -> tuple[int, int]:
    line = source.count("\n", 0, offset) + 1
    return line, offset - (source.rfind("\n", 0, offset) + 1) + 1


def expected_span(source: str, start: int, end: int) -> Span:
    return Span(*position(source, start), *position(source, end - 1))


def delimiters(parsed: ParsedFile) -> set[str]:
    """The characters a delimiter may leave between statements: `;` and DELIMITER's choices."""
    chars = {";"}
    for command in parsed.client_commands:
        words = command.text.split()
        if len(words) > 1 and words[0].upper() == "DELIMITER":
            chars.update(words[1])
    return chars


def check(source: str, dialect: Dialect) -> None:
    parsed = parse_file(source, dialect)
    previous_end = 0
    for index, statement in enumerate(parsed.statements):
        assert statement.index == index
        assert source[statement.start : statement.end] == statement.text
        assert statement.text.strip() == statement.text != ""
        assert statement.span == expected_span(source, statement.start, statement.end)
        assert statement.start >= previous_end, "statements overlap or come out of order"
        previous_end = statement.end
        # never a silent pass: a tree, a generic command, or a reason why not
        assert (statement.expression is None) != (statement.error is None)
        if statement.error is not None:
            assert "\n" not in statement.error

    covered = [False] * len(source)
    regions = [(s.start, s.end) for s in parsed.statements]
    previous_end = 0
    items: list[Comment | ClientCommand] = [*parsed.comments, *parsed.client_commands]
    for item in items:
        assert item.span == expected_span(source, item.start, item.end)
        assert item.text in source[item.start : item.end]
        regions.append((item.start, item.end))
    for comment in parsed.comments:
        assert comment.start >= previous_end, "comments overlap or come out of order"
        previous_end = comment.end
    for start, end in regions:
        covered[start:end] = [True] * (end - start)
    allowed = delimiters(parsed)
    gaps = "".join(char for char, seen in zip(source, covered, strict=True) if not seen)
    stray = {char for char in gaps if not char.isspace() and char != "\ufeff"} - allowed
    assert not stray, f"text lost between statements: {stray!r}"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=texts, dialect=st.sampled_from(DIALECTS))
def test_any_text_splits_into_exact_ordered_pieces(source: str, dialect: Dialect) -> None:
    check(source, dialect)


@settings(max_examples=200, deadline=None)
@given(source=st.text(max_size=80), dialect=st.sampled_from(DIALECTS))
def test_arbitrary_unicode_never_breaks_the_parser(source: str, dialect: Dialect) -> None:
    check(source, dialect)


STATEMENTS = [
    "CREATE TABLE t (a int, b text DEFAULT 'x;y')",
    "CREATE FUNCTION f() RETURNS trigger AS $body$ BEGIN RETURN NEW; END $body$ LANGUAGE plpgsql",
    "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW BEGIN UPDATE t SET a = 1; END",
    "SELECT E'a\\';b', \"q;\", `b;`",
    "/* a /* b */ c */ SELECT 1",
    "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END//\nDELIMITER ;",
    "\\set ON_ERROR_STOP on",
    "COPY t FROM STDIN;\n1\tx\n\\.",
]


@given(
    statements=st.lists(st.sampled_from(STATEMENTS), min_size=1, max_size=6),
    cut=st.integers(min_value=0, max_value=500),
    dialect=st.sampled_from(DIALECTS),
)
@settings(max_examples=200, deadline=None)
def test_truncated_files_lose_nothing(statements: list[str], cut: int, dialect: Dialect) -> None:
    check(";\n".join(statements)[:cut], dialect)
