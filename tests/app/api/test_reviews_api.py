"""``GET /api/reviews/{id}``: a review with each finding and the SQL it points at."""

from __future__ import annotations

from pathlib import Path

from app.api.review_sources import EXCERPT_MAX_LINES
from tests.app.api.seed import finding, seed_review
from tests.app.api.service_setup import (
    READ_TOKEN,
    REPOSITORY,
    bearer,
    github_forge,
    running,
    service_config,
    store_of,
)
from tests.fakeforge import FakeForge, fake_forge

__all__ = ["fake_forge"]

MIGRATION = "db/migrations/0002_index_orders.sql"
SOURCE = (
    "-- speed up the order history page\n"
    "SET lock_timeout = '5s';\n"
    "CREATE INDEX ix_orders_user\n"
    "    ON orders (user_id);\n"
)


def test_a_review_shows_each_finding_with_its_sql(tmp_path: Path, fake_forge: FakeForge) -> None:
    repo = fake_forge.add_repository(REPOSITORY, forge="github")
    head = fake_forge.commit(repo, {MIGRATION: SOURCE}, branch="feature")
    config = service_config(
        tmp_path, {}, extra=github_forge(fake_forge.github_url, FakeForge.GITHUB_TOKEN)
    )
    with running(config) as (client, app):
        review_id = seed_review(
            store_of(app),
            repository=REPOSITORY,
            head_sha=head.sha,
            findings=[
                finding(MIGRATION, 3, 4, "create-index-not-concurrently", "Create index CONC"),
            ],
        )
        response = client.get(f"/api/reviews/{review_id}", headers=bearer(READ_TOKEN))
    assert response.status_code == 200
    review = response.json()
    assert review["id"] == review_id
    assert review["repository"] == REPOSITORY
    assert review["number"] == 7
    assert review["state"] == "failure"
    assert review["head_sha"] == head.sha
    assert review["files"] == [MIGRATION]
    [only] = review["findings"]
    assert only["rule"] == "create-index-not-concurrently"
    assert (only["line"], only["end_line"]) == (3, 4)
    assert only["source"] == [
        {"line": 3, "text": "CREATE INDEX ix_orders_user"},
        {"line": 4, "text": "    ON orders (user_id);"},
    ]


def test_a_long_statement_is_cut_in_the_excerpt(tmp_path: Path, fake_forge: FakeForge) -> None:
    repo = fake_forge.add_repository(REPOSITORY, forge="github")
    long_sql = "INSERT INTO t VALUES\n" + "".join(f"  ({n}),\n" for n in range(100))
    head = fake_forge.commit(repo, {MIGRATION: long_sql}, branch="feature")
    config = service_config(
        tmp_path, {}, extra=github_forge(fake_forge.github_url, FakeForge.GITHUB_TOKEN)
    )
    with running(config) as (client, app):
        review_id = seed_review(
            store_of(app),
            repository=REPOSITORY,
            head_sha=head.sha,
            findings=[finding(MIGRATION, 1, 101, "backfill-unbatched", "Batch it")],
        )
        source = client.get(f"/api/reviews/{review_id}", headers=bearer(READ_TOKEN)).json()[
            "findings"
        ][0]["source"]
    assert len(source) == EXCERPT_MAX_LINES
    assert source[0] == {"line": 1, "text": "INSERT INTO t VALUES"}


def test_without_a_readable_forge_findings_come_without_sql(tmp_path: Path) -> None:
    with running(service_config(tmp_path, {})) as (client, app):
        review_id = seed_review(
            store_of(app),
            repository=REPOSITORY,
            findings=[finding(MIGRATION, 3, 4, "create-index-not-concurrently", "Create")],
        )
        response = client.get(f"/api/reviews/{review_id}", headers=bearer(READ_TOKEN))
    assert response.status_code == 200
    [only] = response.json()["findings"]
    assert only["source"] is None
    assert only["message"] == "Create"


def test_an_unknown_review_is_404(tmp_path: Path) -> None:
    with running(service_config(tmp_path, {})) as (client, _):
        response = client.get("/api/reviews/4242", headers=bearer(READ_TOKEN))
    assert response.status_code == 404
    assert response.json() == {"detail": "no review 4242"}


def test_an_id_out_of_range_is_422_not_an_overflow(tmp_path: Path) -> None:
    with running(service_config(tmp_path, {})) as (client, _):
        for review_id in ("0", "-1", str(2**63), "abc"):
            response = client.get(f"/api/reviews/{review_id}", headers=bearer(READ_TOKEN))
            assert response.status_code == 422, review_id
