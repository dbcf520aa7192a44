"""``schemabot lint`` / ``schemabot rules``: inputs, config, formats and exit codes."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from linters.cli import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, main, migration_files
from linters.registry import RULES

# Only this package's own rules: colleagues' rules must not change these exit codes.
ONLY_OURS = ["--ignore", "ALL", "--select", "parse-error,unused-suppression"]
BROKEN = "CREATE TABLE users (id bigint);\nCREAT TABLE orders (id bigint);\n"


@pytest.fixture(autouse=True)
def _workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCHEMABOT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_clean_files_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path / "db" / "V1__init.sql", "CREATE TABLE users (id bigint);\n")
    assert main(["lint", "db", *ONLY_OURS]) == EXIT_OK
    assert capsys.readouterr().out == "No findings (1 file checked).\n"


def test_an_error_finding_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path / "db" / "V1__init.sql", BROKEN)
    assert main(["lint", "db", *ONLY_OURS]) == EXIT_ERRORS
    out = capsys.readouterr().out
    assert out.startswith("db/V1__init.sql:2:1: parse-error ")
    assert out.endswith("Found 1 error in 1 file (1 file checked).\n")


def test_warnings_alone_exit_0(tmp_path: Path) -> None:
    _write(tmp_path / "V1__a.sql", "-- schemabot:ignore parse-error -- stale\nSELECT 1;\n")
    assert main(["lint", "V1__a.sql", *ONLY_OURS]) == EXIT_OK


def test_missing_path_exits_2_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "nowhere/V1__a.sql"]) == EXIT_USAGE
    assert capsys.readouterr().err == (
        "schemabot: cannot read nowhere/V1__a.sql: No such file or directory\n"
    )


def test_unreadable_path_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path / "V1__a.sql", "SELECT 1;")
    assert main(["lint", "V1__a.sql/inner.sql"]) == EXIT_USAGE
    assert capsys.readouterr().err == (
        "schemabot: cannot read V1__a.sql/inner.sql: Not a directory\n"
    )


@pytest.mark.parametrize(
    "argv",
    [["lint", "--format", "xml"], ["lint", "--bogus"], ["frobnicate"], [], ["lint", "--jobs"]],
)
def test_bad_usage_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == EXIT_USAGE
    assert "usage: schemabot" in capsys.readouterr().err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--help"]) == EXIT_OK
    assert "--dialect" in capsys.readouterr().out


def test_stdin_is_linted_under_the_given_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BROKEN.encode())))
    argv = ["lint", "-", "--stdin-filename", "V9__piped.sql", "--format", "json", *ONLY_OURS]
    assert main(argv) == EXIT_ERRORS
    (finding,) = json.loads(capsys.readouterr().out)
    assert (finding["path"], finding["line"], finding["rule"]) == (
        "V9__piped.sql",
        2,
        "parse-error",
    )


def test_config_errors_exit_2_naming_file_and_field_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(
        tmp_path / ".schemabot.toml",
        '[lint]\nseverity = { "parse-eror" = "error" }\npostgres_version = "sixteen"\n',
    )
    _write(tmp_path / "V1__a.sql", "SELECT 1;")
    assert main(["lint", "V1__a.sql", "--select", "no-such-rule"]) == EXIT_USAGE
    err = capsys.readouterr().err
    config = tmp_path / ".schemabot.toml"
    assert f"{config}: lint.severity.parse-eror: unknown rule id (did you mean parse-error?)" in err
    assert f"{config}: lint.postgres_version: expected a version" in err
    assert "--select[0]: unknown rule id or group 'no-such-rule'" in err


def test_a_bad_rule_option_is_a_config_error_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(
        tmp_path / ".schemabot.toml",
        '[lint.options.backfill-unbatched]\nmax_rows = "x"\nmax_row = 5\n',
    )
    _write(tmp_path / "V1__a.sql", "INSERT INTO t (a) VALUES (1);")
    assert main(["lint", "V1__a.sql"]) == EXIT_USAGE
    err = capsys.readouterr().err
    config = tmp_path / ".schemabot.toml"
    assert (
        f"{config}: lint.options.backfill-unbatched.max_rows: expected an integer, got 'x'" in err
    )
    assert "lint.options.backfill-unbatched.max_row: unknown option (did you mean max_rows?)" in err


def test_invalid_toml_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path / "server.toml", "[lint\n")
    assert main(["lint", "--config", "server.toml", "-"]) == EXIT_USAGE
    assert "server.toml is not valid TOML" in capsys.readouterr().err


def test_config_is_found_in_a_parent_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path / ".schemabot.toml", '[lint]\nignore = ["ALL"]\n')
    _write(tmp_path / "repo" / "db" / "V1__a.sql", BROKEN)
    monkeypatch.chdir(tmp_path / "repo")
    assert main(["lint", "db"]) == EXIT_OK
    # The command line wins where it disagrees with the file.
    assert main(["lint", "db", "--select", "parse-error"]) == EXIT_ERRORS


def test_explicit_config_reads_the_lint_table_of_a_server_config(tmp_path: Path) -> None:
    _write(
        tmp_path / "schemabot.toml",
        '[server]\nport = 8080\n\n[lint]\ndialect = "mysql"\nignore = ["parse-error"]\n',
    )
    _write(tmp_path / "V1__a.sql", BROKEN)
    assert main(["lint", "--config", "schemabot.toml", "V1__a.sql"]) == EXIT_OK


def test_dialect_comes_from_the_command_line_then_the_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Dollar quotes are PostgreSQL's: MySQL reads the body's ";" as the end of the statement.
    _write(
        tmp_path / "V1__a.sql", "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n"
    )
    assert main(["lint", "V1__a.sql", *ONLY_OURS]) == EXIT_OK
    assert main(["lint", "V1__a.sql", "--dialect", "mysql", *ONLY_OURS]) == EXIT_ERRORS
    _write(tmp_path / ".schemabot.toml", '[lint]\ndialect = "mysql"\n')
    assert main(["lint", "V1__a.sql", *ONLY_OURS]) == EXIT_ERRORS
    assert main(["lint", "V1__a.sql", "--dialect", "postgres", *ONLY_OURS]) == EXIT_OK


def test_directories_are_walked_in_migration_order(tmp_path: Path) -> None:
    for name in ("V10__c.sql", "V2__b.sql", "V1__a.sql", "R__view.sql", "notes.txt"):
        _write(tmp_path / "db" / name, "SELECT 1;")
    _write(tmp_path / "db" / "sub" / "V3__d.sql", "SELECT 1;")
    _write(tmp_path / "db" / ".hidden" / "V0__x.sql", "SELECT 1;")
    names = [Path(path).name for path in migration_files("db")]
    assert names == ["V1__a.sql", "V2__b.sql", "V3__d.sql", "V10__c.sql", "R__view.sql"]


def test_every_format_is_available(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path / "V1__a.sql", BROKEN)
    for format_name in ("json", "sarif", "gitlab"):
        assert main(["lint", "V1__a.sql", "--format", format_name, *ONLY_OURS]) == EXIT_ERRORS
        assert json.loads(capsys.readouterr().out)
    assert main(["lint", "V1__a.sql", "--format", "github", *ONLY_OURS]) == EXIT_ERRORS
    assert capsys.readouterr().out.startswith("::error file=V1__a.sql,line=2,")


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == EXIT_OK
    listed = json.loads(capsys.readouterr().out)
    assert {rule["id"] for rule in listed} == set(RULES)
    assert main(["rules"]) == EXIT_OK
    assert "unused-suppression" in capsys.readouterr().out
    assert main(["rules", "--format", "markdown"]) == EXIT_OK
    assert capsys.readouterr().out.startswith("# Rules\n")


def test_each_file_is_its_own_deployment_unless_one_change(tmp_path: Path) -> None:
    _write(tmp_path / "db" / "V1__create.sql", "CREATE TABLE t (a int);\n")
    _write(tmp_path / "db" / "V2__index.sql", "CREATE INDEX ix_t_a ON t (a);\n")
    only = ["--ignore", "ALL", "--select", "create-index-not-concurrently"]
    # Linting a history: by the time V2 runs, t is an existing table with data.
    assert main(["lint", "db", *only]) == EXIT_ERRORS
    # Deployed together, t is still empty when the index is built.
    assert main(["lint", "db", "--one-change", *only]) == EXIT_OK


def test_mysql_change_rules_follow_the_same_deployment_unit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path / "db" / "V1__create.sql", "CREATE TABLE t (id BIGINT PRIMARY KEY, a INT);\n")
    _write(tmp_path / "db" / "V2__strict.sql", "ALTER TABLE t MODIFY a INT NOT NULL;\n")
    only = ["--dialect", "mysql", "--ignore", "ALL", "--select", "mysql-set-not-null"]
    # A history: by V2, t is a populated table, and MODIFY ... NOT NULL rebuilds it.
    assert main(["lint", "db", "--format", "json", *only]) == EXIT_OK  # a warning
    assert [f["rule"] for f in json.loads(capsys.readouterr().out)] == ["mysql-set-not-null"]
    # One change: t is still new and empty when V2 runs.
    assert main(["lint", "db", "--format", "json", "--one-change", *only]) == EXIT_OK
    assert json.loads(capsys.readouterr().out) == []
