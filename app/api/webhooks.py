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

The endpoints are raw ASGI apps (``app.api.webhook_io`` says why); what a delivery leads to
is ``app.api.deliveries``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from fastapi import APIRouter
from prometheus_client import Counter
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.deliveries import Answer, route_delivery
from app.api.middleware import RequestContextMiddleware
from app.api.services import Services
from app.api.webhook_io import MAX_BODY_BYTES, Refused, header, read_body, read_headers, send_json
from app.config_forges import GitHubForge, GitLabForge
from app.metrics import WEBHOOK_DELIVERIES
from app.rollout import read_github_rollout_event, read_gitlab_rollout_event
from app.webhooks import (
    ForgeEvent,
    PayloadError,
    github_signature_valid,
    gitlab_token_valid,
    parse_json,
    read_github_event,
    read_gitlab_event,
)

__all__ = [
    "ENDPOINTS",
    "MAX_BODY_BYTES",
    "WebhookEndpoint",
    "direct_deliveries",
    "router",
]

#: The ``event`` metric label before a delivery is verified: unsigned requests must not be
#: able to create label values (a metric series each).
UNVERIFIED = "unverified"

#: The metric's children by labels: ``labels()`` takes a lock and builds a tuple each call. The
#: label values are bounded like the metric's series (the event only once the request is verified).
_COUNTERS: dict[tuple[str, str, str], Counter] = {}

_bind = structlog.contextvars.bind_contextvars


def _counted(forge: str, event: str, answer: Answer) -> dict[str, Any]:
    """Count the answer and give its JSON body."""
    labels = (forge, event, answer.outcome)
    counter = _COUNTERS.get(labels)
    if counter is None:
        counter = _COUNTERS[labels] = WEBHOOK_DELIVERIES.labels(*labels)
    counter.inc()
    # The request log line (middleware) carries the outcome: one log line per delivery.
    _bind(webhook_outcome=answer.outcome)
    return {"status": answer.outcome, **answer.content}


def _required(headers: dict[bytes, bytes], name: bytes) -> str:
    value = header(headers, name)
    if not value:
        raise Refused(400, "malformed", f"{name.decode()} header is missing")
    return value


# The parsed payload (the parsed document and its buffers, or with ``json`` hundreds of dicts
# and lists) is read into an event in a function of its own, so that it is freed on return,
# before the enqueue's await, not kept alive by each of the deliveries in flight.


def _github_event(name: str, body: bytes) -> ForgeEvent:
    payload = parse_json(body)
    return read_github_rollout_event(name, payload) or read_github_event(name, payload)


def _gitlab_event(name: str, body: bytes) -> ForgeEvent:
    payload = parse_json(body)
    return read_gitlab_rollout_event(name, payload) or read_gitlab_event(name, payload)


def _webhook_secret(forge: GitHubForge | GitLabForge, name: str) -> bytes:
    """The forge's webhook secret; a forge that is off, or has none, takes no deliveries."""
    secret = forge.webhook_secret
    if not forge.enabled or secret is None:
        raise Refused(404, "disabled", f"the {name} forge is not enabled on this server")
    return secret.get_secret_value().encode()


async def _verified_github(
    services: Services, headers: dict[bytes, bytes], receive: Receive
) -> tuple[str, str, bytes]:
    """The event name, delivery id and body of a delivery signed with the webhook secret."""
    secret = _webhook_secret(services.config.forges.github, "github")
    body = await read_body(receive, headers)
    signature = header(headers, b"x-hub-signature-256")
    if not github_signature_valid(secret, body, signature):
        raise Refused(401, "unauthorized", "X-Hub-Signature-256 is missing or wrong")
    event_name = _required(headers, b"x-github-event")
    # One delivery id is shared by every hook subscribed to the event: key on both.
    hook = header(headers, b"x-github-hook-id") or "-"
    return event_name, f"{hook}:{_required(headers, b'x-github-delivery')}", body


async def _verified_gitlab(
    services: Services, headers: dict[bytes, bytes], receive: Receive
) -> tuple[str, str, bytes]:
    """The event name, delivery key and body of a delivery carrying the webhook secret."""
    secret = _webhook_secret(services.config.forges.gitlab, "gitlab")
    # GitLab sends the secret itself: check it before reading a byte of the body.
    token = header(headers, b"x-gitlab-token")
    if not gitlab_token_valid(secret, token):
        raise Refused(401, "unauthorized", "X-Gitlab-Token is missing or wrong")
    body = await read_body(receive, headers)
    event_name = _required(headers, b"x-gitlab-event")
    # Idempotency-Key stays the same across GitLab's retries (17.4+); the event UUID before;
    # a GitLab older than both resends the same body, so its digest is the key.
    delivery = (
        header(headers, b"idempotency-key")
        or header(headers, b"x-gitlab-event-uuid")
        or "sha256:" + hashlib.sha256(body).hexdigest()
    )
    return event_name, delivery, body


Verify = Callable[[Services, dict[bytes, bytes], Receive], Awaitable[tuple[str, str, bytes]]]
ReadEvent = Callable[[str, bytes], ForgeEvent]


class WebhookEndpoint:
    """``POST /webhooks/<forge>`` as a raw ASGI app: verify, read the event, route it."""

    def __init__(self, forge: str, verify: Verify, read_event: ReadEvent) -> None:
        self.forge = forge
        self.path = f"/webhooks/{forge}"
        self._verify = verify
        self._read_event = read_event

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The route, for the request's log line and metrics (a plain Starlette route, or the
        # direct call, sets none).
        scope["route"] = self
        services: Services = scope["app"].state.services
        forge = self.forge
        try:
            event_name, delivery, body = await self._verify(services, read_headers(scope), receive)
        except Refused as refusal:
            answer = Answer(refusal.status, refusal.outcome, {"detail": refusal.detail})
            await send_json(send, answer.status, _counted(forge, UNVERIFIED, answer))
            return
        _bind(delivery_id=delivery)
        try:
            event = self._read_event(event_name, body)
        except PayloadError as error:
            answer = Answer(400, "malformed", {"detail": str(error)})
        else:
            answer = await route_delivery(services, event, delivery)
        await send_json(send, answer.status, _counted(forge, event_name, answer))


ENDPOINTS = (
    WebhookEndpoint("github", _verified_github, _github_event),
    WebhookEndpoint("gitlab", _verified_gitlab, _gitlab_event),
)

router = APIRouter(tags=["webhooks"])
for _endpoint in ENDPOINTS:
    router.routes.append(Route(_endpoint.path, _endpoint, methods=["POST"]))


def direct_deliveries() -> dict[str, ASGIApp]:
    """The webhook endpoints by path, each with the request context (id, log line, metrics)
    around it and nothing else: ``SchemabotAPI`` sends ``POST /webhooks/<forge>`` there.

    Deliveries need none of the rest of the app (FastAPI's telemetry check, error pages,
    sessions, exception handlers, the route search): skipping it saves about 80 us of the
    150-200 us a delivery costs in the app. Every other request, and a delivery under another
    path (a proxy's root path), takes the full stack, where the same endpoints are routed too.
    """
    return {endpoint.path: RequestContextMiddleware(endpoint) for endpoint in ENDPOINTS}
