"""``schemabot migrate``: status, apply, rollback, baseline and resolve from the command line.

Exit codes: 0 success or nothing to do; 1 a migration failed or the runner refused (changed
file, dirty database); 2 bad usage (bad URL, missing directory); 3 locked by another runner.
Run standalone as ``python -m app.migrations``.

Plain argparse, dispatched by ``app.entry`` before typer is imported: a migration run starts
in a fresh process (a deploy job, a pod), and typer with its pydantic coercion would add a
tenth of a second to every run, more than the bookkeeping of a few hundred files costs.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar, cast

from app.migrations.arguments import Command, build_parser

if TYPE_CHECKING:
    from app.migrations.baseline import ForeignTool
    from app.migrations.report import ApplyReport, Progress, Status

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
PROG = "schemabot migrate"

T = TypeVar("T")


class _Exit(Exception):
    """Ends the command with ``code``; the message has been printed already."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _echo(text: str, *, err: bool = False) -> None:
    # Flushed line by line: a rollout log or a person watching sees each file when it is done.
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def _error(message: str) -> None:
    _echo(f"error: {message}", err=True)


def _guarded(action: Callable[[], T]) -> T:
    """Run ``action``, turning the runner's refusals into their exit codes."""
    from app.migrations.errors import MigrationError

    try:
        return action()
    except MigrationError as error:
        _error(str(error))
        raise _Exit(error.exit_code) from error
    except Exception as error:  # a lost connection or a driver error: report, never a trace
        from app.dsn import mask_passwords

        _error(mask_passwords(f"{type(error).__name__}: {error}"))
        raise _Exit(EXIT_FAILED) from error


@contextmanager
def _cancel_on_sigterm() -> Iterator[threading.Event]:
    """SIGTERM asks the run to stop after the file in progress, never inside one."""
    cancel = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield cancel
        return

    def request_stop(signum: int, frame: object) -> None:
        cancel.set()
        _echo("SIGTERM: stopping after the current file", err=True)

    previous = signal.signal(signal.SIGTERM, request_stop)
    try:
        yield cancel
    finally:
        signal.signal(signal.SIGTERM, previous)


def _print_progress(progress: Progress) -> None:
    if progress.event == "applied":
        verb = "applied" if progress.direction == "up" else "rolled back"
        _echo(f"{verb} {progress.script} ({progress.duration_ms or 0:.0f} ms)")


def _finish(report: ApplyReport, output: str) -> int:
    if output == "json":
        import json

        _echo(json.dumps(report.to_dict(), indent=2))
    else:
        for note in report.notes:
            _echo(f"note: {note}", err=True)
        if report.dry_run:
            _print_plan(report)
        elif report.failure is not None:
            state = "the database needs attention" if report.failure.dirty else "rolled back"
            _error(f"migration failed ({state}): {report.failure}")
        elif report.cancelled:
            _error(f"stopped before {len(report.not_run)} file(s): {', '.join(report.not_run)}")
        elif not report.steps:
            _echo("nothing to do: the database is up to date")
        else:
            total = sum(step.duration_ms for step in report.steps) / 1000
            _echo(f"{len(report.steps)} migration(s) done in {total:.2f} s")
    return EXIT_OK if report.ok else EXIT_FAILED


def _print_plan(report: ApplyReport) -> None:
    if not report.planned:
        _echo("nothing to do: the database is up to date")
    for planned in report.planned:
        mode = "one transaction" if planned.transactional else "no transaction"
        _echo(f"{planned.script} ({mode}, {len(planned.statements)} statement(s))")
        for line, text in planned.statements:
            _echo(f"  line {line}: {' '.join(text.split())}")


def _print_status(status: Status) -> None:
    _echo(f"applied ({len(status.applied)}):")
    for row in status.applied:
        when = row.finished_at.strftime("%Y-%m-%d %H:%M:%S") if row.finished_at else "?"
        _echo(f"  {row.version:<16} {row.script}  {row.kind}  {when}  by {row.applied_by}")
    _echo(f"pending ({len(status.pending)}):")
    for version, script in status.pending:
        _echo(f"  {version or '(repeatable)':<16} {script}")
    if status.dirty is not None:
        _echo(status.dirty.explanation)
    for problem in status.problems:
        _echo(f"problem: {problem.message}")


