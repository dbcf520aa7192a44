"""What the runner tells its caller: the report of a run, progress events, the status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

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


@dataclass(frozen=True, slots=True)
class StepResult:
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


@dataclass(frozen=True, slots=True)
class MigrationFailure:
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


@dataclass(frozen=True, slots=True)
class PlannedMigration:
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


@dataclass(frozen=True, slots=True)
class Progress:
    event: Literal["started", "applied", "failed"]
    version: str | None
    script: str
    direction: Direction
    duration_ms: float | None = None


ProgressCallback = Callable[[Progress], None]


@dataclass
class ApplyReport:
    target: str
    steps: list[StepResult] = field(default_factory=list)
    failure: MigrationFailure | None = None
    #: Stopped between files by a cancel request (SIGTERM or the caller's event).
    cancelled: bool = False
    #: Files that were due but did not run (after a failure or a cancel).
    not_run: list[str] = field(default_factory=list)
    planned: list[PlannedMigration] = field(default_factory=list)
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)

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


@dataclass
class Status:
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
