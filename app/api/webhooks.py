"""``POST /webhooks/github`` and ``POST /webhooks/gitlab``: verify, dedupe, read, enqueue.

Forges give up after 10 seconds, so a delivery gets only cheap work here and an answer within
milliseconds; every forge API call happens in a job. The answers:

- 401: signature or token missing or wrong. Nothing is read further, stored or queued.
- 404: the forge is not enabled in the server config (no credentials): this server has no such
  endpoint, and it never accepts a delivery it cannot verify.
- 413: the body is larger than the forges ever send (25 MB), refused before it is all read.
- 400: not JSON, or a field we need is missing; the answer names it.
- 200: ping, duplicate delivery, or nothing to do (event not used, repository not configured),
  with the reason. GitLab pauses a hook after repeated 4xx/5xx, so ignoring is a 2xx.
- 202: queued (or already queued under the same job id).
- 503: the queue cannot take the job; nothing is remembered of the delivery, so the forge's
  redelivery is handled as new.

Each delivery is claimed once. With Redis, claiming it (``SET NX``, kept 3 days: GitHub
redeliveries are possible that long) and queueing its job are one atomic Lua script, so every
replica sharing the Redis agrees, and a failed enqueue claims nothing. Without Redis (one
process), the state store's deliveries table is the claim: recorded before the job is queued,
forgotten again when queueing fails.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import orjson
import structlog
from fastapi import APIRouter, Request, Response
from prometheus_client import Counter
from starlette.datastructures import Headers

from app.api.services import Services
from app.jobs import job_id
from app.metrics import WEBHOOK_DELIVERIES
from app.queue.arq_queue import ArqQueue, DeliveryOutcome
from app.review import ReviewRequest
from app.rollout import (
    read_github_rollout_event,
    read_gitlab_rollout_event,
    route_rollout_event,
)
from app.store import Store
from app.webhooks import (
    ForgeEvent,
    Ignored,
    PayloadError,
    Ping,
    PullRequestChanged,
    PullRequestEvent,
    github_signature_valid,
    gitlab_token_valid,
    parse_json,
    read_github_event,
    read_gitlab_event,
)

__all__ = ["MAX_BODY_BYTES", "router"]

log = structlog.get_logger(__name__)
router = APIRouter(tags=["webhooks"])

#: GitHub never sends a payload above 25 MB; GitLab stopped sending them above 25 MB too
#: (gitlab-org/gitlab!38687). Anything larger is not from a forge.
MAX_BODY_BYTES = 25 * 1024 * 1024
#: The ``event`` metric label before a delivery is verified: unsigned requests must not be
#: able to create label values (a metric series each).
UNVERIFIED = "unverified"
#: The jobs table's id column holds 200 characters; longer ids (deep GitLab groups) are hashed.
MAX_JOB_ID = 200


class _Refused(Exception):
    def __init__(self, status: int, outcome: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.outcome = outcome
        self.detail = detail


#: The metric's children by labels: ``labels()`` takes a lock and builds a tuple each call. The
#: label values are bounded like the metric's series (the event only once the request is verified).
_COUNTERS: dict[tuple[str, str, str], Counter] = {}


def _answer(forge: str, event: str, outcome: str, status: int, **content: Any) -> Response:
    labels = (forge, event, outcome)
    counter = _COUNTERS.get(labels)
    if counter is None:
        counter = _COUNTERS[labels] = WEBHOOK_DELIVERIES.labels(*labels)
    counter.inc()
    # The request log line (middleware) carries the outcome: one log line per delivery.
    structlog.contextvars.bind_contextvars(webhook_outcome=outcome)
    # The same compact JSON as JSONResponse, rendered by orjson.
    body = orjson.dumps({"status": outcome, **content})
    return Response(body, status_code=status, media_type="application/json")


async def _read_body(request: Request, headers: Headers) -> bytes:
    """The body, refused with 413 past the cap: by Content-Length before reading anything, and
    by counting while reading when the length is not declared (chunked)."""
    declared = headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise _Refused(400, "refused", "Content-Length is not a number")
        if int(declared) > MAX_BODY_BYTES:
            raise _Refused(413, "refused", f"the body is over {MAX_BODY_BYTES} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _Refused(413, "refused", f"the body is over {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _header(headers: Headers, name: str) -> str:
    value = headers.get(name)
    if not value:
        raise _Refused(400, "malformed", f"{name} header is missing")
    return value


def _services(request: Request) -> Services:
    # Not a FastAPI dependency: a sync dependency runs in the thread pool, and on the webhook
    # path every thread hop costs (the GIL goes back and forth with the worker thread).
    services: Services = request.app.state.services
    return services


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
    parts = (request.forge, request.repository, str(request.number), request.head_sha)
    candidate = job_id("review", *parts, request.base_branch)
    if len(candidate) <= MAX_JOB_ID:
        return candidate
    digest = hashlib.sha256("\0".join((*parts, request.base_branch)).encode()).hexdigest()
    return job_id("review", request.forge, digest)


async def _route(services: Services, event: ForgeEvent, delivery: str) -> Response:
    """What a verified, well-formed delivery leads to."""
    forge, name = event.forge, event.name
    if isinstance(event, Ping):
        return _answer(forge, name, "pong", 200)
    if isinstance(event, Ignored):
        return _answer(forge, name, "ignored", 200, reason=event.reason)
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
        return _answer(forge, name, routed.outcome, routed.status, **routed.content)
    if not isinstance(event, PullRequestEvent):
        return _answer(forge, name, "ignored", 200, reason=f"{type(event).__name__} is not used")
    repository = services.config.repository(forge, event.repository)
    if repository is None:
        reason = f"repository {event.repository} is not configured for {forge}"
        return _answer(forge, name, "ignored", 200, reason=reason)
    if not isinstance(event, PullRequestChanged):
        reason = "merged pull requests are not rolled out by this version"
        return _answer(forge, name, "ignored", 200, reason=reason)
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
        services, forge=forge, event=name, delivery=delivery, job=job, request=request
    )
    if outcome is None:
        return _answer(forge, name, "unavailable", 503, detail="the job queue is unavailable")
    if outcome == "duplicate":
        return _answer(forge, name, "duplicate", 200, reason="delivery already handled")
    return _answer(forge, name, outcome, 202, job_id=job)


# The parsed payload (hundreds of dicts and lists for a pull request) is read into an event in
# a function of its own, so that it is freed on return, before the enqueue's await: kept alive
# through it, 32 deliveries in flight would survive young collections and burden the old ones.


def _github_event(name: str, body: bytes) -> ForgeEvent:
    payload = parse_json(body)
    return read_github_rollout_event(name, payload) or read_github_event(name, payload)


def _gitlab_event(name: str, body: bytes) -> ForgeEvent:
    payload = parse_json(body)
    return read_gitlab_rollout_event(name, payload) or read_gitlab_event(name, payload)


@router.post("/webhooks/github")
async def github_webhook(request: Request) -> Response:
    services = _services(request)
    headers = request.headers
    secret = services.config.forges.github.webhook_secret
    try:
        if not services.config.forges.github.enabled or secret is None:
            raise _Refused(404, "disabled", "the github forge is not enabled on this server")
        body = await _read_body(request, headers)
        signature = headers.get("x-hub-signature-256")
        if not github_signature_valid(secret.get_secret_value().encode(), body, signature):
            raise _Refused(401, "unauthorized", "X-Hub-Signature-256 is missing or wrong")
        event_name = _header(headers, "x-github-event")
        # One delivery id is shared by every hook subscribed to the event: key on both.
        hook = headers.get("x-github-hook-id") or "-"
        delivery = f"{hook}:{_header(headers, 'x-github-delivery')}"
    except _Refused as refusal:
        return _answer("github", UNVERIFIED, refusal.outcome, refusal.status, detail=refusal.detail)
    structlog.contextvars.bind_contextvars(delivery_id=delivery)
    try:
        event = _github_event(event_name, body)
    except PayloadError as error:
        return _answer("github", event_name, "malformed", 400, detail=str(error))
    return await _route(services, event, delivery)


@router.post("/webhooks/gitlab")
async def gitlab_webhook(request: Request) -> Response:
    services = _services(request)
    headers = request.headers
    secret = services.config.forges.gitlab.webhook_secret
    try:
        if not services.config.forges.gitlab.enabled or secret is None:
            raise _Refused(404, "disabled", "the gitlab forge is not enabled on this server")
        # GitLab sends the secret itself: check it before reading a byte of the body.
        token = headers.get("x-gitlab-token")
        if not gitlab_token_valid(secret.get_secret_value().encode(), token):
            raise _Refused(401, "unauthorized", "X-Gitlab-Token is missing or wrong")
        body = await _read_body(request, headers)
        event_name = _header(headers, "x-gitlab-event")
    except _Refused as refusal:
        return _answer("gitlab", UNVERIFIED, refusal.outcome, refusal.status, detail=refusal.detail)
    # Idempotency-Key stays the same across GitLab's retries (17.4+); the event UUID before;
    # a GitLab older than both resends the same body, so its digest is the key.
    delivery = (
        headers.get("idempotency-key")
        or headers.get("x-gitlab-event-uuid")
        or "sha256:" + hashlib.sha256(body).hexdigest()
    )
    structlog.contextvars.bind_contextvars(delivery_id=delivery)
    try:
        event = _gitlab_event(event_name, body)
    except PayloadError as error:
        return _answer("gitlab", event_name, "malformed", 400, detail=str(error))
    return await _route(services, event, delivery)
