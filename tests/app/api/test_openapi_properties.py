"""A property-based run of the OpenAPI description (schemathesis, in-process over ASGI): for
inputs generated from the schema, valid and invalid, the API never answers 5xx and every
answer matches the schema it publishes."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import negative_data_rejection
from schemathesis.generation.modes import GenerationMode

from app.api import create_app
from app.store import Store
from tests.app.api.seed import finding, seed_review, seed_rollout
from tests.app.api.service_setup import OPERATE_TOKEN, REPOSITORY, bearer, service_config
from tests.app.api.test_api_auth import OPERATE_ROUTES, READ_ROUTES

#: Examples per operation: enough to walk ids, filters and bodies; the run stays well under a
#: minute for all operations together.
EXAMPLES_PER_OPERATION = 25


def seed(config_url: str) -> None:
    """Something to find behind the low ids the generator tries first."""
    store = Store(config_url)
    store.upgrade()
    try:
        seed_review(
            store,
            repository=REPOSITORY,
            findings=[finding("db/0001.sql", 1, 1, "create-index-not-concurrently", "m")],
        )
        seed_rollout(
            store,
            repository=REPOSITORY,
            commit_sha="a" * 40,
            status="waiting",
            waiting_for="approval",
            steps={"dev": {"status": "succeeded"}, "production": {"status": "waiting"}},
        )
        seed_rollout(
            store,
            repository=REPOSITORY,
            commit_sha="b" * 40,
            status="failed",
            steps={"dev": {"status": "failed", "failure": {"kind": "error", "error": "boom"}}},
        )
    finally:
        store.close()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_error_and_no_schema_violation(tmp_path: Path, mode: GenerationMode) -> None:
    config = service_config(
        tmp_path,
        {"dev": f"sqlite:///{tmp_path}/dev.db", "production": f"sqlite:///{tmp_path}/p.db"},
    )
    seed(config.server.state_url)
    app: FastAPI = create_app(config)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(path_regex="^/api/")
    operations = [result.ok() for result in schema.get_all_operations()]
    # Every API route is exercised (test_api_auth checks that these are all of them).
    assert {(op.method.upper(), op.path) for op in operations} == READ_ROUTES | OPERATE_ROUTES
    # Invalid inputs must still get no 5xx and answers within the schema. Whether each was
    # *refused* is not asked: a query string cannot tell a one-element list from a string, so
    # "repository as an array" reaches the API as a valid repository name.
    excluded = [negative_data_rejection] if mode is GenerationMode.NEGATIVE else []
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def no_failure(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=bearer(OPERATE_TOKEN), excluded_checks=excluded)

        no_failure()
