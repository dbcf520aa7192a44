"""The ``schemabot migrate`` command line: its commands, their options and the parser."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from app.migrations.constants import DEFAULT_LOCK_WAIT_SECONDS, URL_ENV

__all__ = ["FOREIGN_TOOLS", "SUMMARIES", "Command", "build_parser"]

#: What runs a command, with its parsed arguments; returns the exit code.
Command = Callable[[argparse.Namespace], int]

FOREIGN_TOOLS = ("flyway", "golang-migrate", "dbmate")
SCHEMES_HELP = "auto, flyway, golang-migrate, dbmate or plain."
SUMMARIES = {
    "status": "Show applied and pending migrations, a dirty state and any problem.",
    "apply": "Apply pending migrations in version order, each recorded in the history table.",
    "rollback": "Run down migrations for the newest versions (one by default).",
    "baseline": "Record migrations as applied without running them "
    "(adopting an existing database).",
    "resolve": "Record what a person found after a failed or interrupted migration.",
}


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``, without importing shutil (and with it zlib, bz2
    and lzma: 3 to 5 ms of a run's start-up when nothing else imports them)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    stdout = sys.__stdout__
    if stdout is None:  # no standard output at all
        return 80
    try:
        return os.get_terminal_size(stdout.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, as wide as argparse's own would be (the terminal, less 2)."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = _terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _at_least_one(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{number} is not 1 or more")
    return number


def _common_options(parser: argparse.ArgumentParser, *, needs_dir: bool = True) -> None:
    """The options every command has: the directory and the target."""
    if needs_dir:
        parser.add_argument("--dir", "-d", type=Path, required=True, help="Migrations directory.")
    else:  # resolve reads only the history; --dir is accepted so one command line fits all
        parser.add_argument("--dir", "-d", type=Path, help=argparse.SUPPRESS)
    from_environment = os.environ.get(URL_ENV) or None
    parser.add_argument(
        "--url",
        default=from_environment,
        required=from_environment is None,
        help=f"Database URL: postgresql://, mysql://, mariadb://, sqlite:///path "
        f"(default: ${URL_ENV}).",
    )


def _add_claim_options(parser: argparse.ArgumentParser, *, scheme: bool = True) -> None:
    """Options of the commands that take the runner's lock and record who ran them."""
    if scheme:
        _add_scheme(parser)
    parser.add_argument(
        "--lock-wait",
        metavar="DURATION",
        default=f"{DEFAULT_LOCK_WAIT_SECONDS:g}s",
        help="How long to wait for another runner's lock (default: %(default)s).",
    )
    parser.add_argument(
        "--applied-by", metavar="NAME", help="Recorded in the history (default: OS user)."
    )


def _add_scheme(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scheme", default="auto", metavar="SCHEME", help=SCHEMES_HELP)


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="Output format (default: text)."
    )


def _add_run_options(parser: argparse.ArgumentParser, to_help: str) -> None:
    """Options of the commands that run migration files: apply and rollback."""
    parser.add_argument("--to", metavar="VERSION", help=to_help)
    parser.add_argument(
        "--dry-run", action="store_true", help="Print the plan; change nothing in the database."
    )
    _add_format(parser)
    parser.add_argument(
        "--lock-timeout",
        metavar="DURATION",
        help="Lock wait limit for each migration statement (5s).",
    )
    parser.add_argument(
        "--statement-timeout", metavar="DURATION", help="Run time limit for each statement (15min)."
    )


def _status_options(status: argparse.ArgumentParser) -> None:
    _common_options(status)
    _add_scheme(status)
    _add_format(status)
    status.add_argument(
        "--allow-out-of-order",
        action="store_true",
        help="Count older files as pending, not as problems.",
    )


def _apply_options(apply: argparse.ArgumentParser) -> None:
    _common_options(apply)
    _add_run_options(apply, "Apply up to this version.")
    apply.add_argument(
        "--allow-out-of-order", action="store_true", help="Apply files older than the newest."
    )
    _add_claim_options(apply)
    apply.add_argument("--commit", metavar="SHA", help="Commit recorded in history.")
    apply.add_argument("--rollout-id", metavar="ID", help="Rollout id for history.")


def _rollback_options(rollback: argparse.ArgumentParser) -> None:
    _common_options(rollback)
    rollback.add_argument("--steps", type=_at_least_one, metavar="N", help="Versions to undo.")
    _add_run_options(rollback, "Undo versions above this.")
    _add_claim_options(rollback)


def _baseline_options(baseline: argparse.ArgumentParser) -> None:
    _common_options(baseline)
    baseline.add_argument("--to", metavar="VERSION", help="Record files up to here.")
    baseline.add_argument(
        "--from",
        dest="from_tool",
        choices=FOREIGN_TOOLS,
        help="Adopt what this tool's history table lists.",
    )
    _add_claim_options(baseline)


def _resolve_options(resolve: argparse.ArgumentParser) -> None:
    _common_options(resolve, needs_dir=False)
    resolve.add_argument("--version", required=True, help="The migration needing attention.")
    for flag, verdict, found in (
        ("--applied", True, "the whole file is in effect"),
        ("--not-applied", False, "none of it is"),
    ):
        resolve.add_argument(flag, dest="applied", action="store_const", const=verdict,
                             help=f"After checking the schema: {found}.")  # fmt: skip
    _add_claim_options(resolve, scheme=False)


#: Each command's options beyond the parser's own, by command.
OPTIONS: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    "status": _status_options,
    "apply": _apply_options,
    "rollback": _rollback_options,
    "baseline": _baseline_options,
    "resolve": _resolve_options,
}


def build_parser(
    prog: str, commands: Mapping[str, Command], *, only: str | None = None
) -> argparse.ArgumentParser:
    """The parser of ``commands`` (name: what runs it, in the order the help lists them).

    With ``only`` (the command a command line starts with), the parser of that command alone:
    the other commands appear only in the top-level help and in its "invalid choice" error,
    which such a line never reaches, and each parser and option costs argparse translations
    and formatting (6 ms for all five commands, most of a parse).
    """
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Apply, inspect and repair database migrations "
        "(PostgreSQL, MySQL/MariaDB, SQLite).",
        allow_abbrev=False,
        formatter_class=_HelpFormatter,
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for name, run in commands.items():
        if only is not None and name != only:
            continue
        summary = SUMMARIES[name]
        command = subparsers.add_parser(
            name,
            help=summary,
            description=summary,
            allow_abbrev=False,
            formatter_class=_HelpFormatter,
        )
        command.set_defaults(run=run)
        OPTIONS[name](command)
    return parser
