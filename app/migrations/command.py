"""``schemabot migrate``: status, apply, rollback, baseline and resolve from the command line.

Exit codes: 0 success or nothing to do; 1 a migration failed or the runner refused (changed
file, dirty database); 2 bad usage (bad URL, missing directory); 3 locked by another runner.
Run standalone as ``python -m app.migrations``.
"""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from app.migrations.constants import DEFAULT_LOCK_WAIT_SECONDS, URL_ENV

if TYPE_CHECKING:
    from app.migrations.report import ApplyReport, Progress, Status

__all__ = ["migrate_app"]

migrate_app = typer.Typer(
    name="migrate",
    help="Apply, inspect and repair database migrations (PostgreSQL, MySQL/MariaDB, SQLite).",
    no_args_is_help=True,
    add_completion=False,
)

T = TypeVar("T")


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


class ForeignToolOption(StrEnum):
    flyway = "flyway"
    golang_migrate = "golang-migrate"
    dbmate = "dbmate"


DirOption = Annotated[
    Path, typer.Option("--dir", "-d", help="Migrations directory.", show_default=False)
]
UrlOption = Annotated[
    str,
    typer.Option(
        "--url", envvar=URL_ENV, show_envvar=True, show_default=False,
        help="Database URL: postgresql://, mysql://, mariadb://, sqlite:///path.",
    ),
]  # fmt: skip
SchemeOption = Annotated[
    str, typer.Option("--scheme", help="auto, flyway, golang-migrate, dbmate or plain.")
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", help="Output format.")]
LockWaitOption = Annotated[
    str, typer.Option("--lock-wait", help="How long to wait for another runner's lock.")
]
AppliedByOption = Annotated[
    str | None, typer.Option("--applied-by", help="Recorded in the history (default: OS user).")
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Print the plan; change nothing in the database.")
]
LockTimeoutOption = Annotated[
    str | None,
    typer.Option("--lock-timeout", help="Lock wait limit for each migration statement (5s)."),
]
StatementTimeoutOption = Annotated[
    str | None,
    typer.Option("--statement-timeout", help="Run time limit for each statement (15min)."),
]
CommitOption = Annotated[str | None, typer.Option("--commit", help="Commit recorded in history.")]
RolloutOption = Annotated[str | None, typer.Option("--rollout-id", help="Rollout id for history.")]


def _error(message: str) -> None:
    typer.echo(f"error: {message}", err=True)


def _guarded(action: Callable[[], T]) -> T:
    """Run ``action``, turning the runner's refusals into their exit codes."""
    from app.migrations.errors import MigrationError

    try:
        return action()
    except MigrationError as error:
        _error(str(error))
        raise typer.Exit(error.exit_code) from error
    except Exception as error:  # a lost connection or a driver error: report, never a trace
        from app.dsn import mask_passwords

        _error(mask_passwords(f"{type(error).__name__}: {error}"))
        raise typer.Exit(1) from error


@contextmanager
def _cancel_on_sigterm() -> Iterator[threading.Event]:
    """SIGTERM asks the run to stop after the file in progress, never inside one."""
    cancel = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield cancel
        return

    def request_stop(signum: int, frame: object) -> None:
        cancel.set()
        typer.echo("SIGTERM: stopping after the current file", err=True)

    previous = signal.signal(signal.SIGTERM, request_stop)
    try:
        yield cancel
    finally:
        signal.signal(signal.SIGTERM, previous)


def _print_progress(progress: Progress) -> None:
    if progress.event == "applied":
        verb = "applied" if progress.direction == "up" else "rolled back"
        typer.echo(f"{verb} {progress.script} ({progress.duration_ms or 0:.0f} ms)")


def _finish(report: ApplyReport, output: OutputFormat) -> None:
    if output is OutputFormat.json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        for note in report.notes:
            typer.echo(f"note: {note}", err=True)
        if report.dry_run:
            _print_plan(report)
        elif report.failure is not None:
            state = "the database needs attention" if report.failure.dirty else "rolled back"
            _error(f"migration failed ({state}): {report.failure}")
        elif report.cancelled:
            _error(f"stopped before {len(report.not_run)} file(s): {', '.join(report.not_run)}")
        elif not report.steps:
            typer.echo("nothing to do: the database is up to date")
        else:
            total = sum(step.duration_ms for step in report.steps) / 1000
            typer.echo(f"{len(report.steps)} migration(s) done in {total:.2f} s")
    if not report.ok:
        raise typer.Exit(1)


def _print_plan(report: ApplyReport) -> None:
    if not report.planned:
        typer.echo("nothing to do: the database is up to date")
    for planned in report.planned:
        mode = "one transaction" if planned.transactional else "no transaction"
        typer.echo(f"{planned.script} ({mode}, {len(planned.statements)} statement(s))")
        for line, text in planned.statements:
            typer.echo(f"  line {line}: {' '.join(text.split())}")


def _print_status(status: Status) -> None:
    typer.echo(f"applied ({len(status.applied)}):")
    for row in status.applied:
        when = row.finished_at.strftime("%Y-%m-%d %H:%M:%S") if row.finished_at else "?"
        typer.echo(f"  {row.version:<16} {row.script}  {row.kind}  {when}  by {row.applied_by}")
    typer.echo(f"pending ({len(status.pending)}):")
    for version, script in status.pending:
        typer.echo(f"  {version or '(repeatable)':<16} {script}")
    if status.dirty is not None:
        typer.echo(status.dirty.explanation)
    for problem in status.problems:
        typer.echo(f"problem: {problem.message}")


def _seconds(text: str) -> float:
    from app.migrations.durations import parse_duration

    return parse_duration(text)


@migrate_app.command("status")
def status_command(
    directory: DirOption,
    url: UrlOption,
    scheme: SchemeOption = "auto",
    output: FormatOption = OutputFormat.text,
    allow_out_of_order: Annotated[bool, typer.Option("--allow-out-of-order")] = False,
) -> None:
    """Show applied and pending migrations, a dirty state and any problem."""
    from app.migrations.runner import status

    result = _guarded(
        lambda: status(
            target_url=url, migrations=directory, scheme=scheme,
            allow_out_of_order=allow_out_of_order,
        )
    )  # fmt: skip
    if output is OutputFormat.json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        _print_status(result)
    if result.dirty is not None or result.problems:
        raise typer.Exit(1)


@migrate_app.command("apply")
def apply_command(
    directory: DirOption,
    url: UrlOption,
    to: Annotated[str | None, typer.Option("--to", help="Apply up to this version.")] = None,
    dry_run: DryRunOption = False,
    output: FormatOption = OutputFormat.text,
    lock_timeout: LockTimeoutOption = None,
    statement_timeout: StatementTimeoutOption = None,
    allow_out_of_order: Annotated[
        bool, typer.Option("--allow-out-of-order", help="Apply files older than the newest.")
    ] = False,
    scheme: SchemeOption = "auto",
    lock_wait: LockWaitOption = f"{DEFAULT_LOCK_WAIT_SECONDS:g}s",
    applied_by: AppliedByOption = None,
    commit: CommitOption = None,
    rollout_id: RolloutOption = None,
) -> None:
    """Apply pending migrations in version order, each recorded in the history table."""
    from app.migrations.durations import Timeouts
    from app.migrations.runner import apply

    with _cancel_on_sigterm() as cancel:
        report = _guarded(
            lambda: apply(
                target_url=url, migrations=directory, scheme=scheme, commit=commit,
                rollout_id=rollout_id, applied_by=applied_by,
                timeouts=Timeouts.parse(lock_timeout, statement_timeout),
                allow_out_of_order=allow_out_of_order, to_version=to, dry_run=dry_run,
                lock_wait=_seconds(lock_wait), cancel=cancel,
                on_progress=_print_progress if output is OutputFormat.text else None,
            )
        )  # fmt: skip
    _finish(report, output)


@migrate_app.command("rollback")
def rollback_command(
    directory: DirOption,
    url: UrlOption,
    steps: Annotated[int | None, typer.Option("--steps", min=1, help="Versions to undo.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Undo versions above this.")] = None,
    dry_run: DryRunOption = False,
    output: FormatOption = OutputFormat.text,
    lock_timeout: LockTimeoutOption = None,
    statement_timeout: StatementTimeoutOption = None,
    scheme: SchemeOption = "auto",
    lock_wait: LockWaitOption = f"{DEFAULT_LOCK_WAIT_SECONDS:g}s",
    applied_by: AppliedByOption = None,
) -> None:
    """Run down migrations for the newest versions (one by default)."""
    from app.migrations.durations import Timeouts
    from app.migrations.runner import rollback

    if steps is not None and to is not None:
        _error("give --steps or --to, not both")
        raise typer.Exit(2)
    with _cancel_on_sigterm() as cancel:
        report = _guarded(
            lambda: rollback(
                target_url=url, migrations=directory, scheme=scheme, steps=steps,
                to_version=to, applied_by=applied_by,
                timeouts=Timeouts.parse(lock_timeout, statement_timeout), dry_run=dry_run,
                lock_wait=_seconds(lock_wait), cancel=cancel,
                on_progress=_print_progress if output is OutputFormat.text else None,
            )
        )  # fmt: skip
    _finish(report, output)


@migrate_app.command("baseline")
def baseline_command(
    directory: DirOption,
    url: UrlOption,
    to: Annotated[str | None, typer.Option("--to", help="Record files up to here.")] = None,
    from_tool: Annotated[
        ForeignToolOption | None,
        typer.Option("--from", help="Adopt what this tool's history table lists."),
    ] = None,
    scheme: SchemeOption = "auto",
    lock_wait: LockWaitOption = f"{DEFAULT_LOCK_WAIT_SECONDS:g}s",
    applied_by: AppliedByOption = None,
) -> None:
    """Record migrations as applied without running them (adopting an existing database)."""
    from app.migrations.baseline import baseline

    recorded = _guarded(
        lambda: baseline(
            target_url=url, migrations=directory, scheme=scheme, to_version=to,
            from_tool=from_tool.value if from_tool else None,
            applied_by=applied_by, lock_wait=_seconds(lock_wait),
        )
    )  # fmt: skip
    typer.echo(f"recorded {len(recorded)} version(s) as applied: {', '.join(recorded) or '-'}")


@migrate_app.command("resolve")
def resolve_command(
    url: UrlOption,
    version: Annotated[str, typer.Option("--version", help="The migration needing attention.")],
    applied: Annotated[
        bool | None,
        typer.Option(
            "--applied/--not-applied",
            help="After checking the schema: the whole file is in effect, or none of it is.",
            show_default=False,
        ),
    ] = None,
    directory: Annotated[Path | None, typer.Option("--dir", "-d", hidden=True)] = None,
    lock_wait: LockWaitOption = f"{DEFAULT_LOCK_WAIT_SECONDS:g}s",
    applied_by: AppliedByOption = None,
) -> None:
    """Record what a person found after a failed or interrupted migration."""
    from app.migrations.baseline import resolve

    if applied is None:
        _error("say what you found: --applied or --not-applied")
        raise typer.Exit(2)
    message = _guarded(
        lambda: resolve(
            target_url=url, version=version, applied=applied, applied_by=applied_by,
            lock_wait=_seconds(lock_wait),
        )
    )  # fmt: skip
    typer.echo(message)


def main() -> None:
    migrate_app(prog_name="schemabot migrate")


if __name__ == "__main__":
    main()
