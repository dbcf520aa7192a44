"""In a real browser (Debian's chromium, driven by Playwright): an operator signs in, opens a
rollout waiting at production, approves it, and watches the step turn green while the real
engine applies the migrations; a read token sees no approve button and the API refuses it.

The screenshot of the dashboard in the README (docs/images/dashboard.png) is taken here.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright

from app.api import create_app
from app.store import Store
from tests.app.api.databases import MIGRATIONS, new_database
from tests.app.api.service_setup import (
    OPERATE_TOKEN,
    READ_TOKEN,
    REPOSITORY,
    bearer,
    github_forge,
    service_config,
)
from tests.browser.live_service import serving
from tests.fakeforge import FakeForge, fake_forge

__all__ = ["fake_forge", "new_database"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "images" / "dashboard.png"
PHONE = {"width": 390, "height": 844}
#: The engine applies two small migrations per environment: seconds; this is a generous bound.
ROLLOUT_SECONDS = 60


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[BrowserContext]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)"
        print(f"SKIPPED browser tests: {reason}")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # a new, empty profile for each test
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 860},
        )
        try:
            yield context
        finally:
            context.close()


def wait_for(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.2)


def api_get(base_url: str, path: str) -> Any:
    response = httpx.get(f"{base_url}{path}", headers=bearer(READ_TOKEN), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def sign_in(page: Page, base_url: str, token: str) -> None:
    page.goto(f"{base_url}/sign-in")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Repositories")).to_be_visible()


def test_an_operator_approves_production_and_sees_it_turn_green(
    tmp_path: Path,
    new_database: Callable[[], str],
    fake_forge: FakeForge,
    browser: BrowserContext,
) -> None:
    dev, production = new_database(), new_database()
    files = {f"db/migrations/{name}": text for name, text in MIGRATIONS.items()}
    repo = fake_forge.add_repository(REPOSITORY, forge="github", files=files)
    commit_sha = repo.branches["main"]
    config = service_config(
        tmp_path,
        {"dev": dev, "production": production},
        extra=github_forge(fake_forge.github_url, FakeForge.GITHUB_TOKEN),
    )
    # A merge the service learned of before it started: startup resumes the rollout, and the
    # real engine takes it through dev to production's approval gate.
    store = Store(config.server.state_url)
    store.upgrade()
    rollout, _ = store.rollouts.create(
        forge="github",
        repository=REPOSITORY,
        commit_sha=commit_sha,
        branch="main",
        environments=["dev", "production"],
        pull_number=None,
        trigger="push",
    )
    store.close()

    with serving(create_app(config)) as base_url:
        url = f"{base_url}/rollouts/{rollout.id}"
        wait_for(
            lambda: api_get(base_url, f"/api/rollouts/{rollout.id}")["waiting_for"] == "approval",
            seconds=ROLLOUT_SECONDS,
            what="the rollout to reach production's approval gate",
        )
        page = browser.new_page()

        # A read token: the page shows the gate without a button, and the API refuses.
        sign_in(page, base_url, READ_TOKEN)
        page.goto(url)
        expect(page.locator("#step-production")).to_have_attribute("data-status", "waiting")
        expect(page.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)
        refused = httpx.post(
            f"{base_url}/api/rollouts/{rollout.id}/approve",
            json={"environment": "production"},
            headers=bearer(READ_TOKEN),
        )
        assert refused.status_code == 403
        assert api_get(base_url, f"/api/rollouts/{rollout.id}")["status"] == "waiting"
        page.get_by_role("button", name="Sign out").click()

        # An operate token approves from the browser.
        sign_in(page, base_url, OPERATE_TOKEN)
        page.goto(url)
        expect(page.locator("#step-dev")).to_have_attribute("data-status", "succeeded")
        production_step = page.locator("#step-production")
        expect(production_step).to_have_attribute("data-status", "waiting")
        expect(production_step).to_contain_text("0002_add_email.sql")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

        page.get_by_role("button", name="Approve production").click()
        # The page refreshes itself while the rollout runs; the step turns green.
        production_step = page.locator("#step-production")
        expect(production_step).to_have_attribute(
            "data-status", "succeeded", timeout=ROLLOUT_SECONDS * 1000
        )
        expect(production_step).to_have_class(re.compile(r"\bis-ok\b"))
        expect(production_step).to_contain_text("Approved by release-manager")
        expect(page.locator("#rollout-live")).to_have_attribute("data-status", "succeeded")

        events = api_get(base_url, f"/api/rollouts/{rollout.id}")["events"]
        assert any(e["actor"] == "release-manager" and "approve" in e["action"] for e in events)

        # On a phone the pages fit the screen: nothing to scroll sideways.
        page.set_viewport_size(PHONE)
        for path in ("/", "/rollouts", f"/rollouts/{rollout.id}"):
            page.goto(f"{base_url}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} is {width}px wide on a phone"

    # The runner really applied production's migrations.
    with psycopg.connect(production) as connection:
        columns = connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'users'"
            " ORDER BY ordinal_position"
        ).fetchall()
    assert [name for (name,) in columns] == ["id", "name", "email"]
