"""What a verified, well-formed delivery leads to: a job queued once, or the reason for none.

Each delivery is claimed once. With Redis, claiming it (``SET NX``, kept 3 days: GitHub
redeliveries are possible that long) and queueing its job are one atomic Lua script, so every
replica sharing the Redis agrees, and a failed enqueue claims nothing. Without Redis (one
process), the state store's deliveries table is the claim: recorded before the job is queued,
forgotten again when queueing fails.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import structlog

from app.api.services import Services
from app.jobs import job_id
from app.queue.arq_queue import ArqQueue, DeliveryOutcome
from app.review import ReviewRequest
from app.rollout import route_rollout_event
from app.store import Store
from app.webhooks import ForgeEvent, Ignored, Ping, PullRequestChanged, PullRequestEvent

__all__ = ["Answer", "route_delivery"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Answer:
    """The webhook's answer: HTTP status, outcome (the metric label and ``status`` field), and
    the other fields of the JSON body."""

    status: int
    outcome: str
    content: dict[str, Any] = field(default_factory=dict)


def _ignored(reason: str) -> Answer:
    return Answer(200, "ignored", {"reason": reason})


async def _record_delivery(store: Store, *, forge: str, key: str, event: str) -> bool:
    """``store.deliveries.record``: on the event loop for SQLite, a local file whose insert
    takes a fraction of a millisecond, where a thread hop would cost more than it saves; in a
    thread for PostgreSQL, whose round trip must not stall the loop."""
    if store.engine.dialect.name == "sqlite":
        return store.deliveries.record(forge=forge, key=key, event=event)
    return await asyncio.to_thread(store.deliveries.record, forge=forge, key=key, event=event)


async def _forget_delivery(store: Store, *, forge: str, key: str) -> None:
    try:
        await asyncio.to_thread(store.deliveries.forget, forge=forge, key=key)
    except Exception as error:  # the store is down too: the redelivery will say duplicate
        log.error("webhook.forget_failed", error=f"{type(error).__name__}: {error}")


async def _queue_once(
    services: Services, *, forge: str, event: str, delivery: str, job: str, request: ReviewRequest
) -> DeliveryOutcome | None:
    """Claim the delivery and queue its job; None when the queue cannot take it (logged, and
    nothing stays claimed)."""
    queue = services.queue
    try:
        if isinstance(queue, ArqQueue):
            return await queue.enqueue_delivery(
                "review", job_id=job, payload=request.payload(), delivery=f"{forge}:{delivery}"
            )
        if not await _record_delivery(services.store, forge=forge, key=delivery, event=event):
            return "duplicate"
        try:
            queued = await queue.enqueue("review", job_id=job, payload=request.payload())
        except Exception:
            await _forget_delivery(services.store, forge=forge, key=delivery)
            raise
    except Exception as error:  # Redis down, store locked
        log.error("webhook.enqueue_failed", job_id=job, error=f"{type(error).__name__}: {error}")
        return None
    return "queued" if queued else "already_queued"


def _review_job_id(request: ReviewRequest) -> str:
    # The base branch is part of it: retargeting a pull request reviews the same head again.
    return job_id(
        "review", request.forge, request.repository, str(request.number), request.head_sha,
        request.base_branch,
    )  # fmt: skip


async def route_delivery(services: Services, event: ForgeEvent, delivery: str) -> Answer:
    """Queue the job ``event`` asks for, once per ``delivery``; or say why nothing is done."""
    forge = event.forge
    if isinstance(event, Ping):
        return Answer(200, "pong")
    if isinstance(event, Ignored):
        return _ignored(event.reason)
    # Merges, pushes and comments are the rollout's (app.rollout.triggers).
    routed = await route_rollout_event(
        config=services.config,
        store=services.store,
        queue=services.queue,
        event=event,
        delivery=delivery,
    )
    if routed is not None:
        if routed.status == 503:
            # The rollout's trigger recorded the delivery before its enqueue failed.
            await _forget_delivery(services.store, forge=forge, key=delivery)
        return Answer(routed.status, routed.outcome, routed.content)
    if not isinstance(event, PullRequestEvent):
        return _ignored(f"{type(event).__name__} is not used")
    repository = services.config.repository(forge, event.repository)
    if repository is None:
        return _ignored(f"repository {event.repository} is not configured for {forge}")
    if not isinstance(event, PullRequestChanged):
        return _ignored("merged pull requests are not rolled out by this version")
    request = ReviewRequest(
        forge=forge,
        repository=repository.name,
        number=event.number,
        head_sha=event.head_sha,
        base_branch=event.base_branch,
        delivery=delivery,
    )
    job = _review_job_id(request)
    outcome = await _queue_once(
        services, forge=forge, event=event.name, delivery=delivery, job=job, request=request
    )
    if outcome is None:
        return Answer(503, "unavailable", {"detail": "the job queue is unavailable"})
    if outcome == "duplicate":
        return Answer(200, "duplicate", {"reason": "delivery already handled"})
    return Answer(202, outcome, {"job_id": job})
