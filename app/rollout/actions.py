"""Approve, retry, cancel: what people decide about a rollout, whichever way they say it (a
pull request comment now, the API later). Keyword-only, and each one audited, done or refused.

The caller says who acts and with which role on the repository, asked from the forge at that
moment (never cached: someone who lost access an hour ago cannot approve now). A decision that
changes nothing raises :class:`ActionRefused` with the reason, for a reply.
"""

from __future__ import annotations

import asyncio

from app.config import Config, Environment, Repository
from app.forges.base import Permission
from app.rollout.gates import approval_refusal, cancel_refusal
from app.rollout.service import RolloutQueue, wake_rollout
from app.store import RolloutRecord, Store
from app.store.rollout_records import ACTIVE, now

__all__ = ["ActionRefused", "approve", "cancel", "retry"]


class ActionRefused(Exception):
    """Nothing happened; the message says why."""


async def _audit(
    store: Store, rollout: RolloutRecord, *, actor: str, verb: str, done: bool, **detail: object
) -> None:
    await asyncio.to_thread(
        store.audit.record,
        actor=actor,
        action=f"command.{verb}" if done else f"command.{verb}.refused",
        subject=rollout.subject,
        detail={"commit": rollout.commit_sha, **detail},
    )


def _repository(config: Config, rollout: RolloutRecord) -> Repository:
    repository = config.repository(rollout.forge, rollout.repository)
    if repository is None:
        raise ActionRefused(f"{rollout.repository} is no longer configured on this server")
    return repository


def _environment(repository: Repository, name: str) -> Environment:
    for environment in repository.environments:
        if environment.name == name:
            return environment
    names = ", ".join(f"`{env.name}`" for env in repository.environments)
    raise ActionRefused(f"there is no environment `{name}` (this repository has {names})")


async def _not_superseded(store: Store, rollout: RolloutRecord, verb: str) -> None:
    if rollout.status != "superseded" or rollout.superseded_by is None:
        return
    successor = await asyncio.to_thread(store.rollouts.get, rollout.superseded_by)
    where = f"`{successor.short_sha}`" if successor else "a newer commit"
    if successor is not None and successor.pull_number is not None:
        where += f" (#{successor.pull_number})"
    raise ActionRefused(
        f"this pull request's rollout was superseded by the rollout of {where}, which carries"
        f" its migrations on: {verb} there"
    )


async def approve(
    *,
    config: Config,
    store: Store,
    queue: RolloutQueue,
    rollout: RolloutRecord,
    environment: str,
    username: str,
    permission: Permission,
) -> str:
    """Open the approval gate of ``environment``, where the rollout waits."""
    try:
        target = _environment(_repository(config, rollout), environment)
        refusal = approval_refusal(target, username=username, permission=permission)
        if refusal is not None:
            raise ActionRefused(refusal)
        if not target.approval:
            raise ActionRefused(f"`{environment}` needs no approval")
        await _not_superseded(store, rollout, "approve")
        steps = await asyncio.to_thread(store.rollouts.steps, rollout.id)
        step = next((s for s in steps if s.environment == environment), None)
        if rollout.status != "waiting" or step is None or step.status != "waiting":
            raise ActionRefused(
                f"`{environment}` is not waiting for an approval (the rollout is"
                f" {rollout.status}); approve it when the report says it waits"
            )
        added = await asyncio.to_thread(
            store.approvals.add,
            rollout_id=rollout.id,
            environment=environment,
            username=username,
            permission=permission.name.lower(),
        )
        if not added:
            approvals = await asyncio.to_thread(store.approvals.of_rollout, rollout.id)
            raise ActionRefused(
                f"`{environment}` was already approved by @{approvals[environment].username}"
            )
    except ActionRefused as refused:
        await _audit(
            store,
            rollout,
            actor=username,
            verb="approve",
            done=False,
            environment=environment,
            reason=str(refused),
        )
        raise
    await _audit(
        store,
        rollout,
        actor=username,
        verb="approve",
        done=True,
        environment=environment,
        permission=permission.name.lower(),
    )
    await wake_rollout(store=store, queue=queue, rollout_id=rollout.id)
    return f"approved `{environment}`"


