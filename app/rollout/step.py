"""One environment of a rollout through the runner, and what came of it.

The runner (``app.migrations``) does the real work: it takes the database's lock, skips what
its history says is applied, and records each file in the target itself. So running a step again
after a crash applies nothing twice. It runs in a thread (it is blocking code), with the
environment's own timeouts; the job's event loop keeps the lease alive meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import structlog

from app.config import Environment
from app.migrations import (
    DatabaseDirty,
    MigrationError,
    MigrationFileError,
    Progress,
    RunnerLocked,
    Timeouts,
    ValidationRefused,
    apply,
    status,
)
from app.store.rollouts import Rollouts

__all__ = ["StepOutcome", "pending_scripts", "progress_recorder", "run_step", "timeouts_of"]

log = structlog.get_logger(__name__)

T = TypeVar("T")

OutcomeKind = Literal["succeeded", "failed", "locked", "stopped"]


@dataclass(frozen=True)
class StepOutcome:
    kind: OutcomeKind
    duration_ms: int
    #: Migrations this run applied: ``{"script", "version", "duration_ms"}``.
    applied: list[dict[str, Any]] = field(default_factory=list)
    #: ``{"kind": migration|refused|dirty|files|error, "error", ...}`` for a failure.
    failure: dict[str, Any] | None = None
    #: Who holds the database's lock, when another runner does.
    locked_by: str | None = None


def timeouts_of(environment: Environment) -> Timeouts:
    statement = environment.statement_timeout
    return Timeouts(
        lock_timeout=environment.lock_timeout.total_seconds(),
        statement_timeout=statement.total_seconds() if statement is not None else None,
    )


def _refusal(error: MigrationError) -> dict[str, Any]:
    if isinstance(error, ValidationRefused):
        return {
            "kind": "refused",
            "error": str(error),
            "problems": [problem.message for problem in error.problems],
        }
    if isinstance(error, DatabaseDirty):
        dirty = error.dirty
        return {
            "kind": "dirty",
            "error": dirty.explanation,
            "script": dirty.row.script,
            "version": dirty.row.version,
            "line": dirty.row.statement_line,
            "statement": dirty.statement,
        }
    if isinstance(error, MigrationFileError):
        return {"kind": "files", "error": str(error)}
    return {"kind": "error", "error": str(error)}


async def _in_own_thread(name: str, function: Callable[..., T], /, **arguments: Any) -> T:
    """Run ``function`` in a thread of its own, not the event loop's shared pool: a migration
    may run for hours, and the pool's few threads must stay free for the heartbeat that keeps
    the lease (with several rollouts at once, they would all be taken)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.done():  # the job was cancelled meanwhile
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def run() -> None:
        outcome: tuple[T | None, BaseException | None]
        try:
            outcome = (function(**arguments), None)
        except BaseException as error:  # handed to the awaiting job, which decides
            outcome = (None, error)
        with contextlib.suppress(RuntimeError):  # the loop is gone: the process is stopping
            loop.call_soon_threadsafe(settle, *outcome)

    # A daemon: a process that exits mid-migration drops the connection, and the database
    # rolls the file back (PostgreSQL) or the runner finds it dirty (MySQL) next time.
    threading.Thread(target=run, name=name, daemon=True).start()
    return await future


async def run_step(
    *,
    environment: Environment,
    migrations: Path,
    commit: str,
    rollout_id: int,
    applied_by: str,
    stop: Any,
    on_progress: Callable[[Progress], None],
) -> StepOutcome:
    """Apply the pending migrations of ``migrations`` to the environment's database.

    ``stop`` (a ``threading.Event``) ends the run between two files: a cancel command, or a
    lease this job no longer holds.
    """
    started = time.perf_counter()

    def elapsed() -> int:
        return round((time.perf_counter() - started) * 1000)

    try:
        report = await _in_own_thread(
            f"rollout {rollout_id} {environment.name}",
            apply,
            target_url=environment.url.get_secret_value(),
            migrations=migrations,
            commit=commit,
            rollout_id=str(rollout_id),
            applied_by=applied_by,
            timeouts=timeouts_of(environment),
            allow_out_of_order=environment.allow_out_of_order,
            cancel=stop,
            on_progress=on_progress,
        )
    except RunnerLocked as error:
        return StepOutcome("locked", elapsed(), locked_by=error.holder)
    except MigrationError as error:
        return StepOutcome("failed", elapsed(), failure=_refusal(error))
    except Exception as error:  # a driver error mid-run (connection lost) is a failed step too
        message = f"{type(error).__name__}: {str(error).strip()}"
        return StepOutcome("failed", elapsed(), failure={"kind": "error", "error": message})
    applied = [
        {"script": step.script, "version": step.version, "duration_ms": round(step.duration_ms)}
        for step in report.steps
    ]
    if report.failure is not None:
        failure = {"kind": "migration", **report.failure.to_dict()}
        return StepOutcome("failed", elapsed(), applied, failure)
    if report.cancelled:
        return StepOutcome("stopped", elapsed(), applied)
    return StepOutcome("succeeded", elapsed(), applied)


async def pending_scripts(*, environment: Environment, migrations: Path) -> list[str] | None:
    """What the environment would apply now (shown to approvers); None when it cannot be read."""
    try:
        current = await asyncio.to_thread(
            status,
            target_url=environment.url.get_secret_value(),
            migrations=migrations,
            allow_out_of_order=environment.allow_out_of_order,
        )
    except Exception:  # the report says "unknown" rather than failing the rollout over it
        return None
    return [script for _, script in current.pending]


def progress_recorder(
    rollouts: Rollouts, rollout_id: int, environment: str, *, holder: str
) -> Callable[[Progress], None]:
    """Record each file as the runner starts and applies it (called in the runner's thread):
    the store knows what is applied even if this worker dies on the next file."""

    def record(progress: Progress) -> None:
        try:
            if progress.event == "started":
                rollouts.update_step(
                    rollout_id, environment, holder=holder, current_script=progress.script
                )
            elif progress.event == "applied":
                entry = {
                    "script": progress.script,
                    "version": progress.version,
                    "duration_ms": round(progress.duration_ms or 0),
                }
                rollouts.add_applied(rollout_id, environment, holder=holder, entry=entry)
        except Exception as error:  # the target's history stays the truth either way
            log.warning("rollout.progress_not_recorded", rollout=rollout_id, error=str(error))

    return record
