"""What the runner tells its caller: the report of a run, progress events, the status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, NamedTuple

from app.migrations.history import DirtyState, HistoryRow
from app.migrations.plan import Problem

__all__ = [
    "ApplyReport",
    "MigrationFailure",
    "PlannedMigration",
    "Progress",
    "ProgressCallback",
    "Status",
    "StepResult",
]

Direction = Literal["up", "down"]


class StepResult(NamedTuple):
    """One migration applied (or rolled back) by this run."""

    version: str | None
    description: str
    script: str
    direction: Direction
    duration_ms: float

    def to_dict(self) -> dict[str, object]:
        return {
            "version": self.version,
            "description": self.description,
            "script": self.script,
            "direction": self.direction,
            "duration_ms": round(self.duration_ms, 1),
        }


class MigrationFailure(NamedTuple):
    """The file, line and statement the database refused, and what it said."""

    version: str | None
    script: str
    line: int | None
    statement: str | None
    error: str
    #: True when the database was left needing attention (see ``Status.dirty``); False when
    #: the file's transaction rolled back and nothing of it remains.
    dirty: bool

    def __str__(self) -> str:
        where = f"{self.script} line {self.line}" if self.line else self.script
        statement = f"\n    {self.statement.strip()}" if self.statement else ""
        return f"{where}: {self.error}{statement}"

    def to_dict(self) -> dict[str, object]:
        return {
            "version": self.version,
            "script": self.script,
            "line": self.line,
            "statement": self.statement,
            "error": self.error,
            "dirty": self.dirty,
        }


class PlannedMigration(NamedTuple):
    """A pending migration as a dry run shows it: its statements with their lines."""

    version: str | None
    script: str
    transactional: bool
    statements: list[tuple[int, str]]

    def to_dict(self) -> dict[str, object]:
        return {
            "version": self.version,
            "script": self.script,
            "transactional": self.transactional,
            "statements": [{"line": line, "sql": text} for line, text in self.statements],
        }


class Progress(NamedTuple):
    event: Literal["started", "applied", "failed"]
    version: str | None
    script: str
    direction: Direction
    duration_ms: float | None = None


ProgressCallback = Callable[[Progress], None]

#: ApplyReport's fields in the order of its constructor, as its repr shows them. It is a plain
#: class, not a dataclass, like the value objects above are named tuples: a dataclass is built
#: by generating and compiling code when the module is imported, at every run's start-up.
_REPORT_FIELDS = (
    "target", "steps", "failure", "cancelled", "not_run", "planned", "dry_run", "notes",
)  # fmt: skip


class ApplyReport:
    """What a run did; the runner fills it in as it goes."""

    __slots__ = _REPORT_FIELDS

    def __init__(
        self,
        target: str,
        steps: list[StepResult] | None = None,
        failure: MigrationFailure | None = None,
        cancelled: bool = False,
        not_run: list[str] | None = None,
        planned: list[PlannedMigration] | None = None,
        dry_run: bool = False,
        notes: list[str] | None = None,
    ) -> None:
        self.target = target
        self.steps: list[StepResult] = [] if steps is None else steps
        self.failure = failure
        #: Stopped between files by a cancel request (SIGTERM or the caller's event).
        self.cancelled = cancelled
        #: Files that were due but did not run (after a failure or a cancel).
        self.not_run: list[str] = [] if not_run is None else not_run
        self.planned: list[PlannedMigration] = [] if planned is None else planned
        self.dry_run = dry_run
        self.notes: list[str] = [] if notes is None else notes

    def _values(self) -> tuple[object, ...]:
        return (
            self.target, self.steps, self.failure, self.cancelled, self.not_run, self.planned,
            self.dry_run, self.notes,
        )  # fmt: skip

    def __eq__(self, other: object) -> bool:  # by value, and so unhashable, as it always was
        if not isinstance(other, ApplyReport):
            return NotImplemented
        return self._values() == other._values()

    def __repr__(self) -> str:
        values = zip(_REPORT_FIELDS, self._values(), strict=True)
        return f"ApplyReport({', '.join(f'{name}={value!r}' for name, value in values)})"

    @property
    def ok(self) -> bool:
        return self.failure is None and not self.cancelled

    @property
    def applied(self) -> list[str | None]:
        return [step.version for step in self.steps]

    def to_dict(self) -> dict[str, object]:
        return {
            "target": self.target,
            "ok": self.ok,
            "dry_run": self.dry_run,
            "steps": [step.to_dict() for step in self.steps],
            "failure": self.failure.to_dict() if self.failure else None,
            "cancelled": self.cancelled,
            "not_run": self.not_run,
            "planned": [plan.to_dict() for plan in self.planned],
            "notes": self.notes,
        }


class Status(NamedTuple):
    applied: list[HistoryRow]
    pending: list[tuple[str | None, str]]
    dirty: DirtyState | None
    problems: list[Problem]

    def to_dict(self) -> dict[str, object]:
        return {
            "applied": [row.to_dict() for row in self.applied],
            "pending": [{"version": version, "script": script} for version, script in self.pending],
            "dirty": self.dirty.to_dict() if self.dirty else None,
            "problems": [problem.to_dict() for problem in self.problems],
        }