async def retry(
    *,
    config: Config,
    store: Store,
    queue: RolloutQueue,
    rollout: RolloutRecord,
    environment: str,
    username: str,
    permission: Permission,
) -> str:
    """Run the failed environment again with the newest commit of the deploy branch schemabot
    knows: the failed rollout itself, or a newer merge waiting behind it (which then supersedes
    it and starts from its first environment). Needs the rights to approve that environment."""
    rollouts = store.rollouts
    try:
        target = _environment(_repository(config, rollout), environment)
        refusal = approval_refusal(target, username=username, permission=permission)
        if refusal is not None:
            raise ActionRefused(refusal)
        await _not_superseded(store, rollout, "retry")
        failed = rollout
        if rollout.waiting_for == "rollout" and rollout.blocked_by is not None:
            blocker = await asyncio.to_thread(rollouts.get, rollout.blocked_by)
            failed = blocker if blocker is not None else rollout
        if failed.status != "failed":
            raise ActionRefused(
                f"nothing to retry: the rollout of this pull request is {rollout.status}"
            )
        steps = await asyncio.to_thread(rollouts.steps, failed.id)
        failed_step = next((s for s in steps if s.status == "failed"), None)
        if failed_step is None or failed_step.environment != environment:
            where = failed_step.environment if failed_step else "another step"
            raise ActionRefused(
                f"the rollout failed in `{where}`, not `{environment}`: comment"
                f" `/schemabot retry {where}`"
            )
        if await asyncio.to_thread(rollouts.change_status, failed.id, when=("failed",),
                                   status="queued") is None:  # fmt: skip
            raise ActionRefused("the rollout moved on meanwhile; look at its report")
    except ActionRefused as refused:
        await _audit(
            store,
            rollout,
            actor=username,
            verb="retry",
            done=False,
            environment=environment,
            reason=str(refused),
        )
        raise
    await asyncio.to_thread(rollouts.reset_step, failed.id, environment, when=("failed",))
    await _audit(store, failed, actor=username, verb="retry", done=True, environment=environment)
    active = await asyncio.to_thread(
        rollouts.of_repository, failed.forge, failed.repository, statuses=ACTIVE
    )
    # The newest merge goes on: it supersedes the failed rollout if it is not that one.
    newest = active[-1].id if active else failed.id
    await wake_rollout(store=store, queue=queue, rollout_id=newest)
    if newest != failed.id:
        await wake_rollout(store=store, queue=queue, rollout_id=failed.id)
    return f"retrying `{environment}`"


async def cancel(
    *,
    store: Store,
    queue: RolloutQueue,
    rollout: RolloutRecord,
    username: str,
    permission: Permission,
) -> str:
    """Stop the rollout: at once when it waits, after the running migration when one runs."""
    rollouts = store.rollouts
    stopped = None
    try:
        refusal = cancel_refusal(username=username, permission=permission)
        if refusal is not None:
            raise ActionRefused(refusal)
        await _not_superseded(store, rollout, "cancel")
        if rollout.status in ("succeeded", "cancelled"):
            raise ActionRefused(f"the rollout is already {rollout.status}")
        stopped = await asyncio.to_thread(
            rollouts.change_status,
            rollout.id,
            when=("queued", "waiting", "failed"),
            status="cancelled",
            cancel_requested_by=username,
            waiting_for=None,
            wait_until=None,
            finished_at=now(),
        )
        # Running: the migration in progress finishes, the runner stops before the next one.
        if stopped is None and await asyncio.to_thread(
            rollouts.change_status, rollout.id, when=("running",), cancel_requested_by=username
        ) is None:  # fmt: skip
            raise ActionRefused("the rollout moved on meanwhile; look at its report")
    except ActionRefused as refused:
        await _audit(store, rollout, actor=username, verb="cancel", done=False, reason=str(refused))
        raise
    await _audit(store, rollout, actor=username, verb="cancel", done=True, running=stopped is None)
    await wake_rollout(store=store, queue=queue, rollout_id=rollout.id)
    return "cancelled the rollout" if stopped else "cancelling after the running migration"
