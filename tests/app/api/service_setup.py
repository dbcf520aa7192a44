"""A service to test the API and dashboard against: a config with named tokens and one
repository whose environments are real databases, and the app built from it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.api import create_app
from app.config import Config, parse_config
from app.store import Store

READ_TOKEN = "read-" + "r" * 27
OPERATE_TOKEN = "operate-" + "o" * 24
#: ``server.api_token``: the single operate token of small setups, named ``api_token``.
SINGLE_TOKEN = "single-" + "s" * 25
REPOSITORY = "acme/shop"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def service_config(
    tmp_path: Path,
    environments: Mapping[str, str],
    *,
    gated: tuple[str, ...] = ("production",),
    public_url: str = "http://127.0.0.1:8080",
    extra: str = "",
) -> Config:
    """``environments``: name -> database URL, in rollout order; ``gated`` need approval."""
    blocks = "".join(
        f"""
[[repositories.environments]]
name = "{name}"
url = "{url}"
approval = {"true" if name in gated else "false"}
"""
        for name, url in environments.items()
    )
    text = f"""
[server]
state_url = "sqlite:///{tmp_path}/state.db"
public_url = "{public_url}"
api_token = "{SINGLE_TOKEN}"

[[server.api_tokens]]
name = "viewer"
token = "{READ_TOKEN}"
role = "read"

[[server.api_tokens]]
name = "release-manager"
token = "{OPERATE_TOKEN}"
role = "operate"
{extra}
[[repositories]]
forge = "github"
name = "{REPOSITORY}"
migrations = "db/migrations"
{blocks}"""
    return parse_config(text, env={})


@contextmanager
def running(config: Config) -> Iterator[tuple[TestClient, FastAPI]]:
    """The app started, with its rollout recovery stopped: the tests write rollouts in given
    states (seed.py) as the engine would, and nothing may move them on behind the test's back.
    What a test does (approve, retry, cancel) still wakes the real engine."""
    app = create_app(config)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        recovery = app.state.services.rollout_recovery
        if recovery is not None:
            assert client.portal is not None
            client.portal.call(recovery.stop)
        yield client, app


def store_of(app: FastAPI) -> Store:
    store: Store = app.state.services.store
    return store


def github_forge(api_url: str, token: str) -> str:
    """The ``extra`` config that points the GitHub forge at ``api_url`` (the fake forge)."""
    return f"""
[forges.github]
api_url = "{api_url}"
token = "{token}"
webhook_secret = "webhook-secret-for-tests"
"""
