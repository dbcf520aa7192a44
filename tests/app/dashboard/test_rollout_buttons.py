"""The approve, retry and cancel buttons: operate tokens only, CSRF-checked, each answered by
a redirect back to the rollout with what happened shown once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.app.api.seed import seed_rollout
from tests.app.api.service_setup import (
    OPERATE_TOKEN,
    READ_TOKEN,
    REPOSITORY,
    running,
    service_config,
    store_of,
)
from tests.app.dashboard.browsing import csrf_of, sign_in

ENVIRONMENTS = {"dev": "sqlite:///dev.db", "production": "sqlite:///production.db"}


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[TestClient, FastAPI, int]]:
    with running(service_config(tmp_path, ENVIRONMENTS)) as (client, app):
        rollout_id = seed_rollout(
            store_of(app),
            repository=REPOSITORY,
            commit_sha="a" * 40,
            status="waiting",
            waiting_for="approval",
            steps={"dev": {"status": "succeeded"}, "production": {"status": "waiting"}},
        )
        yield client, app, rollout_id


def test_an_operator_approves_with_the_button(service: tuple[TestClient, FastAPI, int]) -> None:
    client, app, rollout_id = service
    sign_in(client, OPERATE_TOKEN)
    page = client.get(f"/rollouts/{rollout_id}")
    response = client.post(
        f"/rollouts/{rollout_id}/approve",
        data={"csrf_token": csrf_of(page.text), "environment": "production"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/rollouts/{rollout_id}"
    approval = store_of(app).approvals.of_rollout(rollout_id)["production"]
    assert approval.username == "release-manager"
    shown = client.get(f"/rollouts/{rollout_id}").text
    assert "Done: approved <code>production</code>." in shown
    assert "Approved by <strong>release-manager</strong>" in shown
    # Shown once: the next page has no message.
    assert "Done: approved" not in client.get(f"/rollouts/{rollout_id}").text


def test_a_form_without_the_session_csrf_token_changes_nothing(
    service: tuple[TestClient, FastAPI, int],
) -> None:
    client, app, rollout_id = service
    sign_in(client, OPERATE_TOKEN)
    for token in ("", "forged-token"):
        response = client.post(
            f"/rollouts/{rollout_id}/approve",
            data={"csrf_token": token, "environment": "production"},
        )
        assert response.status_code == 403
        assert "This form has expired" in response.text
    assert store_of(app).approvals.of_rollout(rollout_id) == {}


def test_a_read_token_cannot_use_the_form_either(service: tuple[TestClient, FastAPI, int]) -> None:
    client, app, rollout_id = service
    sign_in(client, READ_TOKEN)
    page = client.get(f"/rollouts/{rollout_id}")
    response = client.post(
        f"/rollouts/{rollout_id}/approve",
        data={"csrf_token": csrf_of(page.text), "environment": "production"},
    )
    assert response.status_code == 403
    assert "has the read role" in response.text
    assert store_of(app).approvals.of_rollout(rollout_id) == {}


def test_without_a_session_the_form_sends_to_sign_in(
    service: tuple[TestClient, FastAPI, int],
) -> None:
    client, app, rollout_id = service
    response = client.post(
        f"/rollouts/{rollout_id}/cancel", data={"csrf_token": "x"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?next=")
    rollout = store_of(app).rollouts.get(rollout_id)
    assert rollout is not None
    assert rollout.status == "waiting"


def test_a_refusal_is_shown_on_the_rollout(service: tuple[TestClient, FastAPI, int]) -> None:
    client, _, rollout_id = service
    sign_in(client, OPERATE_TOKEN)
    page = client.get(f"/rollouts/{rollout_id}")
    # The redirect is followed: the rollout's page shows the message.
    shown = client.post(
        f"/rollouts/{rollout_id}/retry",
        data={"csrf_token": csrf_of(page.text), "environment": "dev"},
    ).text
    assert "Nothing happened: nothing to retry: the rollout of this pull request is waiting." in (
        shown
    )


def test_cancel_from_the_dashboard(service: tuple[TestClient, FastAPI, int]) -> None:
    client, app, rollout_id = service
    sign_in(client, OPERATE_TOKEN)
    page = client.get(f"/rollouts/{rollout_id}")
    assert 'data-confirm="Cancel rollout' in page.text
    after = client.post(
        f"/rollouts/{rollout_id}/cancel", data={"csrf_token": csrf_of(page.text)}
    ).text
    rollout = store_of(app).rollouts.get(rollout_id)
    assert rollout is not None
    assert rollout.status == "cancelled"
    assert rollout.cancel_requested_by == "release-manager"
    assert "Done: cancelled the rollout." in after
    assert f'action="/rollouts/{rollout_id}/cancel"' not in after


def test_an_unknown_rollout_is_a_404_page(service: tuple[TestClient, FastAPI, int]) -> None:
    client, _, rollout_id = service
    sign_in(client, OPERATE_TOKEN)
    csrf = csrf_of(client.get(f"/rollouts/{rollout_id}").text)
    response = client.post("/rollouts/abc/cancel", data={"csrf_token": csrf})
    assert response.status_code == 404
    assert "No such rollout" in response.text
