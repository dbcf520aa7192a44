"""The forges built from the server config: adapters for configured forges, a refusing
stand-in for the others; built adapters reach the forge they were configured for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.config import Config
from app.forges import DisabledForge, Forge, ForgeError, GitHub, GitLab, RetryPolicy, create_forges
from app.forges.base import CommitStatus, InlineComment, PullRequest
from tests.fakeforge import FakeForge


def config(**forges: dict[str, object]) -> Config:
    # Validated like the server config file's [forges] tables, without the rest of the file.
    return Config.model_validate({"forges": forges})


def test_configured_forges_are_built_and_reach_their_forge(fake_forge: FakeForge) -> None:
    fake_forge.add_repository("octo/shop", forge="github", files={"a.sql": "SELECT 1;\n"})
    fake_forge.add_repository("group/shop", forge="gitlab", files={"b.sql": "SELECT 2;\n"})

    forges = create_forges(
        config(
            github={
                "api_url": fake_forge.github_url,
                "token": FakeForge.GITHUB_TOKEN,
                "webhook_secret": "s1",
            },
            gitlab={
                "url": fake_forge.gitlab_url,
                "token": FakeForge.GITLAB_TOKEN,
                "webhook_secret": "s2",
            },
        ),
        write_interval=0,
    )

    assert isinstance(forges["github"], GitHub)
    assert isinstance(forges["gitlab"], GitLab)
    assert forges["github"].read_file("octo/shop", "a.sql", "main") == "SELECT 1;\n"
    assert forges["gitlab"].read_file("group/shop", "b.sql", "main") == "SELECT 2;\n"


def test_an_unconfigured_forge_refuses_every_call_with_the_reason() -> None:
    forges = create_forges(config())
    github, gitlab = forges["github"], forges["gitlab"]
    assert isinstance(github, DisabledForge)
    assert isinstance(gitlab, DisabledForge)
    pull = PullRequest("o/r", 1, "t", "a", "h", "f", "b", "main", "o/r", "u")
    calls: list[Callable[[Forge], object]] = [
        lambda forge: forge.pull_request("o/r", 1),
        lambda forge: forge.changed_files("o/r", 1),
        lambda forge: forge.list_files("o/r", "m", "main"),
        lambda forge: forge.read_file("o/r", "m/1.sql", "main"),
        lambda forge: forge.post_review(pull, [InlineComment("a", 1, "b")]),
        lambda forge: forge.upsert_comment("o/r", 1, marker="m", body="b"),
        lambda forge: forge.reply("o/r", 1, "b"),
        lambda forge: forge.set_status("o/r", "h", CommitStatus("success", "c", "d")),
        lambda forge: forge.permission("o/r", "u"),
    ]
    for call in calls:
        with pytest.raises(ForgeError, match="forge github is not configured: no token"):
            call(github)
        with pytest.raises(ForgeError, match="forge gitlab is not configured: no token"):
            call(gitlab)


def test_disabled_forge_is_a_forge() -> None:
    forge: Forge = DisabledForge("gitlab", "no token")
    assert forge.name == "gitlab"


def test_app_credentials_are_read_from_the_key_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    settings = {"app_id": 12, "private_key_path": str(missing), "webhook_secret": "s"}
    with pytest.raises(ForgeError, match="cannot read the GitHub App private key"):
        create_forges(config(github=settings))


def test_an_app_wins_over_a_token(tmp_path: Path) -> None:
    key = tmp_path / "app.pem"
    key.write_text("not checked until the first call\n")
    settings = {"token": "ghp_x", "app_id": 12, "private_key_path": str(key), "webhook_secret": "s"}
    github = create_forges(config(github=settings), retry=RetryPolicy(tries=1))["github"]
    assert isinstance(github, GitHub)
    assert github.is_app
