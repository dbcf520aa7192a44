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
- 503: the queue cannot take the job; the forge may redeliver.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.api.services import Services
from app.jobs import job_id
from app.metrics import WEBHOOK_DELIVERIES
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


def _answer(forge: str, event: str, outcome: str, status: int, **content: Any) -> JSONResponse:
    WEBHOOK_DELIVERIES.labels(forge, event, outcome).inc()
    # The request log line (middleware) carries the outcome: one log line per delivery.
    structlog.contextvars.bind_contextvars(webhook_outcome=outcome)
    return JSONResponse({"status": outcome, **content}, status_code=status)


async def _read_body(request: Request) -> bytes:
    """The body, refused with 413 past the cap: by Content-Length before reading anything, and
    by counting while reading when the length is not declared (chunked)."""
    declared = request.headers.get("content-length")
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


def _header(request: Request, name: str) -> str:
    value = request.headers.get(name)
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


def _review_job_id(request: ReviewRequest) -> str:
    # The base branch is part of it: retargeting a pull request reviews the same head again.
    parts = (request.forge, request.repository, str(request.number), request.head_sha)
    candidate = job_id("review", *parts, request.base_branch)
    if len(candidate) <= MAX_JOB_ID:
        return candidate
    digest = hashlib.sha256("\0".join((*parts, request.base_branch)).encode()).hexdigest()
    return job_id("review", request.forge, digest)


async def _route(services: Services, event: ForgeEvent, delivery: str) -> JSONResponse:
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
    first = await _record_delivery(services.store, forge=forge, key=delivery, event=name)
    if not first:
        return _answer(forge, name, "duplicate", 200, reason="delivery already handled")
    request = ReviewRequest(
        forge=forge,
        repository=repository.name,
        number=event.number,
        head_sha=event.head_sha,
        base_branch=event.base_branch,
        delivery=delivery,
    )
    job = _review_job_id(request)
    try:
        queued = await services.queue.enqueue("review", job_id=job, payload=request.payload())
    except Exception as error:  # Redis down, store locked
        # The delivery stays recorded, so the forge's retry is answered as a duplicate: the
        # store has no way yet to forget a delivery whose job could not be queued.
        log.error("webhook.enqueue_failed", job_id=job, error=f"{type(error).__name__}: {error}")
        return _answer(forge, name, "unavailable", 503, detail="the job queue is unavailable")
    outcome = "queued" if queued else "already_queued"
    return _answer(forge, name, outcome, 202, job_id=job)


@router.post("/webhooks/github")
async def github_webhook(request: Request) -> JSONResponse:
    services = _services(request)
    secret = services.config.forges.github.webhook_secret
    try:
        if not services.config.forges.github.enabled or secret is None:
            raise _Refused(404, "disabled", "the github forge is not enabled on this server")
        body = await _read_body(request)
        signature = request.headers.get("x-hub-signature-256")
        if not github_signature_valid(secret.get_secret_value().encode(), body, signature):
            raise _Refused(401, "unauthorized", "X-Hub-Signature-256 is missing or wrong")
        event_name = _header(request, "x-github-event")
        # One delivery id is shared by every hook subscribed to the event: key on both.
        hook = request.headers.get("x-github-hook-id") or "-"
        delivery = f"{hook}:{_header(request, 'x-github-delivery')}"
    except _Refused as refusal:
        return _answer("github", UNVERIFIED, refusal.outcome, refusal.status, detail=refusal.detail)
    structlog.contextvars.bind_contextvars(delivery_id=delivery)
    try:
        payload = parse_json(body)
        event = read_github_rollout_event(event_name, payload) or read_github_event(
            event_name, payload
        )
    except PayloadError as error:
        return _answer("github", event_name, "malformed", 400, detail=str(error))
    return await _route(services, event, delivery)


@router.post("/webhooks/gitlab")
async def gitlab_webhook(request: Request) -> JSONResponse:
    services = _services(request)
    secret = services.config.forges.gitlab.webhook_secret
    try:
        if not services.config.forges.gitlab.enabled or secret is None:
            raise _Refused(404, "disabled", "the gitlab forge is not enabled on this server")
        # GitLab sends the secret itself: check it before reading a byte of the body.
        token = request.headers.get("x-gitlab-token")
        if not gitlab_token_valid(secret.get_secret_value().encode(), token):
            raise _Refused(401, "unauthorized", "X-Gitlab-Token is missing or wrong")
        body = await _read_body(request)
        event_name = _header(request, "x-gitlab-event")
    except _Refused as refusal:
        return _answer("gitlab", UNVERIFIED, refusal.outcome, refusal.status, detail=refusal.detail)
    # Idempotency-Key stays the same across GitLab's retries (17.4+); the event UUID before;
    # a GitLab older than both resends the same body, so its digest is the key.
    delivery = (
        request.headers.get("idempotency-key")
        or request.headers.get("x-gitlab-event-uuid")
        or "sha256:" + hashlib.sha256(body).hexdigest()
    )
    structlog.contextvars.bind_contextvars(delivery_id=delivery)
    try:
        payload = parse_json(body)
        event = read_gitlab_rollout_event(event_name, payload) or read_gitlab_event(
            event_name, payload
        )
    except PayloadError as error:
        return _answer("gitlab", event_name, "malformed", 400, detail=str(error))
    return await _route(services, event, delivery)
