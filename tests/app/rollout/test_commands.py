"""Which comment lines are commands to schemabot, and which are not."""

from __future__ import annotations

import pytest

from app.rollout import Command, CommandError, parse_command


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("/schemabot approve production", Command("approve", "production")),
        ("/schemabot retry staging", Command("retry", "staging")),
        ("/schemabot cancel", Command("cancel")),
        ("  /schemabot   approve   Production  ", Command("approve", "production")),
        ("/SchemaBot Approve production", Command("approve", "production")),
        (
            "Looks good to me.\n\n/schemabot approve production\nthanks",
            Command("approve", "production"),
        ),
        ("/schemabot retry staging\n/schemabot cancel", Command("retry", "staging")),
    ],
    ids=["approve", "retry", "cancel", "spaces", "case", "after-text", "first-of-two"],
)
def test_commands_at_the_start_of_a_line(comment: str, expected: Command) -> None:
    assert parse_command(comment) == expected


@pytest.mark.parametrize(
    "comment",
    [
        "LGTM",
        "please run `/schemabot approve production` when ready",
        "> /schemabot approve production",
        "```\n/schemabot approve production\n```",
        "~~~\n/schemabot cancel\n~~~",
        "/schemabotapprove production",
        "@dba-bob nothing happened: comment `/schemabot retry staging`",
        "",
    ],
    ids=[
        "plain",
        "mid-sentence",
        "quoted",
        "fenced",
        "tilde-fenced",
        "glued",
        "bot-reply",
        "empty",
    ],
)
def test_text_that_only_mentions_a_command_is_not_one(comment: str) -> None:
    assert parse_command(comment) is None


@pytest.mark.parametrize(
    ("comment", "reason"),
    [
        ("/schemabot", "no command given"),
        ("/schemabot deploy production", "`deploy` is not a command"),
        ("/schemabot approve", "`approve` takes one environment name"),
        ("/schemabot approve staging production", "`approve` takes one environment name"),
        ("/schemabot retry", "`retry` takes one environment name"),
        ("/schemabot cancel now", "`cancel` takes no arguments"),
    ],
)
def test_a_line_addressed_to_schemabot_that_is_not_a_command_says_why(
    comment: str, reason: str
) -> None:
    assert parse_command(comment) == CommandError(comment, reason)


def test_a_command_prints_as_typed() -> None:
    assert str(Command("approve", "production")) == "/schemabot approve production"
    assert str(Command("cancel")) == "/schemabot cancel"
