"""Signing in with an API token: a signed, HttpOnly, SameSite cookie that names the token
without holding it; CSRF tokens on every form; no way to be sent elsewhere after sign-in."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import parse_config
from app.dashboard.session import SESSION_COOKIE
from tests.app.api.service_setup import OPERATE_TOKEN, READ_TOKEN, running, service_config
from tests.app.dashboard.browsing import csrf_of, sign_in


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with running(service_config(tmp_path, {})) as (client, _):
        yield client


def test_a_page_without_a_session_sends_to_sign_in_and_back(client: TestClient) -> None:
    response = client.get("/rollouts?status=failed", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Frollouts%3Fstatus%3Dfailed"
    form = client.get(response.headers["location"])
    assert 'name="next" value="/rollouts?status=failed"' in form.text
    signed = client.post(
        "/sign-in",
        data={
            "token": READ_TOKEN,
            "csrf_token": csrf_of(form.text),
            "next": "/rollouts?status=failed",
        },
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == "/rollouts?status=failed"
    assert client.get("/rollouts?status=failed").status_code == 200


def test_the_cookie_is_signed_httponly_samesite_and_holds_no_token(client: TestClient) -> None:
    form = client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={"token": OPERATE_TOKEN, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()  # public_url is http here
    value = cookie.split(";", 1)[0].split("=", 1)[1]
    payload = json.loads(base64.b64decode(value.split(".", 1)[0]))
    assert payload["token"] == "release-manager"
    assert OPERATE_TOKEN not in json.dumps(payload)
    assert OPERATE_TOKEN not in cookie


def test_the_cookie_is_secure_when_the_service_is_public_over_https(tmp_path: Path) -> None:
    config = service_config(tmp_path, {}, public_url="https://schemabot.example.com")
    with running(config) as (client, _):
        form = client.get("/sign-in")
        response = client.post(
            "/sign-in",
            data={"token": READ_TOKEN, "csrf_token": csrf_of(form.text)},
            follow_redirects=False,
        )
    assert "; secure" in response.headers["set-cookie"].lower()


def test_a_wrong_token_is_refused_and_signs_nobody_in(client: TestClient) -> None:
    form = client.get("/sign-in")
    response = client.post(
        "/sign-in", data={"token": "not-a-token-of-this-server", "csrf_token": csrf_of(form.text)}
    )
    assert response.status_code == 401
    assert "That token is not configured here." in response.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sign_in_without_the_form_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/sign-in")
    response = client.post("/sign-in", data={"token": READ_TOKEN, "csrf_token": "forged"})
    assert response.status_code == 401
    assert "The form expired" in response.text
    assert client.get("/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"]
)
def test_after_sign_in_only_this_site_is_a_destination(client: TestClient, target: str) -> None:
    form = client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={"token": READ_TOKEN, "csrf_token": csrf_of(form.text), "next": target},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_a_tampered_cookie_is_not_a_session(client: TestClient) -> None:
    sign_in(client, OPERATE_TOKEN)
    value = client.cookies[SESSION_COOKIE]
    payload = json.loads(base64.b64decode(value.split(".", 1)[0]))
    payload["token"] = "api_token"
    forged = base64.b64encode(json.dumps(payload).encode()).decode()
    client.cookies.set(SESSION_COOKIE, forged + "." + value.split(".", 1)[1])
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sign_out_needs_the_csrf_token_then_ends_the_session(client: TestClient) -> None:
    sign_in(client, READ_TOKEN)
    page = client.get("/rules")
    refused = client.post("/sign-out", data={"csrf_token": "forged"}, follow_redirects=False)
    assert refused.status_code == 303
    assert client.get("/rules", follow_redirects=False).status_code == 200
    done = client.post("/sign-out", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert done.status_code == 303
    assert client.get("/rules", follow_redirects=False).status_code == 303


def test_signed_in_the_sign_in_page_sends_on(client: TestClient) -> None:
    sign_in(client, READ_TOKEN)
    response = client.get("/sign-in?next=/rules", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/rules"


def test_with_no_token_configured_the_page_says_nobody_can_sign_in(tmp_path: Path) -> None:
    text = f'[server]\nstate_url = "sqlite:///{tmp_path}/s.db"\n'
    with running(parse_config(text, env={})) as (client, _):
        page = client.get("/sign-in")
    assert page.status_code == 200
    assert "No API token is configured on this server" in page.text
