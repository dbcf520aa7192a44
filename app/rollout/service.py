"""Keyword-only functions that start, run, wake and recover rollouts: what jobs, the command
line and the API call. Commands from comments are in :mod:`app.rollout.command_handling`.

Everything that changes a rollout from outside ends with :func:`wake_rollout`: the rollout's
own job (holding its lease) then reports the change, so only one job ever writes its comment.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol

import structlog

from app.config import Config
from app.forges.base import Forge
from app.rollout.engine import RolloutRun
from app.rollout.lease import Lease
from app.rollout.timing import RolloutTiming
from app.store import RolloutRecord, Store

__all__ = [
    "ROLLOUT_JOB",
    "RolloutQueue",
    "resume_unfinished",
    "rollout_job_id",
    "run_rollout",
    "start_rollout",
    "sweep",
    "wake_rollout",
]

log = structlog.get_logger(__name__)

#: The job that moves a rollout on; each wake-up queues one with its own id (see rollout_job_id).
ROLLOUT_JOB = "rollout"


class RolloutQueue(Protocol):
    async def enqueue(self, kind: str, *, job_id: str, payload: dict[str, Any]) -> bool: ...


def rollout_job_id(rollout_id: int, wakes: int) -> str:
    """A new id per wake-up: arq refuses an id it has kept a result for (an hour), and a rollout
    is woken many times; duplicates of one wake-up still collapse."""
    return f"{ROLLOUT_JOB}:{rollout_id}:{wakes}"


async def wake_rollout(
    *, store: Store, queue: RolloutQueue, rollout_id: int, throttle: timedelta | None = None
) -> bool:
    """Count a wake-up and queue a job for it; False when ``throttle`` says it was just done."""
    wakes = await asyncio.to_thread(store.rollouts.wake, rollout_id, throttle=throttle)
    if wakes is None:
        return False
    await queue.enqueue(
        ROLLOUT_JOB, job_id=rollout_job_id(rollout_id, wakes), payload={"rollout_id": rollout_id}
    )
    return True


async def start_rollout(
    *,
    config: Config,
    store: Store,
    queue: RolloutQueue,
    forge: Forge,
    repository: str,
    branch: str,
    commit_sha: str,
    pull_number: int | None,
    trigger: str,
) -> RolloutRecord | None:
    """The rollout of a commit on the deploy branch: created once, whatever the number of events
    announcing it, and woken. None when the commit is not for us (another branch, a repository
    that is not configured, a pull request the forge says is not merged there)."""
    configured = config.repository(forge.name, repository)
    if configured is None or branch != configured.deploy_branch:
        log.info("rollout.ignored", repository=repository, branch=branch, commit=commit_sha)
        return None
    if pull_number is not None:
        # Fresh from the forge, not what the event said: merged, into the deploy branch, and
        # the commit that landed there (squash, rebase and fast-forward merges differ).
        pull = await asyncio.to_thread(forge.pull_request, repository, pull_number)
        if pull.state != "merged" or pull.base_branch != branch or not pull.merge_sha:
            log.warning("rollout.not_merged", repository=repository, number=pull_number)
            return None
        commit_sha = pull.merge_sha
    rollout, change = await asyncio.to_thread(
        store.rollouts.create,
        forge=forge.name,
        repository=configured.name,
        commit_sha=commit_sha,
        branch=branch,
        environments=[environment.name for environment in configured.environments],
        pull_number=pull_number,
        trigger=trigger,
    )
    if change is None:
        return rollout  # announced again: the one rollout of this commit goes on as it was
    await asyncio.to_thread(
        store.audit.record,
        actor="schemabot",
        action="rollout.created" if change == "created" else "rollout.pull_request",
        subject=rollout.subject,
        detail={"commit": commit_sha, "trigger": trigger, "pull_request": pull_number},
    )
    # A new rollout starts; one that just learned its pull request reports there too.
    await wake_rollout(store=store, queue=queue, rollout_id=rollout.id)
    return rollout


async def run_rollout(
    *,
    config: Config,
    store: Store,
    queue: RolloutQueue,
    forge_for: Callable[[str], Forge],
    rollout_id: int,
    timing: RolloutTiming | None = None,
) -> None:
    """Move a rollout on as far as it can go now (the rollout job)."""
    timing = timing or RolloutTiming()
    record = await asyncio.to_thread(store.rollouts.get, rollout_id)
    if record is None:
        return
    repository = config.repository(record.forge, record.repository)
    if repository is None:
        log.warning("rollout.unconfigured", rollout=rollout_id, repository=record.repository)
        return
    acquired = await Lease.acquire(store=store, rollout_id=rollout_id, timing=timing)
    if acquired is None:
        # Another job holds it and renews its lease: that job sees whatever woke this one.
        log.info("rollout.held_elsewhere", rollout=rollout_id)
        return
    lease, _ = acquired

    async def wake(other: int) -> None:
        await wake_rollout(store=store, queue=queue, rollout_id=other)

    async with lease:
        await RolloutRun(
            config=config,
            store=store,
            forge=forge_for(record.forge),
            repository=repository,
            lease=lease,
            timing=timing,
            wake=wake,
        ).run()


async def resume_unfinished(*, store: Store, queue: RolloutQueue) -> int:
    """Queue a job for every rollout that was queued, running or waiting: at startup, so a
    queue that lost its jobs (Redis flushed, a crash) loses no rollout."""
    unfinished = await asyncio.to_thread(store.rollouts.unfinished)
    for rollout in unfinished:
        await wake_rollout(store=store, queue=queue, rollout_id=rollout.id)
    if unfinished:
        log.info("rollout.resumed", rollouts=[rollout.id for rollout in unfinished])
    return len(unfinished)


async def sweep(*, store: Store, queue: RolloutQueue, timing: RolloutTiming) -> int:
    """Wake rollouts whose job died (expired lease) or whose wait is over (soak, database lock,
    a report to write again). Every process sweeps; each rollout is woken once per round."""
    throttle = timedelta(seconds=2 * timing.sweep_seconds)
    woken = 0
    for rollout_id in await asyncio.to_thread(store.rollouts.due, throttle=throttle):
        if await wake_rollout(store=store, queue=queue, rollout_id=rollout_id, throttle=throttle):
            woken += 1
    if woken:
        log.info("rollout.swept", woken=woken)
    return woken
