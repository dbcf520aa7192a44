"""The fake forge's HTTP side: a threaded stdlib server on 127.0.0.1, routing, a record of
every request, injected failures, and the two forges' pagination styles."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fakeforge.forge import FakeForge

__all__ = [
    "InjectedFailure",
    "Injection",
    "RecordedRequest",
    "Request",
    "Response",
    "Route",
    "error",
    "paginate",
    "serve",
]


@dataclass(frozen=True)
class RecordedRequest:
    #: ``github`` (under /api/v3), ``gitlab`` (under /api/v4) or ``other``.
    forge: str
    method: str
    #: The path as sent, percent-encoding kept (``/api/v4/projects/group%2Fshop/...``).
    path: str
    #: Query parameters, the last value of each.
    query: dict[str, str]
    #: Header names lower-cased.
    headers: dict[str, str]
    #: The JSON body parsed, else the text, else None.
    body: Any
    #: ``time.monotonic()`` when the request arrived: pacing is measured on these.
    at: float
    #: The status the fake answered.
    status: int


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    #: ``http://127.0.0.1:PORT``, to build the absolute URLs the forges return.
    origin: str


@dataclass
class Response:
    status: int = 200
    #: JSON-able data, or bytes/str sent as they are.
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Injection:
    """Answer requests matching ``pattern`` (searched in the path) with this failure."""

    pattern: re.Pattern[str]
    method: str | None
    #: How many more requests get the failure; None: every one.
    remaining: int | None
    status: int
    body: Any
    headers: dict[str, str]
    #: Called when the failure is served, so headers can carry a time computed then.
    late_headers: Callable[[], dict[str, str]] | None = None
    #: How many matching requests are still served normally before the failures start.
    after: int = 0
    #: The request is carried out, then answered with the failure: an answer lost on the way
    #: (a timeout after the forge did the work).
    lost_answer: bool = False

    def matches(self, method: str, path: str) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.method is not None and self.method != method:
            return False
        return bool(self.pattern.search(urllib.parse.unquote(path)))


@dataclass(frozen=True)
class InjectedFailure:
    """The failure a request gets, and whether it was carried out first (a lost answer)."""

    response: Response
    lost_answer: bool


Handler = Callable[["FakeForge", Request, dict[str, str]], Response]
Route = tuple[str, str, Handler]


def error(status: int, message: str, **extra: Any) -> Response:
    return Response(status, {"message": message, **extra})


def paginate(request: Request, items: list[Any], *, style: str) -> Response:
    """One page of ``items`` with the forge's pagination headers.

    GitHub: ``per_page`` 30 by default, at most 100, a ``Link`` header with next/last/prev/
    first. GitLab: 20 by default, at most 100, ``x-page``/``x-next-page``/``x-total``... and
    the same ``Link`` header (python-gitlab follows its ``next``).
    """
    default = 30 if style == "github" else 20
    per_page = max(1, min(100, int(request.query.get("per_page", default))))
    page = max(1, int(request.query.get("page", 1)))
    pages = max(1, -(-len(items) // per_page))
    chunk = items[(page - 1) * per_page : page * per_page]

    def url(number: int) -> str:
        query = {**request.query, "page": str(number), "per_page": str(per_page)}
        return f"{request.origin}{request.path}?{urllib.parse.urlencode(query)}"

    links: list[str] = []
    if page < pages:
        links.append(f'<{url(page + 1)}>; rel="next"')
    if page > 1:
        links.append(f'<{url(page - 1)}>; rel="prev"')
    links += [f'<{url(1)}>; rel="first"', f'<{url(pages)}>; rel="last"']
    # GitHub sends no Link header for a single page; GitLab always does.
    headers = {"Link": ", ".join(links)} if pages > 1 or style == "gitlab" else {}
    if style == "gitlab":
        headers |= {
            "x-page": str(page),
            "x-per-page": str(per_page),
            "x-next-page": str(page + 1) if page < pages else "",
            "x-prev-page": str(page - 1) if page > 1 else "",
            "x-total": str(len(items)),
            "x-total-pages": str(pages),
        }
    return Response(200, chunk, headers)


def _route(
    routes: list[tuple[str, re.Pattern[str], Handler]], request: Request
) -> tuple[Handler, dict[str, str]] | None:
    for method, pattern, handler in routes:
        match = pattern.fullmatch(request.path)
        if match and method == request.method:
            params = {k: urllib.parse.unquote(v) for k, v in match.groupdict().items()}
            return handler, params
    return None


def serve(forge: FakeForge, routes: list[Route]) -> tuple[ThreadingHTTPServer, threading.Thread]:
    compiled = [(method, re.compile(pattern), handler) for method, pattern, handler in routes]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in one segment: otherwise Nagle and delayed ACKs add 40 ms
        # to every keep-alive request, and pacing measurements drown in it.
        disable_nagle_algorithm = True
        wbufsize = 1 << 16

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the record is the log

        def _handle(self) -> None:
            arrived = time.monotonic()
            raw_path, _, raw_query = self.path.partition("?")
            length = int(self.headers.get("Content-Length") or 0)
            raw_body = self.rfile.read(length) if length else b""
            body: Any = None
            if raw_body:
                try:
                    body = json.loads(raw_body)
                except ValueError:
                    body = raw_body.decode(errors="replace")
            host = self.headers.get("Host") or forge.url.removeprefix("http://")
            request = Request(
                method=self.command,
                path=raw_path,
                query={k: v for k, v in urllib.parse.parse_qsl(raw_query, keep_blank_values=True)},
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                origin=f"http://{host}",
            )
            with forge.lock:
                injected = forge.injected_failure(request)
                if injected is None or injected.lost_answer:
                    response = _dispatch(forge, compiled, request)
                if injected is not None:
                    response = injected.response
                forge.record(
                    RecordedRequest(
                        forge="github"
                        if raw_path.startswith("/api/v3/")
                        else "gitlab"
                        if raw_path.startswith("/api/v4/")
                        else "other",
                        method=request.method,
                        path=raw_path,
                        query=request.query,
                        headers=request.headers,
                        body=body,
                        at=arrived,
                        status=response.status,
                    )
                )
            self._send(response)

        def _send(self, response: Response) -> None:
            if isinstance(response.body, bytes):
                payload, content_type = response.body, "application/octet-stream"
            elif isinstance(response.body, str):
                payload, content_type = response.body.encode(), "text/plain; charset=utf-8"
            elif response.body is None and response.status == 204:
                payload, content_type = b"", "application/json"
            else:
                payload, content_type = json.dumps(response.body).encode(), "application/json"
            headers = {"Content-Type": content_type, **response.headers}
            headers["Content-Length"] = str(len(payload))
            self.send_response(response.status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    # A short poll interval: shutdown() waits for it, and every test stops a server.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, name="fake-forge", daemon=True
    )
    thread.start()
    return server, thread


def _dispatch(
    forge: FakeForge, routes: list[tuple[str, re.Pattern[str], Handler]], request: Request
) -> Response:
    found = _route(routes, request)
    if found is None:
        return error(404, f"fake forge: no route for {request.method} {request.path}")
    handler, params = found
    return handler(forge, request, params)
