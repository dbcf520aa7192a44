"""Webhook events that concern rollouts, turned into jobs: cheap work only, the webhook answers
within milliseconds and every forge call happens in the job.

- a pull request merged into the deploy branch, a push to the deploy branch: ``rollout-start``,
  one job per (commit, announcement); the rollout itself is created once per commit, so the
  merged event, its redelivery and the push all lead to one rollout;
- a new comment on a pull request: ``rollout-command``, one job per comment.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import structlog

from app.config import Config
from app.jobs import job_id
from app.rollout.commands import parse_command
from app.rollout.report import ROLLOUT_MARKER
from app.rollout.service import RolloutQueue
from app.rollout.webhook_events import BranchPushed, CommentAdded
from app.store import Store
from app.webhooks.events import ForgeEvent, PullRequestMerged

__all__ = ["COMMAND_JOB", "START_JOB", "Routed", "route_rollout_event"]

log = structlog.get_logger(__name__)

START_JOB = "rollout-start"
COMMAND_JOB = "rollout-command"


@dataclass(frozen=True)
class Routed:
    """The webhook's answer: ``outcome`` (queued, ignored, ...), HTTP status, details."""

    outcome: str
    status: int
    content: dict[str, Any]


def _ignored(reason: str) -> Routed:
    return Routed("ignored", 200, {"reason": reason})


async def route_rollout_event(
    *, config: Config, store: Store, queue: RolloutQueue, event: ForgeEvent, delivery: str
) -> Routed | None:
    """Queue the job a rollout event asks for; None when the event is not about rollouts."""
    if not isinstance(event, PullRequestMerged | BranchPushed | CommentAdded):
        return None
    repository = config.repository(event.forge, event.repository)
    if repository is None:
        return _ignored(f"repository {event.repository} is not configured for {event.forge}")
    name = repository.name
    if isinstance(event, CommentAdded):
        # Parsing is cheap string work: a comment that only mentions a command (schemabot's own
        # replies do) queues nothing.
        if ROLLOUT_MARKER in event.body or parse_command(event.body) is None:
            return _ignored("the comment holds no schemabot command")
        kind = COMMAND_JOB
        job = job_id(kind, event.forge, name, str(event.number), str(event.comment_id))
        payload: dict[str, Any] = {
            "forge": event.forge,
            "repository": name,
            "number": event.number,
            "author": event.author,
            "body": event.body,
        }
        log.info("rollout.command_received", number=event.number, author=event.author)
    else:
        if isinstance(event, PullRequestMerged):
            branch, commit, number = (
                event.base_branch,
                event.merge_sha or event.head_sha,
                event.number,
            )
            trigger, source = f"pull request #{event.number} merged", f"pull:{event.number}"
        else:
            branch, commit, number = event.branch, event.commit_sha, None
            trigger, source = f"push to {event.branch}", "push"
        if branch != repository.deploy_branch:
            return _ignored(f"{branch} is not the deploy branch ({repository.deploy_branch})")
        kind = START_JOB
        job = job_id(kind, event.forge, name, commit, source)
        payload = {
            "forge": event.forge,
            "repository": name,
            "branch": branch,
            "commit_sha": commit,
            "pull_number": number,
            "trigger": trigger,
        }
    first = await asyncio.to_thread(
        store.deliveries.record, forge=event.forge, key=delivery, event=event.name
    )
    if not first:
        return Routed("duplicate", 200, {"reason": "delivery already handled"})
    try:
        queued = await queue.enqueue(kind, job_id=job, payload=payload)
    except Exception as error:  # Redis down, store locked: the forge may redeliver
        log.error("webhook.enqueue_failed", job_id=job, error=f"{type(error).__name__}: {error}")
        return Routed("unavailable", 503, {"detail": "the job queue is unavailable"})
    return Routed("queued" if queued else "already_queued", 202, {"job_id": job})
