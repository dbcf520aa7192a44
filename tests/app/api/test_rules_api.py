"""``GET /api/rules`` and ``GET /api/rules/{id}``: the registry, with each rule's docs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from linters.registry import RULES
from tests.app.api.service_setup import READ_TOKEN, bearer, running, service_config


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with running(service_config(tmp_path, {})) as (client, _):
        yield client


def test_every_rule_is_listed_once_with_its_severity(client: TestClient) -> None:
    response = client.get("/api/rules", headers=bearer(READ_TOKEN))
    assert response.status_code == 200
    rules = response.json()
    assert sorted(rule["id"] for rule in rules) == sorted(RULES)
    by_id = {rule["id"]: rule for rule in rules}
    concurrent = by_id["create-index-not-concurrently"]
    assert concurrent["severity"] == RULES["create-index-not-concurrently"].severity.value
    assert concurrent["dialects"] == ["postgres"]
    assert concurrent["url"] == "https://schemabot.dev/rules/create-index-not-concurrently"
    assert concurrent["title"] == RULES["create-index-not-concurrently"].title
    # Policy rules are off until selected; the listing says so rather than inventing a level.
    off = [rule for rule in rules if RULES[rule["id"]].severity is None]
    assert off
    assert {rule["severity"] for rule in off} == {"off"}


def test_one_rule_comes_with_its_docs_page(client: TestClient) -> None:
    response = client.get("/api/rules/create-index-not-concurrently", headers=bearer(READ_TOKEN))
    assert response.status_code == 200
    doc = response.json()["doc"]
    assert "## What it does" in doc
    assert "## Why is this bad?" in doc
    assert "## Use instead" in doc
    # The title is the listing's; the page body does not repeat it.
    assert not doc.startswith(RULES["create-index-not-concurrently"].title)


def test_an_unknown_rule_is_404_with_a_message(client: TestClient) -> None:
    response = client.get("/api/rules/no-such-rule", headers=bearer(READ_TOKEN))
    assert response.status_code == 404
    assert response.json() == {"detail": "no rule 'no-such-rule'"}


@pytest.mark.parametrize("rule_id", ["UPPER", "has space", "a" * 101, "-leading-dash"])
def test_a_malformed_rule_id_is_422(client: TestClient, rule_id: str) -> None:
    response = client.get(f"/api/rules/{rule_id}", headers=bearer(READ_TOKEN))
    assert response.status_code == 422
