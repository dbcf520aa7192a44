"""What the webhook endpoints answer for the deliveries rollouts listen to: comments that are
commands, and those that are not (edited, by a bot, on an issue, without a command)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.webhooks import sign_github
from tests.app.rollout.harness import SECRET, ForgeRepository, RolloutService, write_config
from tests.app.rollout.payloads import comment_delivery
from tests.fakeforge import FakeForge

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("forge", ["github", "gitlab"])
@pytest.mark.parametrize(
    ("options", "body", "answer"),
    [
        ({}, "/schemabot approve production", "queued"),
        ({"action": "edited"}, "/schemabot approve production", "ignored"),
        ({"bot": True}, "/schemabot approve production", "ignored"),
        ({}, "Nice one!", "ignored"),
        ({}, "<!-- schemabot:rollout -->\n/schemabot cancel", "ignored"),
        ({}, "@dev nothing happened: comment `/schemabot retry staging`", "ignored"),
        ({}, "/schemabot deploy everything", "queued"),
    ],
    ids=["command", "edited", "bot", "no-command", "our-report", "our-reply", "unknown-verb"],
)
async def test_comment_deliveries(
    forge: str,
    options: dict[str, object],
    body: str,
    answer: str,
    fake_forge: FakeForge,
    tmp_path: Path,
    state_url: str,
) -> None:
    config = write_config(
        tmp_path / "schemabot.toml",
        fake=fake_forge,
        state_url=state_url,
        forge=forge,
        environments=[{"name": "production", "url": f"sqlite:///{tmp_path}/production.db"}],
    )
    service = RolloutService(config, recovery=False)
    try:
        ForgeRepository(fake_forge, forge, service)
        extra = dict(options)  # the parameter is shared by both forges' runs
        bot = bool(extra.pop("bot", False))
        # GitLab has no bot flag in notes: a project access token's user has such a name.
        author = "project_15_bot_5f3a" if forge == "gitlab" and bot else "dev-dana"
        delivery = comment_delivery(
            forge,
            SECRET,
            repository="acme/shop",
            number=3,
            comment_id=41,
            author=author,
            body=body,
            bot=bot and forge == "github",
            **extra,  # type: ignore[arg-type]
        )
        response = await service.deliver(forge, delivery)
        assert response.json()["status"] == answer
        queued = service.store.jobs.count("queued")
        assert queued == (1 if answer == "queued" else 0)
        if answer == "queued":
            job = service.store.jobs.get(f"rollout-command:{forge}:acme/shop:3:41")
            assert job is not None and job.payload["author"] == "dev-dana"
    finally:
        await service.stop()


async def test_a_comment_on_an_issue_is_not_a_command(
    fake_forge: FakeForge, tmp_path: Path, state_url: str
) -> None:
    config = write_config(
        tmp_path / "schemabot.toml",
        fake=fake_forge,
        state_url=state_url,
        environments=[{"name": "production", "url": f"sqlite:///{tmp_path}/production.db"}],
    )
    service = RolloutService(config, recovery=False)
    try:
        body, headers = comment_delivery(
            "github",
            SECRET,
            repository="acme/shop",
            number=3,
            comment_id=41,
            author="dev",
            body="/schemabot cancel",
        )
        issue_comment = body.replace(b'"pull_request": {', b'"not_a_pull_request": {')
        headers["X-Hub-Signature-256"] = sign_github(SECRET.encode(), issue_comment)
        response = await service.deliver("github", (issue_comment, headers))
        assert response.json() == {
            "status": "ignored",
            "reason": "a comment on an issue, not on a pull request",
        }
    finally:
        await service.stop()
