"""The bytes of a webhook delivery, straight from ASGI: headers, a capped body, a JSON answer.

The webhook endpoints are raw ASGI apps rather than FastAPI handlers: a forge sends hundreds
of deliveries a minute, and each needs only its headers, its body and a small JSON answer, not
a ``Request``, dependency solving and a ``Response`` (about a third of the request's cost).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.types import Receive, Scope, Send

__all__ = ["MAX_BODY_BYTES", "Refused", "read_body", "read_headers", "send_json"]

#: GitHub never sends a payload above 25 MB; GitLab stopped sending them above 25 MB too
#: (gitlab-org/gitlab!38687). Anything larger is not from a forge.
MAX_BODY_BYTES = 25 * 1024 * 1024

_JSON_HEADERS = (b"content-type", b"application/json")


class Refused(Exception):
    """A delivery answered before it is understood: status, outcome label, and why."""

    def __init__(self, status: int, outcome: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.outcome = outcome
        self.detail = detail


def read_headers(scope: Scope) -> dict[bytes, bytes]:
    """The request headers by lower-case name (as ASGI servers give them); the first of a
    repeated header counts, as with Starlette's ``Headers.get``."""
    headers: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        headers.setdefault(name, value)
    return headers


def header(headers: Mapping[bytes, bytes], name: bytes) -> str | None:
    value = headers.get(name)
    return None if value is None else value.decode("latin-1")


async def read_body(receive: Receive, headers: Mapping[bytes, bytes]) -> bytes:
    """The body, refused with 413 past the cap: by Content-Length before reading anything, and
    by counting while reading when the length is not declared (chunked)."""
    declared = headers.get(b"content-length")
    if declared is not None:
        if not declared.isdigit():
            raise Refused(400, "refused", "Content-Length is not a number")
        if int(declared) > MAX_BODY_BYTES:
            raise Refused(413, "refused", f"the body is over {MAX_BODY_BYTES} bytes")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Refused(400, "refused", "the client disconnected before the body was sent")
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise Refused(413, "refused", f"the body is over {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def send_json(send: Send, status: int, content: dict[str, Any]) -> None:
    """The same compact JSON a ``JSONResponse`` sends, rendered by orjson."""
    body = orjson.dumps(content)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [_JSON_HEADERS, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
