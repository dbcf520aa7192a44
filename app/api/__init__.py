"""The FastAPI application: ``create_app(config)`` builds it; the CLI serves it."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from app import __version__, dashboard
from app.api import health, routes, webhooks
from app.api.middleware import RequestContextMiddleware
from app.api.services import Services
from app.config import Config

__all__ = ["SchemabotAPI", "create_app"]


class SchemabotAPI(FastAPI):
    """FastAPI, with webhook deliveries sent straight to their endpoints (see
    ``webhooks.direct_deliveries``)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._deliveries = webhooks.direct_deliveries()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            delivery = self._deliveries.get(scope["path"])
            if delivery is not None:
                scope["app"] = self
                await delivery(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def create_app(config: Config) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = await Services.start(config)
        # Everything imported and built by now (~170k objects) lives as long as the process:
        # out of the collector's sight, a full collection no longer walks them all (it took
        # 176 ms, stalling every request in flight: the webhook's p99).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await app.state.services.stop()

    app = SchemabotAPI(
        title="schemabot",
        version=__version__,
        summary="GitOps for database migrations: lint on review, roll out on merge.",
        lifespan=lifespan,
    )
    app.add_middleware(RequestContextMiddleware)
    app.include_router(health.router)
    app.include_router(webhooks.router)
    app.include_router(routes.router)
    dashboard.install(app, config)
    return app
