"""``/sign-in`` and ``/sign-out``: trade an API token for a session cookie, and back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.api.deps import ConfigDep
from app.dashboard.session import csrf_valid, sign_in, sign_out, signed_in
from app.dashboard.templating import flash, render

__all__ = ["router", "safe_next"]

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never ``//host`` or a URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(character) < 32 for character in target):
        return "/"
    return target


def _form(request: Request, config: ConfigDep, *, next_url: str, error: str | None) -> Response:
    no_tokens = config.server.api_token is None and not config.server.api_tokens
    code = status.HTTP_401_UNAUTHORIZED if error else status.HTTP_200_OK
    context = {"next": next_url, "error": error, "no_tokens": no_tokens}
    return render(request, "sign_in.html", context, status_code=code)


@router.get("/sign-in")
async def sign_in_form(request: Request, config: ConfigDep, next: str | None = None) -> Response:
    if signed_in(request, config) is not None:
        return RedirectResponse(safe_next(next), status.HTTP_303_SEE_OTHER)
    return _form(request, config, next_url=safe_next(next), error=None)


@router.post("/sign-in")
async def sign_in_submit(
    request: Request,
    config: ConfigDep,
    token: Annotated[str, Form(max_length=4096)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    target = safe_next(next)
    if not csrf_valid(request, csrf_token):
        return _form(request, config, next_url=target, error="The form expired; try again.")
    if sign_in(request, config, token.strip()) is None:
        return _form(request, config, next_url=target, error="That token is not configured here.")
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER)


@router.post("/sign-out")
async def sign_out_submit(
    request: Request, csrf_token: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    if csrf_valid(request, csrf_token):
        sign_out(request)
        flash(request, "ok", "Signed out.")
    return RedirectResponse("/sign-in", status.HTTP_303_SEE_OTHER)
