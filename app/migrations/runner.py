"""Apply, roll back and report: the runner's keyword-only API for the CLI and rollout jobs.

Each command claims the target (lock, history, dirty check), runs migration files one at a
time, and records each in the history table: in the file's own transaction where the database
allows it, else with a "started" row completed afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import NamedTuple

from app.migrations.claim import (
    MigrationSource,
    claim,
    connected,
    default_applied_by,
    dirty_state,
    load_migrations,
    migration_for,
)
from app.migrations.constants import DEFAULT_LOCK_WAIT_SECONDS
from app.migrations.durations import Timeouts
from app.migrations.errors import ValidationRefused
from app.migrations.files import Migration, Script
from app.migrations.history import (
    AnyRow,
    HistoryEntry,
    HistoryKind,
    HistoryRow,
    RecordedRow,
    describe_dirty,
    find_dirty,
)
from app.migrations.plan import plan_apply, plan_rollback
from app.migrations.report import (
    ApplyReport,
    Direction,
    MigrationFailure,
    PlannedMigration,
    Progress,
    ProgressCallback,
    Status,
    StepResult,
)
from app.migrations.targets.base import RecordApplied, RemoveRows, StatementFailure, Target
from linters.dialects import Dialect

__all__ = ["apply", "rollback", "status"]


class _Step(NamedTuple):
    """One migration to run in one direction, and how to record it."""

    migration: Migration
    script: Script
    direction: Direction
    entry: HistoryEntry
    #: History rows a rollback removes.
    remove: tuple[int, ...] = ()


def _entry(
    migration: Migration, kind: HistoryKind, script: Script, applied_by: str,
    commit: str | None, rollout_id: str | None,
) -> HistoryEntry:  # fmt: skip
    return HistoryEntry(
        migration.version, migration.description, kind, script.filename,
        migration.checksum if kind != "undo" else None, applied_by, commit, rollout_id,
    )  # fmt: skip


def _failure(
    step: _Step, failure: StatementFailure, dialect: Dialect, dirty: bool
) -> MigrationFailure:
    line = statement = None
    if failure.index is not None:
        statements = step.script.statements(dialect)
        if 0 <= failure.index < len(statements):
            line = statements[failure.index].line
            statement = statements[failure.index].text
    return MigrationFailure(
        step.migration.version, step.script.filename, line, statement, failure.message, dirty
    )


def _run_step(target: Target, step: _Step, upcoming: Script | None) -> None:
    """Run one file and record it; raises StatementFailure after recording what happened."""
    if target.transactional_ddl and not step.script.no_transaction(target.dialect):
        change = RemoveRows(step.remove) if step.direction == "down" else RecordApplied(step.entry)
        target.run_atomic(step.script, change)
        return
    row_id = target.run_stepwise(step.script, step.entry, upcoming=upcoming)
    if step.direction == "down":
        target.delete_rows((*step.remove, row_id))


def _run_steps(
    target: Target,
    steps: list[_Step],
    report: ApplyReport,
    cancel: threading.Event | None,
    on_progress: ProgressCallback | None,
) -> None:
    notify = on_progress or (lambda progress: None)
    for position, step in enumerate(steps):
        if cancel is not None and cancel.is_set():
            report.cancelled = True
            report.not_run = [later.script.filename for later in steps[position:]]
            return
        version, filename = step.migration.version, step.script.filename
        notify(Progress("started", version, filename, step.direction))
        started = time.perf_counter()
        try:
            upcoming = steps[position + 1].script if position + 1 < len(steps) else None
            _run_step(target, step, upcoming)
        except StatementFailure as failure:
            atomic = target.transactional_ddl and not step.script.no_transaction(target.dialect)
            dirty = not atomic and not failure.nothing_ran
            report.failure = _failure(step, failure, target.dialect, dirty=dirty)
            report.not_run = [later.script.filename for later in steps[position + 1 :]]
            notify(Progress("failed", version, filename, step.direction))
            return
        elapsed = (time.perf_counter() - started) * 1000
        report.steps.append(
            StepResult(version, step.migration.description, filename, step.direction, elapsed)
        )
        notify(Progress("applied", version, filename, step.direction, elapsed))


def _planned(step: _Step, target: Target) -> PlannedMigration:
    script = step.script
    statements = [(s.line, s.text) for s in script.statements(target.dialect)]
    transactional = target.transactional_ddl and not script.no_transaction(target.dialect)
    return PlannedMigration(step.migration.version, script.filename, transactional, statements)


def _history(
    target: Target, files: list[Migration], *, dry_run: bool, lock_wait: float
) -> Sequence[HistoryRow | RecordedRow]:
    """The history rows: read as they are for a dry run, else claimed under the runner lock."""
    if dry_run:
        rows = target.read_history()
        dirty_state(target, rows, files)
        return rows
    return claim(target, files, lock_wait=lock_wait)


def _execute(
    target: Target,
    steps: list[_Step],
    report: ApplyReport,
    timeouts: Timeouts | None,
    cancel: threading.Event | None,
    on_progress: ProgressCallback | None,
) -> None:
    """Plan only for a dry run; otherwise run the steps with the session timeouts set."""
    if report.dry_run:
        report.planned = [_planned(step, target) for step in steps]
        return
    report.notes += target.apply_timeouts(timeouts or Timeouts())
    _run_steps(target, steps, report, cancel, on_progress)
    target.flush()


def apply(
    *,
    target_url: str,
    migrations: MigrationSource,
    scheme: str = "auto",
    commit: str | None = None,
    rollout_id: str | None = None,
    applied_by: str | None = None,
    timeouts: Timeouts | None = None,
    allow_out_of_order: bool = False,
    to_version: str | None = None,
    dry_run: bool = False,
    lock_wait: float = DEFAULT_LOCK_WAIT_SECONDS,
    cancel: threading.Event | None = None,
    on_progress: ProgressCallback | None = None,
) -> ApplyReport:
    """Apply the pending migrations in order, stopping at the first failure.

    A failed migration is reported in ``ApplyReport.failure`` (file, line, statement, the
    database's message). Refusals raise: ValidationRefused (files and history disagree),
    DatabaseDirty (an earlier run needs a person), RunnerLocked (another runner, exit 3).
    ``dry_run`` reads the history if it exists and changes nothing, not even the lock.
    """
    files = load_migrations(migrations, scheme)
    who = applied_by or default_applied_by()
    with connected(target_url) as target:
        report = ApplyReport(target.url.display, dry_run=dry_run)
        rows = _history(target, files, dry_run=dry_run, lock_wait=lock_wait)
        plan = plan_apply(files, rows, allow_out_of_order=allow_out_of_order, to_version=to_version)
        if plan.problems:
            raise ValidationRefused(plan.problems)
        steps = [
            _Step(m, m.up, "up", _entry(m, m.kind, m.up, who, commit, rollout_id))
            for m in plan.pending
        ]
        _execute(target, steps, report, timeouts, cancel, on_progress)
    return report


def rollback(
    *,
    target_url: str,
    migrations: MigrationSource,
    scheme: str = "auto",
    steps: int | None = None,
    to_version: str | None = None,
    commit: str | None = None,
    rollout_id: str | None = None,
    applied_by: str | None = None,
    timeouts: Timeouts | None = None,
    dry_run: bool = False,
    lock_wait: float = DEFAULT_LOCK_WAIT_SECONDS,
    cancel: threading.Event | None = None,
    on_progress: ProgressCallback | None = None,
) -> ApplyReport:
    """Run the down migrations of the newest ``steps`` versions (default 1), or of every
    version above ``to_version``, newest first, removing their history rows."""
    files = load_migrations(migrations, scheme)
    who = applied_by or default_applied_by()
    with connected(target_url) as target:
        report = ApplyReport(target.url.display, dry_run=dry_run)
        rows = _history(target, files, dry_run=dry_run, lock_wait=lock_wait)
        chosen = plan_rollback(files, rows, steps=steps, to_version=to_version)
        plan: list[_Step] = []
        for migration, row in chosen:
            assert migration.down is not None
            down = migration.down
            remove = tuple(r.id for r in _rows_of_version(rows, row))
            entry = _entry(migration, "undo", down, who, commit, rollout_id)
            plan.append(_Step(migration, down, "down", entry, remove))
        _execute(target, plan, report, timeouts, cancel, on_progress)
    return report


def _rows_of_version(rows: Sequence[AnyRow], applied: AnyRow) -> list[AnyRow]:
    return [row for row in rows if row.key == applied.key and row.kind != "repeatable"]


def status(
    *,
    target_url: str,
    migrations: MigrationSource,
    scheme: str = "auto",
    allow_out_of_order: bool = False,
) -> Status:
    """Applied and pending migrations, the dirty state and every problem; reads only."""
    files = load_migrations(migrations, scheme)
    with connected(target_url) as target:
        rows = target.read_history()
        plan = plan_apply(files, rows, allow_out_of_order=allow_out_of_order)
        row = find_dirty(rows)
        dirty = None
        if row is not None:
            dirty = describe_dirty(row, migration_for(row, files), target.dialect)
    pending = [(migration.version, migration.filename) for migration in plan.pending]
    return Status(plan.applied, pending, dirty, plan.problems)
