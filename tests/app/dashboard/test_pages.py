"""The dashboard's pages, signed in: what each shows, the live parts, 404s and headers."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from app.dashboard.pages import LIVE_HEADER, POLL_ACTIVE_MS, POLL_WAITING_MS
from tests.app.api.databases import MIGRATIONS, migrate, new_database, write_migrations
from tests.app.api.seed import finding, seed_review, seed_rollout
from tests.app.api.service_setup import (
    OPERATE_TOKEN,
    READ_TOKEN,
    REPOSITORY,
    github_forge,
    running,
    service_config,
    store_of,
)
from tests.app.dashboard.browsing import sign_in
from tests.fakeforge import FakeForge, fake_forge

__all__ = ["fake_forge", "new_database"]

SQLITE_ENVIRONMENTS = {"dev": "sqlite:///dev.db", "production": "sqlite:///production.db"}


def live_region(html: str, region: str) -> str:
    match = re.search(rf'<div id="{region}"[^>]*>', html)
    assert match is not None, f"no live region {region}"
    return match.group(0)


def test_the_repositories_page_shows_each_environment(
    tmp_path: Path, new_database: Callable[[], str]
) -> None:
    dev, production = new_database(), new_database()
    migrate(dev, write_migrations(tmp_path / "m", MIGRATIONS))
    with running(service_config(tmp_path, {"dev": dev, "production": production})) as (client, _):
        sign_in(client, READ_TOKEN)
        page = client.get("/")
    assert page.status_code == 200
    assert REPOSITORY in page.text
    assert 'data-environment="dev"' in page.text
    assert 'data-environment="production"' in page.text
    assert '<span class="mono">0002</span>' in page.text  # dev's applied version
    assert "nothing yet" in page.text  # production's
    # Nothing runs: the page does not poll.
    assert "data-live-poll-ms" not in live_region(page.text, "repositories-live")


def test_a_running_rollout_makes_its_pages_refresh_themselves(tmp_path: Path) -> None:
    with running(service_config(tmp_path, SQLITE_ENVIRONMENTS)) as (client, app):
        rollout_id = seed_rollout(
            store_of(app),
            repository=REPOSITORY,
            commit_sha="1" * 40,
            status="running",
            steps={"dev": {"status": "running", "current_script": "0002_add_email.sql"}},
        )
        sign_in(client, READ_TOKEN)
        page = client.get(f"/rollouts/{rollout_id}")
        live = client.get(f"/rollouts/{rollout_id}", headers={LIVE_HEADER: "rollout-live"})
        listing = client.get("/rollouts")
    assert f'data-live-poll-ms="{POLL_ACTIVE_MS}"' in live_region(page.text, "rollout-live")
    assert 'Applying <span class="mono">0002_add_email.sql</span>' in page.text
    # The live answer is the region alone, to be swapped in by dashboard.js.
    assert live.text.lstrip().startswith('<div id="rollout-live"')
    assert "<html" not in live.text
    assert f'data-live-poll-ms="{POLL_ACTIVE_MS}"' in live_region(listing.text, "rollouts-live")


def test_a_failed_step_shows_the_statement_and_the_error(tmp_path: Path) -> None:
    with running(service_config(tmp_path, SQLITE_ENVIRONMENTS)) as (client, app):
        rollout_id = seed_rollout(
            store_of(app),
            repository=REPOSITORY,
            commit_sha="2" * 40,
            status="failed",
            steps={
                "dev": {
                    "status": "failed",
                    "failure": {
                        "kind": "migration",
                        "script": "0002_add_email.sql",
                        "line": 3,
                        "statement": "ALTER TABLE users ADD COLUMN email text NOT NULL",
                        "error": 'column "email" contains null values',
                        "dirty": False,
                    },
                }
            },
        )
        sign_in(client, READ_TOKEN)
        page = client.get(f"/rollouts/{rollout_id}")
    assert "0002_add_email.sql, line 3" in page.text
    assert "ALTER TABLE users ADD COLUMN email text NOT NULL" in page.text
    assert "column &#34;email&#34; contains null values" in page.text  # escaped, not raw
    assert "data-live-poll-ms" not in live_region(page.text, "rollout-live")


def test_a_read_token_sees_no_buttons_an_operate_token_does(tmp_path: Path) -> None:
    with running(service_config(tmp_path, SQLITE_ENVIRONMENTS)) as (client, app):
        rollout_id = seed_rollout(
            store_of(app),
            repository=REPOSITORY,
            commit_sha="3" * 40,
            status="waiting",
            waiting_for="approval",
            steps={
                "dev": {"status": "succeeded"},
                "production": {"status": "waiting", "pending": ["0002_add_email.sql"]},
            },
        )
        sign_in(client, READ_TOKEN)
        as_reader = client.get(f"/rollouts/{rollout_id}").text
        sign_in(client, OPERATE_TOKEN)
        as_operator = client.get(f"/rollouts/{rollout_id}").text
    approve = f'action="/rollouts/{rollout_id}/approve"'
    cancel = f'action="/rollouts/{rollout_id}/cancel"'
    assert approve not in as_reader
    assert cancel not in as_reader
    assert approve in as_operator
    assert cancel in as_operator
    assert "Will apply:" in as_operator
    assert "0002_add_email.sql" in as_operator
    assert f'data-live-poll-ms="{POLL_WAITING_MS}"' in live_region(as_operator, "rollout-live")


def test_the_rollouts_list_filters_by_repository_and_status(tmp_path: Path) -> None:
    with running(service_config(tmp_path, SQLITE_ENVIRONMENTS)) as (client, app):
        store = store_of(app)
        failed = seed_rollout(store, repository=REPOSITORY, commit_sha="4" * 40, status="failed")
        done = seed_rollout(store, repository=REPOSITORY, commit_sha="5" * 40, status="succeeded")
        sign_in(client, READ_TOKEN)
        everything = client.get("/rollouts").text
        only_failed = client.get("/rollouts?status=failed").text
        unknown_filter = client.get("/rollouts?status=exploded&page=abc")
    assert f'href="/rollouts/{failed}"' in everything
    assert f'href="/rollouts/{done}"' in everything
    assert f'href="/rollouts/{failed}"' in only_failed
    assert f'href="/rollouts/{done}"' not in only_failed
    # A filter the page does not know is ignored, not an error page.
    assert unknown_filter.status_code == 200
    assert f'href="/rollouts/{done}"' in unknown_filter.text


def test_the_review_page_shows_the_sql_and_why_the_rule_matters(
    tmp_path: Path, fake_forge: FakeForge
) -> None:
    repo = fake_forge.add_repository(REPOSITORY, forge="github")
    path = "db/migrations/0003_index.sql"
    head = fake_forge.commit(
        repo, {path: "-- index\nCREATE INDEX ix_users_email ON users (email);\n"}, branch="pr"
    )
    config = service_config(
        tmp_path, {}, extra=github_forge(fake_forge.github_url, FakeForge.GITHUB_TOKEN)
    )
    with running(config) as (client, app):
        review_id = seed_review(
            store_of(app),
            repository=REPOSITORY,
            head_sha=head.sha,
            findings=[finding(path, 2, 2, "create-index-not-concurrently", "Create it CONC")],
        )
        sign_in(client, READ_TOKEN)
        page = client.get(f"/reviews/{review_id}")
        listing = client.get("/reviews")
    assert page.status_code == 200
    assert '<span class="ln">2</span>CREATE INDEX ix_users_email ON users (email);' in page.text
    assert "Create it CONC" in page.text
    assert 'href="/rules/create-index-not-concurrently"' in page.text
    assert "<h3>Why is this bad?</h3>" in page.text
    assert f'href="/reviews/{review_id}"' in listing.text


def test_the_rules_reference_lists_rules_and_renders_their_docs(tmp_path: Path) -> None:
    with running(service_config(tmp_path, {})) as (client, _):
        sign_in(client, READ_TOKEN)
        index = client.get("/rules")
        rule = client.get("/rules/create-index-not-concurrently")
    assert 'href="/rules/create-index-not-concurrently"' in index.text
    assert "<h2>What it does</h2>" in rule.text
    assert '<pre><code class="language-sql">' in rule.text


def test_unknown_things_are_404_pages(tmp_path: Path) -> None:
    with running(service_config(tmp_path, {})) as (client, _):
        sign_in(client, READ_TOKEN)
        for path in ("/rollouts/77", "/rollouts/abc", "/rollouts/99999999999999999999",
                     "/reviews/5", "/reviews/-1", "/rules/no-such-rule"):  # fmt: skip
            response = client.get(path)
            assert response.status_code == 404, path
            assert "<h1>No such" in response.text


def test_pages_carry_security_headers(tmp_path: Path) -> None:
    with running(service_config(tmp_path, {})) as (client, _):
        sign_in(client, READ_TOKEN)
        response = client.get("/rules")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_static_files_are_served(tmp_path: Path) -> None:
    with running(service_config(tmp_path, {})) as (client, _):
        css = client.get("/static/dashboard.css")
        script = client.get("/static/dashboard.js")
    assert css.status_code == 200
    assert "text/css" in css.headers["content-type"]
    assert script.status_code == 200
    assert "data-live-poll-ms" in script.text
