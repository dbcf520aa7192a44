"""``GET /api/repositories``: each environment's state, read from its own database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg

from tests.app.api.databases import MIGRATIONS, migrate, new_database, write_migrations
from tests.app.api.seed import seed_rollout
from tests.app.api.service_setup import (
    READ_TOKEN,
    REPOSITORY,
    bearer,
    running,
    service_config,
    store_of,
)

__all__ = ["new_database"]


def test_each_environment_shows_what_its_database_has_applied(
    tmp_path: Path, new_database: Callable[[], str]
) -> None:
    dev, production = new_database(), new_database()
    migrations = write_migrations(tmp_path / "migrations", MIGRATIONS)
    migrate(dev, migrations)
    migrate(production, write_migrations(tmp_path / "first", dict(list(MIGRATIONS.items())[:1])))
    config = service_config(tmp_path, {"dev": dev, "production": production})
    with running(config) as (client, _):
        response = client.get("/api/repositories", headers=bearer(READ_TOKEN))
    assert response.status_code == 200
    [repository] = response.json()
    assert repository["name"] == REPOSITORY
    assert repository["migrations"] == "db/migrations"
    dev_state, production_state = repository["environments"]
    assert dev_state["name"] == "dev"
    assert dev_state["reachable"] is True
    assert dev_state["applied_version"] == "0002"
    assert dev_state["applied_count"] == 2
    assert dev_state["dirty"] is None
    assert dev_state["approval"] is False
    assert dev_state["last_rollout"] is None
    assert production_state["name"] == "production"
    assert production_state["applied_version"] == "0001"
    assert production_state["applied_count"] == 1
    assert production_state["approval"] is True
    assert production_state["last_applied_at"] is not None


def test_a_waiting_rollout_shows_at_its_environment_with_what_is_pending(
    tmp_path: Path, new_database: Callable[[], str]
) -> None:
    config = service_config(tmp_path, {"dev": new_database(), "production": new_database()})
    with running(config) as (client, app):
        rollout_id = seed_rollout(
            store_of(app),
            repository=REPOSITORY,
            commit_sha="c" * 40,
            status="waiting",
            waiting_for="approval",
            steps={
                "dev": {"status": "succeeded"},
                "production": {"status": "waiting", "pending": ["0002_add_email.sql"]},
            },
        )
        environments = client.get("/api/repositories", headers=bearer(READ_TOKEN)).json()[0][
            "environments"
        ]
    dev_state, production_state = environments
    assert dev_state["last_rollout"]["id"] == rollout_id
    assert dev_state["last_rollout"]["step_status"] == "succeeded"
    assert dev_state["pending"] is None
    assert production_state["last_rollout"] == {
        "id": rollout_id,
        "commit_sha": "c" * 40,
        "status": "waiting",
        "step_status": "waiting",
        "waiting_for": "approval",
        "updated_at": production_state["last_rollout"]["updated_at"],
    }
    assert production_state["pending"] == ["0002_add_email.sql"]


def test_a_dirty_database_says_where_it_stopped(
    tmp_path: Path, new_database: Callable[[], str]
) -> None:
    dev = new_database()
    migrate(dev, write_migrations(tmp_path / "ok", dict(list(MIGRATIONS.items())[:1])))
    # A crash mid-file leaves a history row that started and never finished.
    with psycopg.connect(dev, autocommit=True) as connection:
        connection.execute(
            "INSERT INTO schemabot_history (version, description, kind, script, checksum,"
            " applied_by, started_at) VALUES ('0002', 'add email', 'versioned',"
            " '0002_add_email.sql', 'x', 'test', now())"
        )
    config = service_config(tmp_path, {"dev": dev}, gated=())
    with running(config) as (client, _):
        [dev_state] = client.get("/api/repositories", headers=bearer(READ_TOKEN)).json()[0][
            "environments"
        ]
    assert dev_state["reachable"] is True
    assert dev_state["dirty"] is not None
    assert dev_state["dirty"]["script"] == "0002_add_email.sql"
    assert dev_state["dirty"]["state"] == "interrupted"
    assert dev_state["applied_version"] == "0001"


def test_an_unreachable_database_is_shown_with_the_reason_and_no_password(
    tmp_path: Path,
) -> None:
    # Port 1 on this machine: nothing listens, the connection is refused at once.
    config = service_config(
        tmp_path, {"dev": "postgresql://migrator:hunter2@127.0.0.1:1/shop"}, gated=()
    )
    with running(config) as (client, _):
        response = client.get("/api/repositories", headers=bearer(READ_TOKEN))
    assert response.status_code == 200
    [dev_state] = response.json()[0]["environments"]
    assert dev_state["reachable"] is False
    assert dev_state["applied_version"] is None
    assert dev_state["error"]
    assert dev_state["database"] == "postgresql://migrator:***@127.0.0.1:1/shop"
    assert "hunter2" not in response.text
