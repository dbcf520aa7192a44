"""What a shadow run found: per statement its duration, error, locks and rewrites; the seed; the
schema diff; and the run's outcome as a whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from app.migrations.target_url import Engine
from app.shadow.schema import SchemaChange
from linters.finding import Span

__all__ = [
    "LockTaken",
    "Rewrite",
    "RunStatus",
    "SeedResult",
    "ShadowReport",
    "StatementRun",
]

#: skipped: no run (a fork, no new migrations, ...; ``reason`` says why); base-failed: the base
#: branch's migrations do not apply to an empty database, so the pull request's were not tried;
#: failed: a statement of the pull request failed; applied: everything applied; unavailable: the
#: shadow server could not be used (or the files could not be read), ``reason`` says what.
RunStatus = Literal["skipped", "base-failed", "failed", "applied", "unavailable"]


@dataclass(frozen=True, slots=True)
class LockTaken:
    """A lock a statement took on a relation that existed before the pull request's migrations."""

    relation: str
    #: table, partitioned table, index, view, materialized view, sequence, foreign table.
    kind: str
    #: As the database names it: ``ACCESS EXCLUSIVE`` (PostgreSQL), ``LOCK=SHARED`` (MariaDB).
    mode: str
    blocks_reads: bool
    blocks_writes: bool
    #: From the statement's start until its transaction ended; None when unknown.
    held_ms: float | None = None

    @property
    def meaning(self) -> str:
        if self.blocks_reads and self.blocks_writes:
            return "blocks reads and writes"
        if self.blocks_writes:
            return "blocks writes (reads go on)"
        if self.blocks_reads:
            return "blocks reads"
        return "blocks neither reads nor writes"


@dataclass(frozen=True, slots=True)
class Rewrite:
    """A table whose storage was replaced by a statement: every row was copied."""

    table: str
    #: Rows in the table after the statement.
    rows: int


@dataclass
class StatementRun:
    """One statement of the pull request's migrations on the scratch database."""

    path: str
    #: 0-based position in its file.
    index: int
    span: Span
    text: str
    #: None when the statement was not reached (an earlier one failed).
    duration_ms: float | None = None
    error: str | None = None
    timed_out: bool = False
    locks: list[LockTaken] = field(default_factory=list)
    #: False when the locks could not be read (statements run outside a transaction).
    locks_captured: bool = True
    #: Why locks were not captured, or what the capture means here.
    locks_note: str = ""
    rewrites: list[Rewrite] = field(default_factory=list)

    @property
    def line(self) -> int:
        return self.span.line


@dataclass
class SeedResult:
    """Rows generated before the pull request's migrations (``shadow_rows``)."""

    #: Table -> rows inserted.
    seeded: dict[str, int] = field(default_factory=dict)
    #: Table -> why it was left empty.
    skipped: dict[str, str] = field(default_factory=dict)
    duration_ms: float = 0.0


@dataclass
class ShadowReport:
    status: RunStatus
    #: Why the run was skipped or could not try the pull request's migrations.
    reason: str = ""
    engine: Engine | None = None
    #: The scratch database's name (dropped by the time the report is read).
    database: str | None = None
    #: Migrations of the base branch applied first.
    base_migrations: int = 0
    #: The pull request's migration files tried, in order.
    files: list[str] = field(default_factory=list)
    statements: list[StatementRun] = field(default_factory=list)
    changes: list[SchemaChange] = field(default_factory=list)
    seed: SeedResult | None = None
    #: Notes on limits of this run (a server without a setting, ...).
    notes: list[str] = field(default_factory=list)
    duration_ms: float = 0.0

    @property
    def failure(self) -> StatementRun | None:
        return next((run for run in self.statements if run.error is not None), None)

    @property
    def ran(self) -> list[StatementRun]:
        """The statements that were run (up to and including a failed one)."""
        return [run for run in self.statements if run.duration_ms is not None]

    @property
    def completed(self) -> list[StatementRun]:
        """The statements of files that applied whole: what a failed file did before its
        failure is the author's to redo, and the failure is what to report on it."""
        failure = self.failure
        failed = failure.path if failure is not None else None
        return [run for run in self.ran if run.path != failed]
