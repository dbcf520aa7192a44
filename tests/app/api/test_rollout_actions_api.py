"""``POST /api/rollouts/{id}/approve|retry|cancel``: the rollout's own actions, for operate
tokens, audited under the token's name, refused with 404/409/403/422 and a reason."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.store import Store
from tests.app.api.seed import seed_rollout
from tests.app.api.service_setup import (
    OPERATE_TOKEN,
    REPOSITORY,
    SINGLE_TOKEN,
    bearer,
    running,
    service_config,
    store_of,
)

ENVIRONMENTS = {"dev": "sqlite:///dev.db", "production": "sqlite:///production.db"}


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[TestClient, FastAPI]]:
    with running(service_config(tmp_path, ENVIRONMENTS)) as service:
        yield service


def waiting_at_production(store: Store, commit: str = "a") -> int:
    return seed_rollout(
        store,
        repository=REPOSITORY,
        commit_sha=commit * 40,
        status="waiting",
        waiting_for="approval",
        steps={"dev": {"status": "succeeded"}, "production": {"status": "waiting"}},
    )


def failed_at_dev(store: Store) -> int:
    return seed_rollout(
        store,
        repository=REPOSITORY,
        commit_sha="f" * 40,
        status="failed",
        steps={"dev": {"status": "failed", "failure": {"kind": "error", "error": "boom"}}},
    )


def post(client: TestClient, path: str, body: Any = None, token: str = OPERATE_TOKEN) -> Any:
    return client.post(path, json=body, headers=bearer(token))


def audit_of(store: Store, rollout_id: int) -> list[tuple[str, str]]:
    entries = store.audit.entries(subject=f"rollout:{rollout_id}")
    return [(entry.actor, entry.action) for entry in reversed(entries)]


def test_an_operate_token_approves_and_the_audit_log_names_it(
    service: tuple[TestClient, FastAPI],
) -> None:
    client, app = service
    store = store_of(app)
    rollout_id = waiting_at_production(store)
    response = post(client, f"/api/rollouts/{rollout_id}/approve", {"environment": "production"})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["message"] == "approved `production`"
    production = answer["rollout"]["steps"][1]
    assert production["approval"]["username"] == "release-manager"
    assert store.approvals.of_rollout(rollout_id)["production"].username == "release-manager"
    assert ("release-manager", "command.approve") in audit_of(store, rollout_id)


def test_the_single_api_token_is_audited_as_api_token(
    service: tuple[TestClient, FastAPI],
) -> None:
    client, app = service
    rollout_id = waiting_at_production(store_of(app))
    response = post(
        client, f"/api/rollouts/{rollout_id}/approve", {"environment": "production"}, SINGLE_TOKEN
    )
    assert response.status_code == 200
    assert ("api_token", "command.approve") in audit_of(store_of(app), rollout_id)


def test_approving_twice_is_409_and_records_one_approval(
    service: tuple[TestClient, FastAPI],
) -> None:
    client, app = service
    rollout_id = waiting_at_production(store_of(app))
    path = f"/api/rollouts/{rollout_id}/approve"
    assert post(client, path, {"environment": "production"}).status_code == 200
    again = post(client, path, {"environment": "production"}, SINGLE_TOKEN)
    assert again.status_code == 409
    assert "production" in again.json()["detail"]
    assert store_of(app).approvals.of_rollout(rollout_id)["production"].username == (
        "release-manager"
    )


def test_approving_what_does_not_wait_is_409_with_the_reason(
    service: tuple[TestClient, FastAPI],
) -> None:
    client, app = service
    store = store_of(app)
    done = seed_rollout(store, repository=REPOSITORY, commit_sha="d" * 40, status="succeeded")
    response = post(client, f"/api/rollouts/{done}/approve", {"environment": "production"})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "`production` is not waiting for an approval (the rollout is succeeded);"
        " approve it when the report says it waits"
    }
    # Refusals are audited too, under the token's name.
    assert ("release-manager", "command.approve.refused") in audit_of(store, done)
    ungated = post(client, f"/api/rollouts/{done}/approve", {"environment": "dev"})
    assert ungated.status_code == 409
    assert ungated.json() == {"detail": "`dev` needs no approval"}


def test_an_unknown_rollout_or_environment_is_404(service: tuple[TestClient, FastAPI]) -> None:
    client, app = service
    rollout_id = waiting_at_production(store_of(app))
    missing = post(client, "/api/rollouts/4242/approve", {"environment": "production"})
    assert missing.status_code == 404
    assert missing.json() == {"detail": "no rollout 4242"}
    unknown = post(client, f"/api/rollouts/{rollout_id}/approve", {"environment": "staging"})
    assert unknown.status_code == 404
    assert unknown.json() == {
        "detail": f"rollout {rollout_id} has no environment 'staging' (its environments:"
        " dev, production)"
    }
    assert post(client, "/api/rollouts/4242/cancel").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        None,
        {},
        {"environment": ""},
        {"environment": "Prod!"},
        {"environment": "x" * 41},
        {"environment": "production", "force": True},
        ["production"],
    ],
)
def test_a_malformed_body_is_422(service: tuple[TestClient, FastAPI], body: Any) -> None:
    client, app = service
    rollout_id = waiting_at_production(store_of(app))
    response = post(client, f"/api/rollouts/{rollout_id}/approve", body)
    assert response.status_code == 422
    assert store_of(app).approvals.of_rollout(rollout_id) == {}


def test_a_body_that_is_not_json_is_400(service: tuple[TestClient, FastAPI]) -> None:
    client, app = service
    rollout_id = waiting_at_production(store_of(app))
    response = client.post(
        f"/api/rollouts/{rollout_id}/approve",
        content=b"\xff{",
        headers={**bearer(OPERATE_TOKEN), "Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_an_approvers_list_holds_for_tokens_too(tmp_path: Path) -> None:
    config = service_config(tmp_path, ENVIRONMENTS)
    repository = config.repositories[0]
    production = repository.environments[1].model_copy(update={"approvers": ("ada",)})
    gated = repository.model_copy(update={"environments": (repository.environments[0], production)})
    config = config.model_copy(update={"repositories": (gated,)})
    with running(config) as (client, app):
        rollout_id = waiting_at_production(store_of(app))
        response = post(
            client, f"/api/rollouts/{rollout_id}/approve", {"environment": "production"}
        )
        assert response.status_code == 403
        assert response.json() == {
            "detail": "@release-manager is not an approver of `production` (approvers: @ada)"
        }
        assert store_of(app).approvals.of_rollout(rollout_id) == {}


def test_retry_runs_the_failed_environment_again(service: tuple[TestClient, FastAPI]) -> None:
    client, app = service
    store = store_of(app)
    rollout_id = failed_at_dev(store)
    wrong = post(client, f"/api/rollouts/{rollout_id}/retry", {"environment": "production"})
    assert wrong.status_code == 409
    assert wrong.json()["detail"].startswith("the rollout failed in `dev`, not `production`")
    response = post(client, f"/api/rollouts/{rollout_id}/retry", {"environment": "dev"})
    assert response.status_code == 200
    assert response.json()["message"] == "retrying `dev`"
    assert ("release-manager", "command.retry") in audit_of(store, rollout_id)


def test_retrying_what_did_not_fail_is_409(service: tuple[TestClient, FastAPI]) -> None:
    client, app = service
    waiting = waiting_at_production(store_of(app))
    nothing = post(client, f"/api/rollouts/{waiting}/retry", {"environment": "dev"})
    assert nothing.status_code == 409
    assert nothing.json() == {
        "detail": "nothing to retry: the rollout of this pull request is waiting"
    }


def test_cancel_stops_a_waiting_rollout_and_not_twice(service: tuple[TestClient, FastAPI]) -> None:
    client, app = service
    store = store_of(app)
    rollout_id = waiting_at_production(store)
    response = post(client, f"/api/rollouts/{rollout_id}/cancel")
    assert response.status_code == 200
    assert response.json()["message"] == "cancelled the rollout"
    assert response.json()["rollout"]["status"] == "cancelled"
    assert response.json()["rollout"]["cancel_requested_by"] == "release-manager"
    again = post(client, f"/api/rollouts/{rollout_id}/cancel")
    assert again.status_code == 409
    assert again.json() == {"detail": "the rollout is already cancelled"}
    assert ("release-manager", "command.cancel") in audit_of(store, rollout_id)
