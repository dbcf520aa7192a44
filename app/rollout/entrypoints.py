"""The rollout's job functions, as the queue calls them: unpack the payload, call the service.

Three jobs: ``rollout-start`` (an event announced a commit on the deploy branch),
``rollout-command`` (a comment holds a command) and ``rollout`` (move one rollout on).
"""

from __future__ import annotations

from typing import Any, Protocol

from app.config import Config
from app.forges.base import Forge
from app.rollout.comment_commands import handle_comment
from app.rollout.service import RolloutQueue, run_rollout, start_rollout
from app.store import Store

__all__ = ["RolloutJobContext", "rollout_command_job", "rollout_job", "rollout_start_job"]


class RolloutJobContext(Protocol):
    """What the rollout jobs need from the queue's job context."""

    @property
    def config(self) -> Config: ...

    @property
    def store(self) -> Store: ...

    @property
    def queue(self) -> RolloutQueue | None: ...

    def forge(self, name: str) -> Forge: ...


def _queue(context: RolloutJobContext) -> RolloutQueue:
    if context.queue is None:
        raise RuntimeError("rollout jobs need the queue in their job context to wake rollouts")
    return context.queue


async def rollout_job(context: RolloutJobContext, payload: dict[str, Any]) -> None:
    await run_rollout(
        config=context.config,
        store=context.store,
        queue=_queue(context),
        forge_for=context.forge,
        rollout_id=int(payload["rollout_id"]),
    )


async def rollout_start_job(context: RolloutJobContext, payload: dict[str, Any]) -> None:
    number = payload.get("pull_number")
    await start_rollout(
        config=context.config,
        store=context.store,
        queue=_queue(context),
        forge=context.forge(str(payload["forge"])),
        repository=str(payload["repository"]),
        branch=str(payload["branch"]),
        commit_sha=str(payload["commit_sha"]),
        pull_number=int(number) if number is not None else None,
        trigger=str(payload["trigger"]),
    )


async def rollout_command_job(context: RolloutJobContext, payload: dict[str, Any]) -> None:
    await handle_comment(
        config=context.config,
        store=context.store,
        queue=_queue(context),
        forge=context.forge(str(payload["forge"])),
        repository=str(payload["repository"]),
        number=int(payload["number"]),
        author=str(payload["author"]),
        body=str(payload["body"]),
    )