def _seconds(text: str) -> float:
    from app.migrations.durations import parse_duration

    return parse_duration(text)


# -- the commands ---------------------------------------------------------------------------


def _status(args: argparse.Namespace) -> int:
    from app.migrations.runner import status

    result = _guarded(
        lambda: status(
            target_url=args.url, migrations=args.dir, scheme=args.scheme,
            allow_out_of_order=args.allow_out_of_order,
        )
    )  # fmt: skip
    if args.format == "json":
        import json

        _echo(json.dumps(result.to_dict(), indent=2))
    else:
        _print_status(result)
    return EXIT_FAILED if result.dirty is not None or result.problems else EXIT_OK


def _apply(args: argparse.Namespace) -> int:
    from app.migrations.durations import Timeouts
    from app.migrations.runner import apply

    with _cancel_on_sigterm() as cancel:
        report = _guarded(
            lambda: apply(
                target_url=args.url, migrations=args.dir, scheme=args.scheme,
                commit=args.commit, rollout_id=args.rollout_id, applied_by=args.applied_by,
                timeouts=Timeouts.parse(args.lock_timeout, args.statement_timeout),
                allow_out_of_order=args.allow_out_of_order, to_version=args.to,
                dry_run=args.dry_run, lock_wait=_seconds(args.lock_wait), cancel=cancel,
                on_progress=_print_progress if args.format == "text" else None,
            )
        )  # fmt: skip
    return _finish(report, args.format)


def _rollback(args: argparse.Namespace) -> int:
    from app.migrations.durations import Timeouts
    from app.migrations.runner import rollback

    if args.steps is not None and args.to is not None:
        _error("give --steps or --to, not both")
        return EXIT_USAGE
    with _cancel_on_sigterm() as cancel:
        report = _guarded(
            lambda: rollback(
                target_url=args.url, migrations=args.dir, scheme=args.scheme, steps=args.steps,
                to_version=args.to, applied_by=args.applied_by,
                timeouts=Timeouts.parse(args.lock_timeout, args.statement_timeout),
                dry_run=args.dry_run, lock_wait=_seconds(args.lock_wait), cancel=cancel,
                on_progress=_print_progress if args.format == "text" else None,
            )
        )  # fmt: skip
    return _finish(report, args.format)


def _baseline(args: argparse.Namespace) -> int:
    from app.migrations.baseline import baseline

    recorded = _guarded(
        lambda: baseline(
            target_url=args.url, migrations=args.dir, scheme=args.scheme, to_version=args.to,
            from_tool=cast("ForeignTool | None", args.from_tool),
            applied_by=args.applied_by, lock_wait=_seconds(args.lock_wait),
        )
    )  # fmt: skip
    _echo(f"recorded {len(recorded)} version(s) as applied: {', '.join(recorded) or '-'}")
    return EXIT_OK


def _resolve(args: argparse.Namespace) -> int:
    from app.migrations.baseline import resolve

    if args.applied is None:
        _error("say what you found: --applied or --not-applied")
        return EXIT_USAGE
    message = _guarded(
        lambda: resolve(
            target_url=args.url, version=args.version, applied=args.applied,
            applied_by=args.applied_by, lock_wait=_seconds(args.lock_wait),
        )
    )  # fmt: skip
    _echo(message)
    return EXIT_OK


#: Each command's name and what runs it, in the order the help lists them.
COMMANDS: dict[str, Command] = {
    "status": _status,
    "apply": _apply,
    "rollback": _rollback,
    "baseline": _baseline,
    "resolve": _resolve,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``schemabot migrate`` command; ``argv`` starts with the command's name."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    only = arguments[0] if arguments and arguments[0] in COMMANDS else None
    parser = build_parser(PROG, COMMANDS, only=only)
    if not arguments:  # the list of commands, with the exit code of a usage error
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exit_:  # argparse has printed the usage or the help
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    run: Command = args.run
    try:
        return run(args)
    except _Exit as exit_:
        return exit_.code
