"""The Jinja2 environment of the dashboard: templates, filters, and page responses.

Every page goes through :func:`render`, which adds the signed-in principal, the CSRF token and
the security headers: a strict Content-Security-Policy (only this origin's script and style,
no inline script), no framing, no MIME sniffing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from app import __version__
from app.api.auth import Principal
from app.dashboard.rule_docs import render_inline
from app.dashboard.session import csrf_token

__all__ = ["SECURITY_HEADERS", "TEMPLATES", "ago", "flash", "render", "render_error"]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
        " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # Pages show live state and carry CSRF tokens: never from a shared cache or the back button.
    "Cache-Control": "no-store",
}


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """ "12 s ago", "5 min ago", "3 h ago", "2 d ago": what a person reads at a glance."""
    if moment is None:
        return "never"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # SQLite hands back naive UTC timestamps
    seconds = int(((now or datetime.now(UTC)) - moment).total_seconds())
    if seconds < 0:
        return "just now"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds} s ago"


def timestamp(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def duration(milliseconds: float | None) -> str:
    if milliseconds is None:
        return ""
    if milliseconds < 1000:
        return f"{milliseconds:.0f} ms"
    seconds = milliseconds / 1000
    if seconds < 120:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


def short_sha(sha: str | None) -> str:
    return (sha or "")[:10]


#: Each status's look: colour always comes with the status word (never colour alone).
_STATUS_CLASSES = {
    "succeeded": "is-ok",
    "success": "is-ok",
    "failed": "is-fail",
    "failure": "is-fail",
    "error": "is-fail",
    "waiting": "is-wait",
    "running": "is-run",
    "queued": "is-run",
}
_SEVERITY_CLASSES = {"error": "is-fail", "warning": "is-wait", "info": "is-run"}


def status_class(status: str | None) -> str:
    return _STATUS_CLASSES.get(status or "", "")


def severity_class(severity: str | None) -> str:
    return _SEVERITY_CLASSES.get(severity or "", "")


TEMPLATES = Jinja2Templates(directory=TEMPLATES_DIR)
TEMPLATES.env.filters.update(
    ago=ago,
    timestamp=timestamp,
    duration=duration,
    short_sha=short_sha,
    status_class=status_class,
    severity_class=severity_class,
    inline_markdown=render_inline,
)
TEMPLATES.env.globals["version"] = __version__


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    principal: Principal | None = None,
    status_code: int = 200,
) -> Response:
    values = {
        "principal": principal,
        "csrf_token": csrf_token(request),
        # A message left by the action that redirected here, shown once.
        "flash": request.session.pop("flash", None),
        **(context or {}),
    }
    return TEMPLATES.TemplateResponse(
        request, template, values, status_code=status_code, headers=SECURITY_HEADERS
    )


def flash(request: Request, kind: str, text: str) -> None:
    """Leave a one-line message for the next page this session renders (after a redirect)."""
    request.session["flash"] = {"kind": kind, "text": text}


def render_error(
    request: Request,
    status_code: int,
    heading: str,
    message: str,
    *,
    principal: Principal | None = None,
    back_url: str | None = None,
    back_label: str | None = None,
) -> Response:
    context = {
        "status_code": status_code,
        "heading": heading,
        "message": message,
        "back_url": back_url,
        "back_label": back_label,
    }
    return render(request, "error.html", context, principal=principal, status_code=status_code)
