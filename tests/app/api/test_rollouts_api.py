"""``GET /api/rollouts`` (filters, pages) and ``GET /api/rollouts/{id}`` (steps, approvals,
errors, the audit trail)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.app.api.seed import seed_rollout
from tests.app.api.service_setup import (
    READ_TOKEN,
    REPOSITORY,
    bearer,
    running,
    service_config,
    store_of,
)

OTHER_REPOSITORY = "acme/billing"
FAILURE = {
    "kind": "migration",
    "version": "0002",
    "script": "0002_add_email.sql",
    "line": 3,
    "statement": "ALTER TABLE users ADD COLUMN email text NOT NULL",
    "error": 'column "email" of relation "users" contains null values',
    "dirty": False,
}


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[TestClient, FastAPI]]:
    # Rollouts are read from the store; the databases are never asked here.
    environments = {"dev": "sqlite:///dev.db", "production": "sqlite:///production.db"}
    with running(service_config(tmp_path, environments)) as service:
        yield service


def get(client: TestClient, path: str) -> Any:
    response = client.get(path, headers=bearer(READ_TOKEN))
    assert response.status_code == 200, response.text
    return response.json()


def test_a_failed_rollout_shows_the_failing_statement_and_error(
    service: tuple[TestClient, FastAPI],
) -> None:
    client, app = service
    rollout_id = seed_rollout(
        store_of(app),
        repository=REPOSITORY,
        commit_sha="f" * 40,
        status="failed",
        steps={
            "dev": {
                "status": "failed",
                "failure": FAILURE,
                "attempts": 1,
                "applied": [
                    {"script": "0001_create_users.sql", "version": "0001", "duration_ms": 12}
                ],
                "duration_ms": 40,
            }
        },
    )
    rollout = get(client, f"/api/rollouts/{rollout_id}")
    assert rollout["status"] == "failed"
    assert rollout["current_environment"] == "dev"
    assert rollout["commit_sha"] == "f" * 40
    dev, production = rollout["steps"]
    assert dev["status"] == "failed"
    assert dev["needs_approval"] is False
    assert dev["failure"] == {**FAILURE, "problems": []}
    assert dev["applied"] == [
        {"script": "0001_create_users.sql", "version": "0001", "duration_ms": 12.0}
    ]
    assert dev["duration_ms"] == 40
    assert production["status"] == "pending"
    assert production["needs_approval"] is True
    assert production["approval"] is None


def test_an_approval_and_the_audit_trail_are_part_of_the_rollout(
    service: tuple[TestClient, FastAPI],
) -> None:
    client, app = service
    store = store_of(app)
    rollout_id = seed_rollout(
        store,
        repository=REPOSITORY,
        commit_sha="a" * 40,
        status="succeeded",
        steps={"dev": {"status": "succeeded"}, "production": {"status": "succeeded"}},
    )
    store.approvals.add(
        rollout_id=rollout_id, environment="production", username="ada", permission="maintain"
    )
    store.audit.record(
        actor="ada",
        action="command.approve",
        subject=f"rollout:{rollout_id}",
        detail={"environment": "production"},
    )
    rollout = get(client, f"/api/rollouts/{rollout_id}")
    production = rollout["steps"][1]
    assert production["approval"]["username"] == "ada"
    assert production["approval"]["permission"] == "maintain"
    assert rollout["current_environment"] is None
    [event] = rollout["events"]
    assert (event["actor"], event["action"]) == ("ada", "command.approve")
    assert event["detail"] == {"environment": "production"}


def test_the_list_is_newest_first_filtered_and_paged(service: tuple[TestClient, FastAPI]) -> None:
    client, app = service
    store = store_of(app)
    ids = [
        seed_rollout(store, repository=REPOSITORY, commit_sha=f"{n}" * 40, status=status)
        for n, status in enumerate(["succeeded", "failed", "succeeded", "waiting"])
    ]
    other = seed_rollout(store, repository=OTHER_REPOSITORY, commit_sha="e" * 40, status="failed")

    everything = get(client, "/api/rollouts")
    assert [item["id"] for item in everything["items"]] == [other, *reversed(ids)]
    assert everything["total"] == 5

    ours = get(client, f"/api/rollouts?repository={REPOSITORY.upper()}")
    assert [item["id"] for item in ours["items"]] == list(reversed(ids))

    failed = get(client, "/api/rollouts?status=failed")
    assert [item["id"] for item in failed["items"]] == [other, ids[1]]

    two_statuses = get(client, "/api/rollouts?status=failed&status=waiting")
    assert [item["id"] for item in two_statuses["items"]] == [other, ids[3], ids[1]]

    second_page = get(client, "/api/rollouts?limit=2&offset=2")
    assert [item["id"] for item in second_page["items"]] == [ids[2], ids[1]]
    assert (second_page["total"], second_page["limit"], second_page["offset"]) == (5, 2, 2)

    past_the_end = get(client, "/api/rollouts?offset=100")
    assert past_the_end["items"] == []
    assert past_the_end["total"] == 5


@pytest.mark.parametrize(
    "query",
    ["status=exploded", "limit=0", "limit=101", "offset=-1", "offset=99999999999999999999"],
)
def test_bad_filters_are_422(service: tuple[TestClient, FastAPI], query: str) -> None:
    client, _ = service
    response = client.get(f"/api/rollouts?{query}", headers=bearer(READ_TOKEN))
    assert response.status_code == 422


def test_an_unknown_rollout_is_404(service: tuple[TestClient, FastAPI]) -> None:
    client, _ = service
    response = client.get("/api/rollouts/999", headers=bearer(READ_TOKEN))
    assert response.status_code == 404
    assert response.json() == {"detail": "no rollout 999"}


def test_an_unknown_query_parameter_is_422_not_ignored(
    service: tuple[TestClient, FastAPI],
) -> None:
    client, _ = service
    response = client.get("/api/rollouts?stauts=failed", headers=bearer(READ_TOKEN))
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["query", "stauts"]
    assert problem["msg"] == (
        "unknown query parameter 'stauts' (this endpoint takes: limit, offset, repository, status)"
    )
    # Who asks is settled first: without a token it is 401 whatever the query.
    assert client.get("/api/rollouts?stauts=failed").status_code == 401
