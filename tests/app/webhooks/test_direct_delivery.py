"""The deployed app sends deliveries straight to the webhook endpoints, around the middleware
stack, with the same request context (id, log line, metrics) as every other request."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from fastapi import Request, Response
from fastapi.testclient import TestClient

from app.api import create_app
from app.config import parse_config
from app.logs import configure_logging
from tests.app.review.harness import SECRET, service_config_text
from tests.app.webhooks.payloads import (
    github_delivery,
    github_pull_request,
    gitlab_delivery,
    gitlab_merge_request,
)
from tests.fakeforge import FakeForge, fake_forge

__all__ = ["fake_forge"]


@pytest.fixture
def service(fake_forge: FakeForge, tmp_path: Path) -> Iterator[tuple[TestClient, list[str]]]:
    """The app as ``serve`` builds it, and the paths its middleware stack saw."""
    app = create_app(parse_config(service_config_text(fake_forge, tmp_path), env={}))
    stacked: list[str] = []

    @app.middleware("http")
    async def record(request: Request, call_next: Callable[[Request], Awaitable[Response]]):  # type: ignore[no-untyped-def]
        stacked.append(f"{request.method} {request.url.path}")
        return await call_next(request)

    with TestClient(app) as client:
        yield client, stacked


def test_deliveries_skip_the_stack_and_keep_the_request_context(
    service: tuple[TestClient, list[str]],
    fake_forge: FakeForge,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client, stacked = service
    configure_logging(level="info", json=True)
    body, headers = github_delivery(github_pull_request(repository="other/repo"), SECRET)
    answer = client.post(
        "/webhooks/github", content=body, headers={**headers, "X-Request-ID": "d-1"}
    )
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "ignored",
        "reason": "repository other/repo is not configured for github",
    }
    assert answer.headers["x-request-id"] == "d-1"
    assert answer.headers["content-type"] == "application/json"
    body, headers = gitlab_delivery(gitlab_merge_request(repository="other/repo"), SECRET)
    assert client.post("/webhooks/gitlab", content=body, headers=headers).status_code == 200
    # Everything else still goes through the stack, the webhook paths' other methods included.
    assert client.get("/webhooks/github").status_code == 405
    metrics = client.get("/metrics").text
    assert stacked == ["GET /webhooks/github", "GET /metrics"]
    for forge in ("github", "gitlab"):
        route = f'route="/webhooks/{forge}",status="200"'
        assert f'schemabot_http_requests_total{{method="POST",{route}}}' in metrics
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line[:1] == "{"]
    [line] = [line for line in lines if line.get("request_id") == "d-1"]
    assert line["event"] == "http.request" and line["path"] == "/webhooks/github"
    assert line["status"] == 200 and line["webhook_outcome"] == "ignored"
    assert fake_forge.requests() == []


def test_a_failure_inside_a_direct_delivery_is_a_500_with_the_request_logged(
    service: tuple[TestClient, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    client, _ = service
    configure_logging(level="info", json=True)
    state = client.app.state  # type: ignore[attr-defined]
    services, state.services = state.services, None  # a delivery then fails inside the endpoint
    body, headers = github_delivery(github_pull_request(), SECRET)
    try:
        with pytest.raises(AttributeError):
            client.post("/webhooks/github", content=body, headers=headers)
    finally:
        state.services = services
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line[:1] == "{"]
    [line] = [line for line in lines if line.get("event") == "http.request"]
    assert line["path"] == "/webhooks/github" and line["status"] == 500
