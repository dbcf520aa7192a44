"""Every API route needs a token: none or a wrong one is 401, a read token on an operate route
is 403. The routes are read from the app, so a new route without a test case fails here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.app.api.service_setup import (
    OPERATE_TOKEN,
    READ_TOKEN,
    SINGLE_TOKEN,
    bearer,
    running,
    service_config,
)

#: Every API route, with a body where it takes one; operate routes are those that change state.
READ_ROUTES = {
    ("GET", "/api/repositories"),
    ("GET", "/api/reviews/{review_id}"),
    ("GET", "/api/rollouts"),
    ("GET", "/api/rollouts/{rollout_id}"),
    ("GET", "/api/rules"),
    ("GET", "/api/rules/{rule_id}"),
}
OPERATE_ROUTES = {
    ("POST", "/api/rollouts/{rollout_id}/approve"),
    ("POST", "/api/rollouts/{rollout_id}/retry"),
    ("POST", "/api/rollouts/{rollout_id}/cancel"),
}
PATH_VALUES = {"review_id": "1", "rollout_id": "1", "rule_id": "create-index-not-concurrently"}
BODY = {"environment": "production"}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, FastAPI]]:
    tmp_path: Path = tmp_path_factory.mktemp("auth")
    with running(service_config(tmp_path, {"production": "sqlite:///p.db"})) as service:
        yield service


@pytest.fixture
def client(service: tuple[TestClient, FastAPI]) -> TestClient:
    return service[0]


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda match: PATH_VALUES[match.group(1)], path)


def call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> int:
    body = BODY if method == "POST" else None
    return client.request(method, concrete(path), headers=headers, json=body).status_code


def test_the_routes_under_test_are_all_the_api_routes(
    service: tuple[TestClient, FastAPI],
) -> None:
    paths = service[1].openapi()["paths"]
    routes = {
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/api/")
        for method in operations
    }
    assert routes == READ_ROUTES | OPERATE_ROUTES


@pytest.mark.parametrize(("method", "path"), sorted(READ_ROUTES | OPERATE_ROUTES))
@pytest.mark.parametrize(
    "headers",
    [
        {},
        bearer("not-a-configured-token-at-all"),
        bearer(READ_TOKEN + "x"),
        {"Authorization": f"Basic {READ_TOKEN}"},
        {"Authorization": "Bearer"},
    ],
    ids=["no-token", "unknown-token", "token-with-extra", "basic-scheme", "empty-bearer"],
)
def test_no_token_or_a_wrong_one_is_401(
    client: TestClient, method: str, path: str, headers: dict[str, str]
) -> None:
    response = client.request(
        method, concrete(path), headers=headers, json=BODY if method == "POST" else None
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert READ_TOKEN not in response.text


@pytest.mark.parametrize(("method", "path"), sorted(OPERATE_ROUTES))
def test_a_read_token_on_an_operate_route_is_403(
    client: TestClient, method: str, path: str
) -> None:
    response = client.request(method, concrete(path), headers=bearer(READ_TOKEN), json=BODY)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "token 'viewer' has the read role; this needs an operate token"
    }


@pytest.mark.parametrize(("method", "path"), sorted(READ_ROUTES))
@pytest.mark.parametrize("token", [READ_TOKEN, OPERATE_TOKEN, SINGLE_TOKEN])
def test_every_token_may_read(client: TestClient, method: str, path: str, token: str) -> None:
    # 200, or 404 for the ids that name nothing in this empty store: past authentication.
    assert call(client, method, path, bearer(token)) in (200, 404)


@pytest.mark.parametrize(("method", "path"), sorted(OPERATE_ROUTES))
@pytest.mark.parametrize("token", [OPERATE_TOKEN, SINGLE_TOKEN])
def test_operate_tokens_get_past_the_role_check(
    client: TestClient, method: str, path: str, token: str
) -> None:
    # Rollout 1 does not exist: a 404 shows the request got past authentication and role.
    assert call(client, method, path, bearer(token)) == 404
