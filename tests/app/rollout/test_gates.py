"""Gates in front of an environment, and who may open them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.config import Environment
from app.forges.base import Permission
from app.rollout.gates import Gate, approval_refusal, cancel_refusal, gate_for

NOW = datetime(2025, 5, 4, 8, 0, tzinfo=UTC)


def environment(**options: object) -> Environment:
    return Environment.model_validate(
        {"name": "production", "url": "postgresql://db/app", **options}
    )


def test_an_environment_without_gates_is_open() -> None:
    assert gate_for(environment(), approved=False, previous_finished_at=NOW, now=NOW) == Gate(
        "open"
    )


def test_approval_is_asked_before_the_soak_and_does_not_restart_it() -> None:
    gated = environment(approval=True, soak="30m")
    assert gate_for(gated, approved=False, previous_finished_at=NOW, now=NOW) == Gate("approval")
    later = NOW + timedelta(minutes=10)
    assert gate_for(gated, approved=True, previous_finished_at=NOW, now=later) == Gate(
        "soak", NOW + timedelta(minutes=30)
    )
    done = NOW + timedelta(minutes=30)
    assert gate_for(gated, approved=True, previous_finished_at=NOW, now=done) == Gate("open")


def test_a_soak_on_the_first_environment_waits_for_nothing() -> None:
    soaked = environment(soak="30m")
    assert gate_for(soaked, approved=False, previous_finished_at=None, now=NOW) == Gate("open")


@pytest.mark.parametrize(
    ("options", "user", "permission", "refusal"),
    [
        ({}, "dev", Permission.WRITE, None),
        (
            {},
            "dev",
            Permission.TRIAGE,
            "`production` needs write permission on the repository; @dev has triage",
        ),
        (
            {"min_permission": "maintain"},
            "dev",
            Permission.WRITE,
            "`production` needs maintain permission on the repository; @dev has write",
        ),
        ({"min_permission": "maintain"}, "lead", Permission.ADMIN, None),
        ({"approvers": ["DBA-Bob", "carol"]}, "dba-bob", Permission.WRITE, None),
        (
            {"approvers": ["dba-bob", "carol"]},
            "admin-ann",
            Permission.ADMIN,
            "@admin-ann is not an approver of `production` (approvers: @dba-bob, @carol)",
        ),
        (
            {"approvers": ["dba-bob"]},
            "dba-bob",
            Permission.READ,
            "`production` needs write permission on the repository; @dba-bob has read",
        ),
    ],
    ids=[
        "write",
        "triage",
        "maintain-needed",
        "admin",
        "listed",
        "not-listed",
        "listed-lost-access",
    ],
)
def test_who_may_approve(
    options: dict[str, object], user: str, permission: Permission, refusal: str | None
) -> None:
    assert approval_refusal(environment(**options), username=user, permission=permission) == refusal


def test_cancelling_needs_write_permission() -> None:
    assert cancel_refusal(username="dev", permission=Permission.WRITE) is None
    assert cancel_refusal(username="bot", permission=Permission.READ) == (
        "cancelling a rollout needs write permission on the repository; @bot has read"
    )
