"""What the store says about a rollout and its steps, as plain records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "ACTIVE",
    "FINISHED",
    "RolloutRecord",
    "StepRecord",
    "aware",
    "now",
    "rollout_record",
    "step_record",
]

#: Statuses of a rollout that still has work or a decision ahead of it.
ACTIVE = ("queued", "running", "waiting")
#: Statuses nothing moves a rollout out of (``failed`` moves on with a retry).
FINISHED = ("succeeded", "cancelled", "superseded")


def now() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; everything here is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


@dataclass(frozen=True)
class RolloutRecord:
    id: int
    forge: str
    repository: str
    commit_sha: str
    branch: str
    pull_number: int | None
    trigger: str
    status: str
    waiting_for: str | None
    wait_until: datetime | None
    blocked_by: int | None
    superseded_by: int | None
    cancel_requested_by: str | None
    wakes: int
    lease_holder: str | None
    lease_expires_at: datetime | None
    #: What the forge was last told: ``{"comment": digest, "statuses": {"sha|context": ...}}``.
    reported: dict[str, Any]
    report_due_at: datetime | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @property
    def short_sha(self) -> str:
        return self.commit_sha[:7]

    @property
    def subject(self) -> str:
        """The audit log's subject for everything about this rollout."""
        return f"rollout:{self.id}"


@dataclass(frozen=True)
class StepRecord:
    rollout_id: int
    environment: str
    position: int
    status: str
    applied: list[dict[str, Any]]
    pending: list[str] | None
    current_script: str | None
    failure: dict[str, Any] | None
    attempts: int
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None


def rollout_record(row: Any) -> RolloutRecord:
    return RolloutRecord(
        id=row["id"],
        forge=row["forge"],
        repository=row["repository"],
        commit_sha=row["commit_sha"],
        branch=row["branch"],
        pull_number=row["pull_number"],
        trigger=row["trigger"],
        status=row["status"],
        waiting_for=row["waiting_for"],
        wait_until=aware(row["wait_until"]),
        blocked_by=row["blocked_by"],
        superseded_by=row["superseded_by"],
        cancel_requested_by=row["cancel_requested_by"],
        wakes=row["wakes"],
        lease_holder=row["lease_holder"],
        lease_expires_at=aware(row["lease_expires_at"]),
        reported=dict(row["reported"] or {}),
        report_due_at=aware(row["report_due_at"]),
        created_at=aware(row["created_at"]) or now(),
        updated_at=aware(row["updated_at"]) or now(),
        finished_at=aware(row["finished_at"]),
    )


def step_record(row: Any) -> StepRecord:
    return StepRecord(
        rollout_id=row["rollout_id"],
        environment=row["environment"],
        position=row["position"],
        status=row["status"],
        applied=list(row["applied"] or []),
        pending=row["pending"],
        current_script=row["current_script"],
        failure=row["failure"],
        attempts=row["attempts"],
        started_at=aware(row["started_at"]),
        finished_at=aware(row["finished_at"]),
        duration_ms=row["duration_ms"],
    )
