"""The dashboard: server-rendered pages at ``/`` over the same views as the REST API.

``install(app, config)`` adds the session cookie, the static files and the page routes.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from app.config import Config
from app.dashboard import pages, rollout_actions, sign_in
from app.dashboard.session import SESSION_COOKIE, SESSION_MAX_AGE_SECONDS, session_secret

__all__ = ["install"]

STATIC_DIR = Path(__file__).resolve().parent / "static"


def install(app: FastAPI, config: Config) -> None:
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(config),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE_SECONDS,
        # Lax, not Strict: a link to a review from the forge must open signed in; every
        # state change is a POST with a CSRF token anyway.
        same_site="lax",
        https_only=config.server.public_url.startswith("https://"),
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (sign_in, pages, rollout_actions):
        app.include_router(module.router)
