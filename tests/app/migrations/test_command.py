"""``schemabot migrate``: output formats, exit codes, the URL from the environment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.migrations.arguments import build_parser
from app.migrations.command import COMMANDS, PROG
from app.migrations.command import main as migrate
from app.migrations.targets import open_target
from tests.app.migrations.conftest import Database
from tests.app.migrations.layouts import EMAIL, USERS
from tests.app.migrations.layouts import write as write_layout
from tests.app.migrations.runner import CommandRunner

cli = CommandRunner()
REPO = Path(__file__).resolve().parents[3]


def test_status_json_lists_applied_pending_dirty_and_problems(
    postgres_db: Database, migrations_dir: Path
) -> None:
    write_layout(migrations_dir, "golang-migrate", USERS)
    applied = cli.invoke(migrate, ["apply", "--dir", str(migrations_dir)],
                         env={"SCHEMABOT_DATABASE_URL": postgres_db.url})  # fmt: skip
    assert applied.exit_code == 0, applied.output
    assert "applied 0001_create_users.up.sql" in applied.output
    write_layout(migrations_dir, "golang-migrate", EMAIL)

    result = cli.invoke(
        migrate,
        ["status", "--dir", str(migrations_dir), "--url", postgres_db.url, "--format", "json"],
    )

    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert set(document) == {"applied", "pending", "dirty", "problems"}
    assert [row["version"] for row in document["applied"]] == ["0001"]
    assert document["applied"][0]["script"] == "0001_create_users.up.sql"
    assert document["pending"] == [{"version": "0002", "script": "0002_add_email.up.sql"}]
    assert document["dirty"] is None and document["problems"] == []


def test_bad_usage_exits_2_naming_the_cause(tmp_path: Path, migrations_dir: Path) -> None:
    missing = cli.invoke(
        migrate, ["apply", "--dir", str(tmp_path / "absent"), "--url", "sqlite:///x.db"]
    )
    assert missing.exit_code == 2
    assert "absent" in missing.output and "does not exist" in missing.output

    bad_url = cli.invoke(
        migrate,
        ["apply", "--dir", str(migrations_dir), "--url", "oracle://scott:tiger@db/orcl"],
    )
    assert bad_url.exit_code == 2
    assert "oracle://scott:***@db/orcl" in bad_url.output and "tiger" not in bad_url.output

    no_url = cli.invoke(migrate, ["status", "--dir", str(migrations_dir)], env={})
    assert no_url.exit_code == 2


def test_passwords_never_appear_in_connection_errors(migrations_dir: Path) -> None:
    url = "postgresql://postgres:s3cret-pass@127.0.0.1:5432/runner_does_not_exist"
    result = cli.invoke(migrate, ["status", "--dir", str(migrations_dir), "--url", url])
    assert result.exit_code == 2
    assert "runner_does_not_exist" in result.output
    assert "s3cret-pass" not in result.output


def test_locked_exits_3(mariadb_db: Database, migrations_dir: Path) -> None:
    write_layout(migrations_dir, "plain", USERS)
    holder = open_target(mariadb_db.url)
    holder.connect()
    holder.lock(5)
    try:
        result = cli.invoke(
            migrate,
            ["apply", "--dir", str(migrations_dir), "--url", mariadb_db.url, "--lock-wait", "0.2s"],
        )
    finally:
        holder.close()
    assert result.exit_code == 3
    assert "locked by another runner (connection" in result.output


def test_refusals_and_failures_exit_1(sqlite_db: Database, migrations_dir: Path) -> None:
    write_layout(migrations_dir, "plain", USERS)
    arguments = ["apply", "--dir", str(migrations_dir), "--url", sqlite_db.url]
    assert cli.invoke(migrate, arguments).exit_code == 0
    (migrations_dir / "0001_create_users.sql").write_text(USERS.up + "-- edited\n")
    changed = cli.invoke(migrate, arguments)
    assert changed.exit_code == 1
    assert "0001_create_users.sql changed after it was applied" in changed.output

    (migrations_dir / "0001_create_users.sql").write_text(USERS.up)
    (migrations_dir / "0002_bad.sql").write_text("SELECT 1;\nSELEKT 2;\n")
    failed = cli.invoke(migrate, arguments)
    assert failed.exit_code == 1
    assert "migration failed (rolled back): 0002_bad.sql line 2" in failed.output


def test_dry_run_prints_statements_and_creates_nothing(
    sqlite_db: Database, migrations_dir: Path
) -> None:
    write_layout(migrations_dir, "flyway", USERS, EMAIL)
    result = cli.invoke(
        migrate,
        ["apply", "--dir", str(migrations_dir), "--url", sqlite_db.url, "--dry-run"],
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:4] == [
        "V1__create_users.sql (one transaction, 2 statement(s))",
        "  line 1: CREATE TABLE users (id integer PRIMARY KEY, name varchar(100) NOT NULL)",
        "  line 2: INSERT INTO users (id, name) VALUES (1, 'ada')",
        "V2__add_email.sql (one transaction, 1 statement(s))",
    ]
    assert sqlite_db.tables() == set()


def test_rollback_and_resolve_usage(sqlite_db: Database, migrations_dir: Path) -> None:
    both = cli.invoke(
        migrate,
        ["rollback", "--dir", str(migrations_dir), "--url", sqlite_db.url, "--steps", "1",
         "--to", "1"],
    )  # fmt: skip
    assert both.exit_code == 2
    undecided = cli.invoke(migrate, ["resolve", "--url", sqlite_db.url, "--version", "1"])
    assert undecided.exit_code == 2 and "--applied or --not-applied" in undecided.output
    clean = cli.invoke(migrate, ["resolve", "--url", sqlite_db.url, "--version", "1", "--applied"])
    assert clean.exit_code == 1 and "nothing to resolve" in clean.output


def _schemabot(code: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *arguments],
        capture_output=True, text=True, timeout=60, cwd=REPO, check=False,
    )  # fmt: skip


def test_the_console_script_runs_migrate_without_importing_typer(
    sqlite_db: Database, migrations_dir: Path
) -> None:
    write_layout(migrations_dir, "plain", USERS)
    # What the `schemabot` script does, then a look at what it imported on the way.
    code = (
        "import sys\nfrom app.entry import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n"
        "    print(sorted({'typer', 'pydantic', 'fastapi'} & set(sys.modules)))\n    raise\n"
    )
    result = _schemabot(
        code, "migrate", "apply", "--dir", str(migrations_dir), "--url", sqlite_db.url
    )

    assert result.returncode == 0, result.stderr
    assert "applied 0001_create_users.sql" in result.stdout
    assert result.stdout.endswith("[]\n")


def test_schemabot_help_lists_migrate_and_the_typer_command_forwards_to_it(
    sqlite_db: Database, migrations_dir: Path
) -> None:
    listing = _schemabot("from app.cli import run; run(['--help'])")
    assert "migrate" in listing.stdout and "Apply, inspect and repair" in listing.stdout

    write_layout(migrations_dir, "plain", USERS)
    arguments = ["migrate", "status", "--dir", str(migrations_dir), "--url", sqlite_db.url]
    forwarded = _schemabot("import sys; from app.cli import run; run(sys.argv[1:])", *arguments,
                           "--format", "json")  # fmt: skip
    assert forwarded.returncode == 0, forwarded.stderr
    assert json.loads(forwarded.stdout)["pending"][0]["script"] == "0001_create_users.sql"
    helped = _schemabot("import sys; from app.cli import run; run(sys.argv[1:])", "migrate",
                        "resolve", "--help")  # fmt: skip
    assert helped.returncode == 0 and "--not-applied" in helped.stdout


@pytest.mark.parametrize(
    "arguments",
    [
        ["-h"],
        *([command, "-h"] for command in COMMANDS),
        *([command, "--no-such-option"] for command in COMMANDS),
        ["apply", "--dir", "d", "--url", "u", "extra"],
        ["rollback", "--dir", "d", "--url", "u", "--steps", "0"],
    ],
)
def test_a_command_line_is_parsed_as_by_the_parser_of_every_command(
    arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """main() builds only the named command's parser: the help and errors must not change."""
    outputs = []
    for only in (None, arguments[0] if arguments[0] in COMMANDS else None):
        with pytest.raises(SystemExit) as exit_:
            build_parser(PROG, COMMANDS, only=only).parse_args(arguments)
        outputs.append((exit_.value.code, capsys.readouterr()))
    assert outputs[0] == outputs[1]
