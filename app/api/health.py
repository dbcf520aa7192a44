"""Liveness, readiness and metrics."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.api.deps import ServicesDep

__all__ = ["router"]

router = APIRouter(tags=["health"])

#: Readiness must answer quickly even when a dependency hangs (Kubernetes probes time out).
READY_CHECK_SECONDS = 2.0


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive (nothing else is checked)."""
    return {"status": "ok"}


async def _check(name: str, probe: Any) -> tuple[str, str | None]:
    try:
        await asyncio.wait_for(probe(), READY_CHECK_SECONDS)
    except TimeoutError:
        return name, f"no answer within {READY_CHECK_SECONDS:g}s"
    except Exception as error:  # any failure makes the replica not ready, with the reason
        return name, f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    return name, None


@router.get("/readyz")
async def readyz(services: ServicesDep) -> JSONResponse:
    """The store and the queue answer; forges are listed with why one is disabled."""
    results = await asyncio.gather(
        _check("store", lambda: asyncio.to_thread(services.store.ping)),
        _check("queue", services.queue.ping),
    )
    checks = {name: ("ok" if error is None else error) for name, error in results}
    forges = {
        name: ("enabled" if forge.enabled else f"disabled: {forge.disabled_reason}")
        for name, forge in (
            ("github", services.config.forges.github),
            ("gitlab", services.config.forges.gitlab),
        )
    }
    ready = all(error is None for _, error in results)
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks, "forges": forges},
        status_code=200 if ready else 503,
    )


@router.get("/metrics")
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
