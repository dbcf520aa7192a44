"""Tell the forge where a rollout stands: its comment on the pull request and its statuses.

Only the job holding a rollout's lease publishes it, so two jobs never edit one comment in turn
with different states. What was written is remembered in the store, and a rerun writes only
what changed (GitHub asks for a second between writes). A write the forge refused is tried
again by the next publish, or by a sweep ``report_retry_seconds`` later.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import structlog

from app.config import Config, Repository
from app.forges.base import Forge, ForgeError
from app.rollout.report import (
    ROLLOUT_MARKER,
    CarriedRollout,
    RolloutView,
    render_comment,
    statuses,
)
from app.store import Store
from app.store.rollout_records import now

__all__ = ["load_view", "publish", "rollout_url"]

log = structlog.get_logger(__name__)


def rollout_url(config: Config, rollout_id: int) -> str:
    return f"{config.server.public_url.rstrip('/')}/rollouts/{rollout_id}"


def load_view(
    *, store: Store, config: Config, repository: Repository, rollout_id: int
) -> RolloutView:
    rollouts = store.rollouts
    rollout = rollouts.get(rollout_id)
    if rollout is None:
        raise LookupError(f"rollout {rollout_id} does not exist")
    carried = [
        CarriedRollout(
            older,
            frozenset(s.environment for s in rollouts.steps(older.id) if s.status == "succeeded"),
        )
        for older in rollouts.superseded_into(rollout_id)
    ]
    return RolloutView(
        rollout=rollout,
        steps=rollouts.steps(rollout_id),
        approvals=store.approvals.of_rollout(rollout_id),
        environments={environment.name: environment for environment in repository.environments},
        url=rollout_url(config, rollout_id),
        successor=rollouts.get(rollout.superseded_by) if rollout.superseded_by else None,
        blocker=rollouts.get(rollout.blocked_by) if rollout.blocked_by else None,
        carried=carried,
    )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def publish(
    *, forge: Forge, store: Store, view: RolloutView, holder: str, retry_after: timedelta
) -> bool:
    """Write what changed since the last publish; False when the forge refused a write (a
    sweep wakes the rollout to try again ``retry_after`` later)."""
    rollout = view.rollout
    reported = dict(rollout.reported)
    written: dict[str, str] = dict(reported.get("statuses") or {})
    complete = True
    if rollout.pull_number is not None:
        body = render_comment(view)
        digest = _digest(body)
        if reported.get("comment") != digest:
            try:
                forge.upsert_comment(
                    rollout.repository, rollout.pull_number, marker=ROLLOUT_MARKER, body=body
                )
                reported["comment"] = digest
            except ForgeError as error:
                complete = False
                log.warning("rollout.comment_failed", rollout=rollout.id, error=str(error))
    for sha, status in statuses(view):
        key = f"{sha}|{status.context}"
        value = f"{status.state}|{status.description}"
        if written.get(key) == value:
            continue
        try:
            forge.set_status(rollout.repository, sha, status)
            written[key] = value
        except ForgeError as error:
            complete = False
            log.warning(
                "rollout.status_failed",
                rollout=rollout.id,
                context=status.context,
                error=str(error),
            )
    reported["statuses"] = written
    store.rollouts.update(
        rollout.id,
        holder=holder,
        reported=reported,
        report_due_at=None if complete else now() + retry_after,
    )
    return complete
