"""Commands in pull request comments: find the pull request's rollout, ask the forge for the
commenter's role now, act (:mod:`app.rollout.actions`), and reply when nothing happened.

A command that did something is answered by the rollout's report, edited in place; only a
cancel of a running migration, which may take long to stop, also gets a short reply.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog

from app.config import Config
from app.forges.base import Forge
from app.rollout.actions import ActionRefused, approve, cancel, retry
from app.rollout.commands import USAGE, Command, CommandError, parse_command
from app.rollout.service import RolloutQueue
from app.store import Store

__all__ = ["CommandOutcome", "handle_comment"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class CommandOutcome:
    command: Command | None
    done: bool
    #: What happened, or why nothing did (the reply's text).
    message: str


async def handle_comment(
    *,
    config: Config,
    store: Store,
    queue: RolloutQueue,
    forge: Forge,
    repository: str,
    number: int,
    author: str,
    body: str,
) -> CommandOutcome | None:
    """Act on the command in a new pull request comment; None when it holds no command.

    The caller drops edited comments and comments by bots (schemabot's own included) first.
    """
    parsed = parse_command(body)
    configured = config.repository(forge.name, repository)
    if parsed is None or configured is None:
        return None
    name = configured.name
    rollout = await asyncio.to_thread(store.rollouts.for_pull_request, forge.name, name, number)
    if isinstance(parsed, CommandError):
        outcome = CommandOutcome(None, False, f"`{parsed.line}`: {parsed.reason}. {USAGE}")
    elif rollout is None:
        outcome = CommandOutcome(
            parsed,
            False,
            f"this pull request has no rollout: it is not merged into `{configured.deploy_branch}`,"
            " or schemabot has not seen the merge yet",
        )
    else:
        permission = await asyncio.to_thread(forge.permission, name, author)
        try:
            if parsed.verb == "cancel":
                message = await cancel(
                    store=store,
                    queue=queue,
                    rollout=rollout,
                    username=author,
                    permission=permission,
                )
            else:
                act = approve if parsed.verb == "approve" else retry
                message = await act(
                    config=config,
                    store=store,
                    queue=queue,
                    rollout=rollout,
                    environment=parsed.environment or "",
                    username=author,
                    permission=permission,
                )
            outcome = CommandOutcome(parsed, True, message)
        except ActionRefused as refused:
            outcome = CommandOutcome(parsed, False, str(refused))
    if rollout is None or isinstance(parsed, CommandError):
        # The actions audit what reaches them; these never did.
        await asyncio.to_thread(
            store.audit.record,
            actor=author,
            action="command.refused",
            subject=rollout.subject if rollout else f"pull:{forge.name}:{name}#{number}",
            detail={"comment": body[:500], "result": outcome.message},
        )
    if not outcome.done:
        text = f"@{author} nothing happened: {outcome.message}"
        await asyncio.to_thread(forge.reply, name, number, text)
    elif (
        outcome.command is not None
        and outcome.command.verb == "cancel"
        and ("after" in outcome.message)
    ):
        text = f"@{author} {outcome.message}: the report says when it stopped."
        await asyncio.to_thread(forge.reply, name, number, text)
    log.info("rollout.command", number=number, done=outcome.done, by=author)
    return outcome
