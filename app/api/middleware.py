"""Every request gets an id (kept from ``X-Request-ID`` when sane), a log line and metrics.

The log line (``http.request``: method, route, status, duration, request id; on webhooks also
``delivery_id`` and ``webhook_outcome``) is written for every request but ``/healthz`` and
``/metrics``, which probes and scrapers call every few seconds. It is one of the webhook's
costs, so the logging pipeline is kept cheap (``app.logs``) rather than the line dropped:
accepted deliveries and errors alike stay traceable by request id and delivery id.
"""

from __future__ import annotations

import os
import re
import time

import structlog
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.metrics import HTTP_REQUEST_SECONDS, HTTP_REQUESTS

__all__ = ["RequestContextMiddleware"]

log = structlog.get_logger("schemabot.http")

_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_UNLOGGED = frozenset({"/healthz", "/metrics"})

#: Metric children by labels: ``labels()`` takes a lock and builds a key on every call. Route
#: templates are the app's own; methods and statuses are the few HTTP has.
_COUNTS: dict[tuple[str, str, int], Counter] = {}
_SECONDS: dict[str, Histogram] = {}


def _observe(method: str, template: str, status: int, elapsed: float) -> None:
    count = _COUNTS.get((method, template, status))
    if count is None:
        count = _COUNTS[method, template, status] = HTTP_REQUESTS.labels(
            method, template, str(status)
        )
    count.inc()
    seconds = _SECONDS.get(template)
    if seconds is None:
        seconds = _SECONDS[template] = HTTP_REQUEST_SECONDS.labels(template)
    seconds.observe(elapsed)


class RequestContextMiddleware:
    """Pure ASGI (not BaseHTTPMiddleware): no extra task per request on the webhook hot path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = ""
        # A scan of the few raw headers; the last X-Request-ID wins, as with a dict of them.
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                request_id = value.decode("latin-1")
        if not _SANE_ID.match(request_id):
            # uuid4().hex's shape (32 hex digits) for a third of its cost.
            request_id = os.urandom(16).hex()
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        header = (b"x-request-id", request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            _observe(scope["method"], template, status, elapsed)
            if template not in _UNLOGGED:
                log.info(
                    "http.request",
                    method=scope["method"],
                    path=template,
                    status=status,
                    duration_ms=round(elapsed * 1000, 2),
                )
