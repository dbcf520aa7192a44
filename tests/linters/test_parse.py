"""Statement splitting and parsing: exact places for every construct, per dialect."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from sqlglot import exp

from linters.dialects import Dialect
from linters.finding import Span
from linters.parse import missing_delimiter, parse_file


def split(source: str, dialect: Dialect = "postgres") -> list[tuple[str, Span]]:
    return [(s.text, s.span) for s in parse_file(source, dialect).statements]


# -- comments ------------------------------------------------------------------------------


def test_semicolons_in_line_comments_do_not_split() -> None:
    source = "-- a; b\nSELECT 1; -- c; d\nSELECT 2;"
    assert split(source) == [("SELECT 1", Span(2, 1, 2, 8)), ("SELECT 2", Span(3, 1, 3, 8))]


def test_every_comment_is_kept_with_its_place_and_without_markers() -> None:
    source = "-- migrate:up\nCREATE TABLE t (\n  a int /* why */\n);  # not a comment here\n"
    parsed = parse_file(source, "postgres")
    assert [(c.text, c.span, c.start, c.end) for c in parsed.comments] == [
        (" migrate:up", Span(1, 1, 1, 13), 0, 13),
        (" why ", Span(3, 9, 3, 17), 39, 48),
    ]
    assert parsed.statements[0].span == Span(2, 1, 4, 1)


def test_mysql_hash_comments_and_dash_comments_need_a_space() -> None:
    source = "SELECT 1--1;\n# x;\nSELECT 2 -- y;\n;"
    parsed = parse_file(source, "mysql")
    assert [(s.text, s.span) for s in parsed.statements] == [
        ("SELECT 1--1", Span(1, 1, 1, 11)),
        ("SELECT 2", Span(3, 1, 3, 8)),
    ]
    assert [c.text for c in parsed.comments] == [" x;", " y;"]


def test_block_comments_nest_in_postgres_only() -> None:
    source = "/* a /* b; */ c; */ SELECT 1;"
    assert split(source, "postgres") == [("SELECT 1", Span(1, 21, 1, 28))]
    # MySQL ends the comment at the first */: what follows is SQL
    assert split(source, "mysql") == [
        ("c", Span(1, 15, 1, 15)),
        ("*/ SELECT 1", Span(1, 18, 1, 28)),
    ]


def test_leading_comments_skip_the_previous_statements_trailing_comment() -> None:
    source = (
        "SELECT 1; -- trailing\n"
        "-- schemabot:ignore drop-table -- reviewed\n"
        "/* second */\n"
        "DROP TABLE t;\n"
    )
    first, second = parse_file(source, "postgres").statements
    assert first.leading_comments == []
    assert second.leading_comments == [" schemabot:ignore drop-table -- reviewed", " second "]


def test_carriage_returns_are_not_part_of_comments_or_statements() -> None:
    parsed = parse_file("-- a\r\nSELECT 1\r\n;\r\n", "postgres")
    assert [c.text for c in parsed.comments] == [" a"]
    assert split("-- a\r\nSELECT 1\r\n;\r\n") == [("SELECT 1", Span(2, 1, 2, 8))]


# -- strings and quoted names ---------------------------------------------------------------


def test_doubled_quotes_escape_in_strings_and_identifiers() -> None:
    source = "SELECT 'a;''b' AS \"x;\"\"y\";\nSELECT 2;"
    assert split(source) == [
        ("SELECT 'a;''b' AS \"x;\"\"y\"", Span(1, 1, 1, 25)),
        ("SELECT 2", Span(2, 1, 2, 8)),
    ]


def test_backslash_escapes_a_quote_in_mysql_but_not_in_postgres() -> None:
    source = "SELECT 'a\\';b';"
    assert split(source, "mysql") == [("SELECT 'a\\';b'", Span(1, 1, 1, 14))]
    # the second quote opens a string that never ends
    assert split(source, "postgres") == [
        ("SELECT 'a\\'", Span(1, 1, 1, 11)),
        ("b';", Span(1, 13, 1, 15)),
    ]


def test_postgres_escape_strings_honour_backslashes() -> None:
    assert split("SELECT E'a\\';b', e'\\\\';SELECT 2;") == [
        ("SELECT E'a\\';b', e'\\\\'", Span(1, 1, 1, 22)),
        ("SELECT 2", Span(1, 24, 1, 31)),
    ]


def test_mysql_double_quotes_are_strings_and_backticks_are_names() -> None:
    source = 'SELECT "a\\";b", `c;``d` FROM t;'
    assert split(source, "mysql") == [('SELECT "a\\";b", `c;``d` FROM t', Span(1, 1, 1, 30))]


def test_sqlite_brackets_quote_names() -> None:
    assert split("SELECT [a;b] FROM t;", "sqlite") == [("SELECT [a;b] FROM t", Span(1, 1, 1, 19))]


# -- dollar quotes --------------------------------------------------------------------------


def test_function_bodies_in_dollar_quotes_keep_their_semicolons() -> None:
    source = (
        "CREATE FUNCTION f() RETURNS trigger AS $body$\n"
        "BEGIN\n"
        "  NEW.x := 'it''s $$ fine';\n"
        "  RETURN NEW;\n"
        "END;\n"
        "$body$ LANGUAGE plpgsql;\n"
        "DO $$ BEGIN PERFORM 1; END $$;\n"
    )
    statements = parse_file(source, "postgres").statements
    assert [(s.span, s.start, s.end) for s in statements] == [
        (Span(1, 1, 6, 23), 0, 122),
        (Span(7, 1, 7, 29), 124, 153),
    ]
    assert all(s.error is None for s in statements)


def test_positional_parameters_and_dollar_names_are_not_dollar_quotes() -> None:
    assert split("SELECT $1, a$b$c; SELECT 2;") == [
        ("SELECT $1, a$b$c", Span(1, 1, 1, 16)),
        ("SELECT 2", Span(1, 19, 1, 26)),
    ]


# -- MySQL DELIMITER ------------------------------------------------------------------------


def test_delimiter_lines_are_client_commands_and_change_the_terminator() -> None:
    source = (
        "DELIMITER //\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND //\nDELIMITER ;\nSELECT 2;\n"
    )
    parsed = parse_file(source, "mysql")
    assert [(s.text.splitlines()[0], s.span) for s in parsed.statements] == [
        ("CREATE PROCEDURE p()", Span(2, 1, 5, 3)),
        ("SELECT 2", Span(7, 1, 7, 8)),
    ]
    assert [(c.text, c.span) for c in parsed.client_commands] == [
        ("DELIMITER //", Span(1, 1, 1, 12)),
        ("DELIMITER ;", Span(6, 1, 6, 11)),
    ]


def test_a_column_named_delimiter_is_not_the_client_command() -> None:
    source = "CREATE TABLE t (\ndelimiter varchar(4)\n);"
    parsed = parse_file(source, "mysql")
    assert [(s.span, s.error) for s in parsed.statements] == [(Span(1, 1, 3, 1), None)]
    assert parsed.client_commands == []


# -- BEGIN ... END --------------------------------------------------------------------------


def test_mysql_procedure_body_without_delimiter_is_one_statement() -> None:
    source = (
        "CREATE DEFINER=`app`@`%` TRIGGER tr BEFORE INSERT ON t FOR EACH ROW\n"
        "BEGIN\n"
        "  IF NEW.a IS NULL THEN SET NEW.a = CASE WHEN 1 THEN 2 END; END IF;\n"
        "  CASE NEW.b WHEN 1 THEN SET NEW.c = 1; ELSE SET NEW.c = 2; END CASE;\n"
        "END;\n"
        "SELECT 1;\n"
    )
    statements = parse_file(source, "mysql").statements
    assert [s.span for s in statements] == [Span(1, 1, 5, 3), Span(6, 1, 6, 8)]
    assert isinstance(statements[0].expression, exp.Command)


@pytest.mark.parametrize(
    "head",
    [
        "CREATE PROCEDURE p()",
        "CREATE DEFINER = CURRENT_USER FUNCTION f() RETURNS int DETERMINISTIC",
        "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO",
        "ALTER EVENT e DO",
    ],
)
def test_every_mysql_stored_program_keeps_its_body(head: str) -> None:
    source = f"{head}\nBEGIN\n  DELETE FROM t;\n  RETURN 1;\nEND;\nSELECT 1;"
    assert [span for _, span in split(source, "mysql")] == [Span(1, 1, 5, 3), Span(6, 1, 6, 8)]


def test_sqlite_trigger_body_is_one_statement() -> None:
    source = "CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET a = 1;\nEND;\nVACUUM;"
    assert split(source, "sqlite") == [
        (source[: source.index(";\nVACUUM")], Span(1, 1, 3, 3)),
        ("VACUUM", Span(4, 1, 4, 6)),
    ]


def test_postgres_begin_atomic_body_is_one_statement() -> None:
    source = (
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql\n"
        "BEGIN ATOMIC\n"
        "  SELECT CASE WHEN true THEN 1 END;\n"
        "END;\n"
        "SELECT 2;"
    )
    assert [span for _, span in split(source)] == [Span(1, 1, 4, 3), Span(5, 1, 5, 8)]


def test_mariadb_anonymous_compound_statement_is_one_statement() -> None:
    source = "BEGIN NOT ATOMIC\n  SELECT 1;\nEND;\nSELECT 2;"
    assert [span for _, span in split(source, "mariadb")] == [Span(1, 1, 3, 3), Span(4, 1, 4, 8)]


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
def test_a_transaction_begin_is_its_own_statement(dialect: Dialect) -> None:
    source = "BEGIN;\nCREATE TABLE t (begin int);\nCOMMIT;"
    assert [text for text, _ in split(source, dialect)] == [
        "BEGIN",
        "CREATE TABLE t (begin int)",
        "COMMIT",
    ]


def test_a_postgres_function_with_a_parameter_named_begin_is_not_a_block() -> None:
    source = "CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql RETURN begin;\nSELECT 1;"
    assert [span for _, span in split(source)] == [Span(1, 1, 1, 66), Span(2, 1, 2, 8)]


# -- client commands ------------------------------------------------------------------------


def test_psql_meta_commands_are_skipped_and_recorded() -> None:
    source = "\\set ON_ERROR_STOP on\nSELECT 1;\n  \\connect other\nSELECT 2\n\\gset\n"
    parsed = parse_file(source, "postgres")
    assert [(s.text, s.span) for s in parsed.statements] == [
        ("SELECT 1", Span(2, 1, 2, 8)),
        ("SELECT 2", Span(4, 1, 4, 8)),
    ]
    assert [(c.text, c.span) for c in parsed.client_commands] == [
        ("\\set ON_ERROR_STOP on", Span(1, 1, 1, 21)),
        ("\\connect other", Span(3, 3, 3, 16)),
        ("\\gset", Span(5, 1, 5, 5)),
    ]


def test_copy_from_stdin_data_is_not_sql() -> None:
    source = "COPY t (a, b) FROM stdin;\n1\tx;y\n2\t'z\n\\.\nSELECT 1;\n"
    parsed = parse_file(source, "postgres")
    assert [(s.text, s.span) for s in parsed.statements] == [
        ("COPY t (a, b) FROM stdin", Span(1, 1, 1, 24)),
        ("SELECT 1", Span(5, 1, 5, 8)),
    ]
    assert [c.span for c in parsed.client_commands] == [Span(2, 1, 4, 2)]


# -- broken input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dialect", "source", "error"),
    [
        (
            "postgres",
            "SELECT 1;\nSELECT 'abc;\nSELECT 2;",
            "quoted string starting at line 2, column 8",
        ),
        ("postgres", "SELECT $fn$ abc;", "dollar-quoted string $fn$ starting at line 1, column 8"),
        ("postgres", 'SELECT "abc;', "quoted identifier starting at line 1, column 8"),
        ("mysql", "SELECT `abc;", "quoted identifier starting at line 1, column 8"),
        ("mysql", "SELECT 1 /* abc;", "/* comment starting at line 1, column 10"),
        ("postgres", "/* a /* b */ SELECT 1;", "/* comment starting at line 1, column 1"),
    ],
)
def test_unterminated_constructs_become_a_statement_with_an_error(
    dialect: Dialect, source: str, error: str
) -> None:
    last = parse_file(source, dialect).statements[-1]
    assert last.error == f"unterminated {error}"
    assert last.end == len(source)
    assert last.expression is None


def test_an_unterminated_comment_is_fine_in_sqlite() -> None:
    parsed = parse_file("SELECT 1; /* to the end", "sqlite")
    assert [s.text for s in parsed.statements] == ["SELECT 1"]
    assert [c.text for c in parsed.comments] == [" to the end"]


def test_an_unclosed_block_is_reported() -> None:
    source = "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET a = 1;\n"
    (statement,) = parse_file(source, "sqlite").statements
    assert statement.span == Span(1, 1, 2, 21)  # the `;` inside the block belongs to it
    assert (
        statement.error
        == "BEGIN ... END block of the statement at line 1, column 1 is never closed"
    )


def test_a_truncated_statement_gets_a_parse_error_in_file_coordinates() -> None:
    source = "SELECT 1;\n\n  CREATE TABLE t (\n    id int,\n    x int NOT NUL DEFAULT 1\n  );"
    statement = parse_file(source, "postgres").statements[1]
    assert statement.expression is None
    assert statement.error == "Expecting ) near `NOT` at line 5, column 11"


def test_a_misspelled_keyword_points_at_its_token() -> None:
    (statement,) = parse_file("  CREAT TABLE orders (id bigint);", "postgres").statements
    assert statement.error == (
        "Invalid expression / Unexpected token near `orders` at line 1, column 15"
    )


# -- parsing --------------------------------------------------------------------------------


def test_a_token_named_by_sqlglot_is_named_in_file_coordinates() -> None:
    source = "SELECT 1;\n  ALTER TABLE {{ schema }}.t ADD COLUMN c int;"
    statement = parse_file(source, "postgres").statements[1]
    # sqlglot's message embeds the token's repr, counted from the statement's own start
    assert statement.error == "Expected table name but got `{` at line 2, column 15"


def test_generic_commands_are_commands_with_every_word() -> None:
    statements = parse_file(
        "VACUUM FULL t;\nREFRESH MATERIALIZED VIEW CONCURRENTLY mv;\nCHECKPOINT;", "postgres"
    ).statements
    assert all(isinstance(s.expression, exp.Command) for s in statements)
    assert statements[0].words == ("VACUUM", "FULL", "T")
    assert statements[1].has_words("MATERIALIZED", "VIEW", "CONCURRENTLY")
    assert statements[1].tokens[1].text == "MATERIALIZED"
    assert statements[1].text[statements[1].tokens[-1].start :] == "mv"


def test_statements_sqlglot_rejects_but_the_server_accepts_become_commands() -> None:
    (cluster,) = parse_file("CLUSTER t USING ix;", "postgres").statements
    assert isinstance(cluster.expression, exp.Command)
    assert cluster.error is None
    assert cluster.matches("CLUSTER ... USING")


def test_matches_reads_leading_words_then_words_in_order() -> None:
    (statement,) = parse_file("ALTER TABLE ONLY s.t VALIDATE CONSTRAINT c;", "postgres").statements
    assert statement.matches("ALTER TABLE ... VALIDATE CONSTRAINT")
    assert statement.matches("ALTER ... CONSTRAINT")
    assert not statement.matches("TABLE ... VALIDATE")
    assert not statement.matches("ALTER TABLE ... CONSTRAINT ... VALIDATE")


def test_tokens_are_those_the_parser_read() -> None:
    (statement,) = parse_file("SELECT a FROM t;", "postgres").statements
    assert statement.prepared_tokens is not None
    assert statement.tokens is statement.prepared_tokens


def test_fallback_warnings_do_not_reach_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="sqlglot"):
        parse_file("ALTER TABLE t VALIDATE CONSTRAINT c;\nDO $$ BEGIN END $$;", "postgres")
    assert caplog.records == []


def test_linting_prints_nothing_on_stderr() -> None:
    # pytest installs log handlers of its own; a bare interpreter shows what a user would see
    script = (
        "from linters.parse import parse_file\n"
        "parse_file('ALTER TABLE t VALIDATE CONSTRAINT c; VACUUM FULL t;', 'postgres')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (result.returncode, result.stderr) == (0, "")


def test_a_byte_order_mark_is_not_part_of_the_first_statement() -> None:
    (statement,) = parse_file("\ufeffSELECT 1;", "postgres").statements
    assert (statement.text, statement.start, statement.error) == ("SELECT 1", 1, None)


@pytest.mark.parametrize(
    "directive",
    ["-- schemabot:no-transaction", "-- atlas:txmode none", "-- migrate:up transaction:false"],
)
def test_no_transaction_directives(directive: str) -> None:
    assert parse_file(
        f"{directive}\nCREATE INDEX CONCURRENTLY i ON t (a);", "postgres"
    ).no_transaction
    assert not parse_file("-- migrate:up\nSELECT 1;", "postgres").no_transaction


def test_a_missing_semicolon_is_named_in_the_error() -> None:
    source = "-- two statements\nDROP TABLE a\nDROP TABLE b;\n"
    [statement] = parse_file(source, "postgres").statements
    assert statement.error == (
        "a `;` is probably missing before line 3 (`DROP TABLE b` starts another statement)"
    )
    assert missing_delimiter(statement) == 3
    # An indented continuation line is not the start of another statement.
    [update] = parse_file("UPDATE t\n  SET a = 1\n  WHERE b = 2 AND;", "postgres").statements
    assert missing_delimiter(update) is None
