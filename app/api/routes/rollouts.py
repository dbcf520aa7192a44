"""``GET /api/rollouts`` and ``GET /api/rollouts/{id}``: rollouts, steps, approvals, errors."""

from __future__ import annotations

import asyncio
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel

from app.api.auth import ReaderDep
from app.api.deps import ConfigDep, StoreDep
from app.api.queries import QueriesDep
from app.api.routes.errors import error_responses
from app.api.routes.ids import RolloutIdPath
from app.config import Config
from app.store import ApprovalRecord, RolloutRecord, StepRecord, Store
from app.store.rollout_records import aware

__all__ = [
    "RolloutPage",
    "RolloutStatus",
    "RolloutSummary",
    "RolloutView",
    "StepView",
    "load_rollout",
    "rollout_summary",
    "router",
]

router = APIRouter(tags=["rollouts"])

#: Audit entries shown with a rollout: its whole story fits in far fewer.
AUDIT_ENTRIES = 200


class RolloutStatus(StrEnum):
    queued = "queued"
    running = "running"
    waiting = "waiting"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"
    superseded = "superseded"


class AppliedMigration(BaseModel):
    script: str
    version: str | None
    duration_ms: float | None


class StepFailure(BaseModel):
    """Why a step failed: the file, line and statement the database refused, and its words."""

    #: migration (a statement failed), refused (validation), dirty, files, error
    kind: str
    error: str
    script: str | None
    version: str | None
    line: int | None
    statement: str | None
    #: The database was left needing a person (see the environment's ``dirty``).
    dirty: bool
    problems: list[str]


class Approval(BaseModel):
    username: str
    permission: str
    approved_at: datetime


class StepView(BaseModel):
    environment: str
    position: int
    #: pending | waiting | running | succeeded | failed | cancelled | skipped
    status: str
    #: The environment asks for an approval before it runs (from the server config now).
    needs_approval: bool
    approval: Approval | None
    applied: list[AppliedMigration]
    #: What was pending when the step stopped at its gate: what an approver approves.
    pending: list[str] | None
    current_script: str | None
    failure: StepFailure | None
    attempts: int
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None


class RolloutSummary(BaseModel):
    id: int
    forge: str
    repository: str
    commit_sha: str
    branch: str
    pull_number: int | None
    trigger: str
    status: str
    #: approval | soak | database-lock | rollout (behind an older one), while waiting
    waiting_for: str | None
    wait_until: datetime | None
    blocked_by: int | None
    superseded_by: int | None
    cancel_requested_by: str | None
    #: The first environment not yet done, or null when none is left.
    current_environment: str | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


class AuditEvent(BaseModel):
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]


class RolloutView(RolloutSummary):
    steps: list[StepView]
    #: What happened, newest first: steps started and finished, approvals, commands.
    events: list[AuditEvent]


class RolloutPage(BaseModel):
    items: list[RolloutSummary]
    total: int
    limit: int
    offset: int


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _failure(raw: dict[str, Any] | None) -> StepFailure | None:
    if not isinstance(raw, dict):
        return None
    problems = raw.get("problems")
    return StepFailure(
        kind=str(raw.get("kind", "error")),
        error=str(raw.get("error", "")),
        script=_text(raw.get("script")),
        version=_text(raw.get("version")),
        line=_int_or_none(raw.get("line")),
        statement=_text(raw.get("statement")),
        dirty=bool(raw.get("dirty", raw.get("kind") == "dirty")),
        problems=[str(problem) for problem in problems] if isinstance(problems, list) else [],
    )


def _applied(raw: Any) -> AppliedMigration | None:
    if not isinstance(raw, dict):
        return None
    duration = raw.get("duration_ms")
    return AppliedMigration(
        script=str(raw.get("script", "")),
        version=_text(raw.get("version")),
        duration_ms=float(duration) if isinstance(duration, int | float) else None,
    )


def _current_environment(steps: list[StepRecord]) -> str | None:
    active = (step for step in steps if step.status not in ("succeeded", "skipped"))
    return next((step.environment for step in active), None)


