"""The app answers liveness, readiness and metrics; logs carry the request id, never secrets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.config import parse_config
from app.logs import configure_logging


def client_for(text: str) -> Iterator[TestClient]:
    app = create_app(parse_config(text, env={}))
    with TestClient(app) as client:
        yield client


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    yield from client_for(f'[server]\nstate_url = "sqlite:///{tmp_path}/state.db"\n')


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["x-request-id"]


def test_readyz_reports_store_queue_and_disabled_forges(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"store": "ok", "queue": "ok"},
        "forges": {
            "github": "disabled: no token and no app_id + private_key_path",
            "gitlab": "disabled: no token",
        },
    }


def test_readyz_with_redis(tmp_path: Path, redis_url: str) -> None:
    text = f'[server]\nstate_url = "sqlite:///{tmp_path}/s.db"\nredis_url = "{redis_url}"\n'
    for client in client_for(text):
        response = client.get("/readyz")
        assert response.status_code == 200, response.text


def test_readyz_is_503_with_the_reason_when_redis_is_down(tmp_path: Path) -> None:
    text = (
        f'[server]\nstate_url = "sqlite:///{tmp_path}/s.db"\n'
        'redis_url = "redis://:hunter2@127.0.0.1:1/0"\n'
    )
    for client in client_for(text):
        response = client.get("/readyz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "not ready"
        assert body["checks"]["store"] == "ok"
        assert "127.0.0.1" in body["checks"]["queue"]
        assert "hunter2" not in response.text


def test_metrics_count_requests_by_route(client: TestClient) -> None:
    client.get("/readyz")
    text = client.get("/metrics").text
    assert 'schemabot_http_requests_total{method="GET",route="/readyz",status="200"}' in text
    assert "schemabot_webhook_deliveries_total" in text or "# HELP schemabot_jobs_total" in text


def test_request_logs_are_json_with_request_id_and_masked_dsns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(level="info", json=True)
    text = f'[server]\nstate_url = "sqlite:///{tmp_path}/state.db"\n'
    for client in client_for(text):
        client.get("/readyz", headers={"X-Request-ID": "req-42"})
        import structlog

        structlog.get_logger("test").info("connecting", url="postgresql://bob:hunter2@db/x")
    lines = [
        json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")
    ]
    request_lines = [line for line in lines if line.get("event") == "http.request"]
    assert request_lines and request_lines[0]["request_id"] == "req-42"
    assert request_lines[0]["path"] == "/readyz" and request_lines[0]["status"] == 200
    connecting = [line for line in lines if line.get("event") == "connecting"]
    assert connecting[0]["url"] == "postgresql://bob:***@db/x"
    assert all("hunter2" not in json.dumps(line) for line in lines)
