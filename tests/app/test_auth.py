"""Bearer tokens: 401 without or with a wrong token, 403 for a read token on an operate route."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.api.auth import OperatorDep, ReaderDep, authenticate
from app.config import ConfigError, parse_config

READ = "r" * 32
OPERATE = "o" * 32
SINGLE = "s" * 32


def config_text(tmp_path: Path) -> str:
    return f"""
[server]
state_url = "sqlite:///{tmp_path}/state.db"
api_token = "{SINGLE}"

[[server.api_tokens]]
name = "dashboard-viewer"
token = "{READ}"
role = "read"

[[server.api_tokens]]
name = "release-bot"
token = "{OPERATE}"
role = "operate"
"""


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(parse_config(config_text(tmp_path), env={}))

    @app.get("/test/read")
    async def read(principal: ReaderDep) -> dict[str, str]:
        return {"name": principal.name, "role": principal.role}

    @app.post("/test/operate")
    async def operate(principal: OperatorDep) -> dict[str, str]:
        return {"name": principal.name}

    with TestClient(app) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    "headers",
    [{}, bearer("wrong" * 8), {"Authorization": f"Basic {READ}"}, {"Authorization": "Bearer "}],
)
def test_no_token_or_a_wrong_one_is_401(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/test/read", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert READ not in response.text


def test_each_token_is_known_by_its_name_and_role(client: TestClient) -> None:
    assert client.get("/test/read", headers=bearer(READ)).json() == {
        "name": "dashboard-viewer",
        "role": "read",
    }
    assert client.get("/test/read", headers=bearer(SINGLE)).json() == {
        "name": "api_token",
        "role": "operate",
    }


def test_a_read_token_on_an_operate_route_is_403(client: TestClient) -> None:
    response = client.post("/test/operate", headers=bearer(READ))
    assert response.status_code == 403
    assert "read role" in response.json()["detail"]
    assert client.post("/test/operate", headers=bearer(OPERATE)).json() == {"name": "release-bot"}


def test_authenticate_without_tokens_configured_refuses_everything(tmp_path: Path) -> None:
    config = parse_config(f'[server]\nstate_url = "sqlite:///{tmp_path}/s.db"\n', env={})
    assert authenticate(config, "") is None
    assert authenticate(config, "anything") is None


def test_a_short_token_is_refused_at_load(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(config_text(tmp_path).replace(READ, "short"), env={})
    assert raised.value.problems == [
        "server.api_tokens[0].token: must be at least 16 characters (generate one: openssl rand"
        " -hex 32)",
    ]


def test_duplicate_token_names_are_refused_at_load(tmp_path: Path) -> None:
    text = config_text(tmp_path).replace("release-bot", "dashboard-viewer")
    with pytest.raises(ConfigError) as raised:
        parse_config(text, env={})
    assert raised.value.problems == [
        "server: api_tokens names must be unique (and not api_token): ['dashboard-viewer']"
    ]
