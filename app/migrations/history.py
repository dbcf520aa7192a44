"""The history table's rows, and what a dirty row means for the person who has to look."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Literal, NamedTuple, TypeVar

from linters.naming import version_key

if TYPE_CHECKING:
    from app.migrations.files import Migration, Script, ScriptStatement
    from linters.dialects import Dialect

__all__ = [
    "COLUMNS",
    "RECORDED_COLUMNS",
    "AnyRow",
    "DirtyState",
    "HistoryEntry",
    "HistoryKind",
    "HistoryRow",
    "RecordedRow",
    "applied_rows",
    "describe_dirty",
    "find_dirty",
]

#: versioned/repeatable: a file that ran; baseline: recorded without running;
#: undo: a rollback in progress (removed with the version's rows when it completes).
HistoryKind = Literal["versioned", "repeatable", "baseline", "undo"]

#: Column order of every history query, shared by all targets.
COLUMNS = (
    "id", "version", "description", "kind", "script", "checksum", "applied_by", "commit_sha",
    "rollout_id", "started_at", "finished_at", "duration_ms", "success", "statement_index",
    "statement_line", "error",
)  # fmt: skip

#: The columns of a RecordedRow, in its order.
RECORDED_COLUMNS = ("id", "version", "description", "kind", "script", "checksum", "success")

_EXCERPT_LENGTH = 160


class HistoryEntry(NamedTuple):
    """What the runner writes when it starts (or baselines) a migration."""

    version: str | None
    description: str
    kind: HistoryKind
    script: str
    checksum: str | None
    applied_by: str
    commit: str | None = None
    rollout_id: str | None = None

    def values(self) -> tuple[str | None, ...]:
        return (
            self.version, self.description, self.kind, self.script, self.checksum,
            self.applied_by, self.commit, self.rollout_id,
        )  # fmt: skip


class HistoryRow(NamedTuple):
    id: int
    version: str | None
    description: str
    kind: str
    script: str
    checksum: str | None
    applied_by: str
    commit: str | None
    rollout_id: str | None
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None
    #: None while running (or when the runner died), False after a failure.
    success: bool | None
    #: The statement running or failed, 0-based, and its line in the file.
    statement_index: int | None
    statement_line: int | None
    error: str | None

    @classmethod
    def from_record(cls, record: tuple[object, ...]) -> HistoryRow:
        """A row from a record of the :data:`COLUMNS`, in their order."""
        (
            id_, version, description, kind, script, checksum, applied_by, commit, rollout_id,
            started_at, finished_at, duration_ms, success, statement_index, statement_line,
            error,
        ) = record  # fmt: skip
        return cls(
            int(str(id_)),
            _text(version),
            str(description),
            str(kind),
            str(script),
            _text(checksum),
            str(applied_by),
            _text(commit),
            _text(rollout_id),
            _timestamp(started_at),
            _timestamp(finished_at),
            _integer(duration_ms),
            None if success is None else bool(success),
            _integer(statement_index),
            _integer(statement_line),
            _text(error),
        )

    @property
    def key(self) -> tuple[int, ...] | None:
        return version_key(self.version) if self.version else None

    def to_dict(self) -> dict[str, object]:
        return {
            "version": self.version,
            "description": self.description,
            "kind": self.kind,
            "script": self.script,
            "checksum": self.checksum,
            "applied_by": self.applied_by,
            "commit": self.commit,
            "rollout_id": self.rollout_id,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "duration_ms": self.duration_ms,
            "success": self.success,
        }


class RecordedRow(NamedTuple):
    """What a claim reads of every history row: which file ran, its checksum, its outcome.

    Enough to plan a run and to find a dirty row; the dirty row is then read whole
    (:class:`HistoryRow`) to describe it. Reading these columns only skips decoding two
    timestamps and seven other columns of each row, most of a no-op run's history read.
    """

    id: int
    version: str | None
    description: str
    kind: str
    script: str
    checksum: str | None
    success: bool | None

    @classmethod
    def from_record(cls, record: tuple[object, ...]) -> RecordedRow:
        """A row from a record of the :data:`RECORDED_COLUMNS`, in their order."""
        id_, version, description, kind, script, checksum, success = record
        return cls(
            int(str(id_)),
            _text(version),
            str(description),
            str(kind),
            str(script),
            _text(checksum),
            None if success is None else bool(success),
        )

    @property
    def key(self) -> tuple[int, ...] | None:
        return version_key(self.version) if self.version else None


#: A history row as planning sees it: read whole, or only what a claim reads.
AnyRow = TypeVar("AnyRow", bound=HistoryRow | RecordedRow)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _integer(value: object) -> int | None:
    return None if value is None else int(str(value))


def _timestamp(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def applied_rows(rows: Sequence[AnyRow]) -> dict[tuple[int, ...], AnyRow]:
    """The completed row of each applied version (versioned or baseline), by version key."""
    applied: dict[tuple[int, ...], AnyRow] = {}
    for row in rows:
        key = row.key
        if key is not None and row.success and row.kind in ("versioned", "baseline"):
            applied[key] = row
    return applied


def find_dirty(rows: Sequence[AnyRow]) -> AnyRow | None:
    return next((row for row in rows if row.success is not True), None)


class DirtyState(NamedTuple):
    row: HistoryRow
    #: "failed": the runner saw the error; "interrupted": the runner died or lost its session.
    state: Literal["failed", "interrupted"]
    statement: str | None
    explanation: str

    def to_dict(self) -> dict[str, object]:
        return {
            "version": self.row.version,
            "script": self.row.script,
            "kind": self.row.kind,
            "state": self.state,
            "statement_index": self.row.statement_index,
            "line": self.row.statement_line,
            "statement": self.statement,
            "error": self.row.error,
            "started_at": self.row.started_at.isoformat() if self.row.started_at else None,
            "applied_by": self.row.applied_by,
            "explanation": self.explanation,
        }


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _EXCERPT_LENGTH else flat[: _EXCERPT_LENGTH - 3] + "..."


def _script_for(row: HistoryRow, migration: Migration | None) -> Script | None:
    if migration is None:
        return None
    if row.kind == "undo":
        return migration.down
    return migration.up if row.checksum in (None, migration.checksum) else None


def _statement_lines(statements: list[ScriptStatement]) -> list[str]:
    return [f"    line {s.line}: {_excerpt(s.text)}" for s in statements]


def describe_dirty(row: HistoryRow, migration: Migration | None, dialect: Dialect) -> DirtyState:
    """Say what state the database is in and what a person must check before resolving.

    The runner notes each statement before running it, durably before any of its effects, so
    the row names the last statement whose effects may be present; every statement before it
    completed and nothing after it is in effect.
    """
    state: Literal["failed", "interrupted"] = "interrupted" if row.success is None else "failed"
    action = "rollback of" if row.kind == "undo" else "migration"
    what = f"{action} {row.version or row.description} ({row.script})"
    script = _script_for(row, migration)
    statements = script.statements(dialect) if script is not None else []
    index = row.statement_index
    lines = [f"the database needs attention: {what} {state}"]
    current: str | None = None
    if script is None:
        lines.append(
            "  the local file is missing or differs from the one that ran: compare the schema "
            f"with the file as it was at commit {row.commit or '(unknown)'}"
        )
        if row.error:
            lines.append(f"  the database said: {row.error}")
    elif index is None or not 0 <= index < len(statements):
        lines.append("  before its first statement started: none of it is in effect")
    else:
        current = statements[index].text
        where = f"statement {index + 1} of {len(statements)} (line {statements[index].line})"
        if state == "failed":
            lines[0] += f" at {where}"
        else:
            lines[0] += f"; the last statement that may have taken effect is {where}"
        lines.append(f"    {_excerpt(current)}")
        if row.error:
            lines.append(f"  the database said: {row.error}")
        done = _statement_lines(statements[:index])
        later = _statement_lines(statements[index + 1 :])
        lines.append("  in effect (completed):" if done else "  no statement completed before it")
        lines.extend(done)
        if state == "interrupted":
            lines.append("  the statement above may or may not have taken effect: check it")
        else:
            lines.append("  the statement above failed (a failed DDL statement changes nothing)")
        lines.append("  not in effect:" if later else "  it is the file's last statement")
        lines.extend(later)
    if state == "interrupted":
        lines.append(
            "  a killed runner's session may still be running on the server: let it end or "
            "kill it (pg_stat_activity, SHOW PROCESSLIST) before you check"
        )
    target = "the version is rolled back" if row.kind == "undo" else "the whole file is in effect"
    name = row.version or row.script
    lines += [
        "Check the schema, then finish or undo the file's statements by hand, and record it:",
        f"  schemabot migrate resolve --version {name} --applied      ({target})",
        f"  schemabot migrate resolve --version {name} --not-applied  (none of it is)",
    ]
    return DirtyState(row, state, current, "\n".join(lines))