def rollout_summary(rollout: RolloutRecord, steps: list[StepRecord]) -> RolloutSummary:
    return RolloutSummary(
        id=rollout.id,
        forge=rollout.forge,
        repository=rollout.repository,
        commit_sha=rollout.commit_sha,
        branch=rollout.branch,
        pull_number=rollout.pull_number,
        trigger=rollout.trigger,
        status=rollout.status,
        waiting_for=rollout.waiting_for,
        wait_until=rollout.wait_until,
        blocked_by=rollout.blocked_by,
        superseded_by=rollout.superseded_by,
        cancel_requested_by=rollout.cancel_requested_by,
        current_environment=_current_environment(steps),
        created_at=rollout.created_at,
        updated_at=rollout.updated_at,
        finished_at=rollout.finished_at,
    )


def _step(step: StepRecord, approval: ApprovalRecord | None, needs_approval: bool) -> StepView:
    return StepView(
        environment=step.environment,
        position=step.position,
        status=step.status,
        needs_approval=needs_approval,
        approval=Approval(
            username=approval.username,
            permission=approval.permission,
            approved_at=approval.approved_at,
        )
        if approval is not None
        else None,
        applied=[item for item in map(_applied, step.applied) if item is not None],
        pending=[str(script) for script in step.pending] if step.pending is not None else None,
        current_script=step.current_script,
        failure=_failure(step.failure),
        attempts=step.attempts,
        started_at=step.started_at,
        finished_at=step.finished_at,
        duration_ms=step.duration_ms,
    )


def _gated(config: Config, rollout: RolloutRecord) -> set[str]:
    repository = config.repository(rollout.forge, rollout.repository)
    if repository is None:
        return set()
    return {environment.name for environment in repository.environments if environment.approval}


def load_rollout(store: Store, config: Config, rollout_id: int) -> RolloutView | None:
    """The rollout with its steps, approvals and audit trail (blocking: call in a thread)."""
    rollout = store.rollouts.get(rollout_id)
    if rollout is None:
        return None
    steps = store.rollouts.steps(rollout_id)
    approvals = store.approvals.of_rollout(rollout_id)
    gated = _gated(config, rollout)
    entries = store.audit.entries(subject=rollout.subject, limit=AUDIT_ENTRIES)
    return RolloutView(
        **rollout_summary(rollout, steps).model_dump(),
        steps=[
            _step(step, approvals.get(step.environment), step.environment in gated)
            for step in steps
        ],
        events=[
            AuditEvent(
                at=aware(entry.at) or entry.at,
                actor=entry.actor,
                action=entry.action,
                detail=dict(entry.detail),
            )
            for entry in entries
        ],
    )


@router.get("/rollouts", response_model=RolloutPage, responses=error_responses())
async def list_rollouts(
    principal: ReaderDep,
    queries: QueriesDep,
    repository: Annotated[
        str | None,
        Query(max_length=255, description="Only this repository (owner/name), any case"),
    ] = None,
    rollout_status: Annotated[
        list[RolloutStatus] | None,
        Query(alias="status", description="Only rollouts in these statuses (repeatable)"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> RolloutPage:
    """Rollouts newest first, filtered by repository and status, a page at a time."""
    statuses = [item.value for item in rollout_status or []]
    page = await asyncio.to_thread(
        queries.rollouts, repository=repository, statuses=statuses, limit=limit, offset=offset
    )
    steps = await asyncio.to_thread(queries.steps_of, [rollout.id for rollout in page.items])
    return RolloutPage(
        items=[rollout_summary(rollout, steps[rollout.id]) for rollout in page.items],
        total=page.total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/rollouts/{rollout_id}",
    response_model=RolloutView,
    responses=error_responses(status.HTTP_404_NOT_FOUND),
)
async def get_rollout(
    principal: ReaderDep, store: StoreDep, config: ConfigDep, rollout_id: RolloutIdPath
) -> RolloutView:
    """One rollout: each environment's step with timings, what it applied, the failing
    statement and error, who approved; and the audit trail."""
    view = await asyncio.to_thread(load_rollout, store, config, rollout_id)
    if view is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no rollout {rollout_id}")
    return view
