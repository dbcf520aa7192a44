"""The rollout's comment and statuses, rendered from what the store says."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.config import Environment
from app.rollout.report import (
    ROLLOUT_MARKER,
    CarriedRollout,
    RolloutView,
    duration_text,
    render_comment,
    statuses,
)
from app.store import RolloutRecord, StepRecord

AT = datetime(2025, 5, 4, 8, 0, tzinfo=UTC)


def rollout(id: int = 3, sha: str = "f" * 40, **values: Any) -> RolloutRecord:
    fields: dict[str, Any] = {
        "id": id, "forge": "github", "repository": "acme/shop", "commit_sha": sha,
        "branch": "main", "pull_number": 12, "trigger": "pull request #12 merged",
        "status": "running", "waiting_for": None, "wait_until": None, "blocked_by": None,
        "superseded_by": None, "cancel_requested_by": None, "wakes": 1, "lease_holder": None,
        "lease_expires_at": None, "reported": {}, "report_due_at": None, "created_at": AT,
        "updated_at": AT, "finished_at": None,
    }  # fmt: skip
    return RolloutRecord(**(fields | values))


def step(environment: str, position: int, status: str, **values: Any) -> StepRecord:
    fields: dict[str, Any] = {
        "rollout_id": 3, "environment": environment, "position": position, "status": status,
        "applied": [], "pending": None, "current_script": None, "failure": None,
        "attempts": 1, "started_at": None, "finished_at": None, "duration_ms": None,
    }  # fmt: skip
    return StepRecord(**(fields | values))


def view(record: RolloutRecord, steps: list[StepRecord], **values: Any) -> RolloutView:
    environments = {
        "staging": Environment(name="staging", url="postgresql://db/staging"),  # type: ignore[arg-type]
        "production": Environment(  # type: ignore[call-arg]
            name="production", url="postgresql://db/prod", approval=True, approvers=("dba-bob",)
        ),
    }
    return RolloutView(record, steps, {}, environments, "https://sb/rollouts/3", **values)


def test_a_statement_with_backticks_cannot_break_out_of_its_code_block() -> None:
    failure = {
        "kind": "migration", "script": "0004_comment.sql", "line": 2, "dirty": False,
        "statement": "COMMENT ON TABLE t IS '```\n# injected heading'", "error": "syntax error",
    }  # fmt: skip
    body = render_comment(
        view(rollout(status="failed"), [step("staging", 0, "failed", failure=failure)])
    )
    assert "````sql\nCOMMENT ON TABLE t IS '```\n# injected heading'\n````" in body
    assert body.startswith(ROLLOUT_MARKER)


def test_waiting_for_approval_says_who_may_give_it_and_what_it_would_apply() -> None:
    record = rollout(status="waiting", waiting_for="approval")
    steps = [
        step("staging", 0, "succeeded", applied=[{"script": "0001_a.sql"}], duration_ms=1500),
        step("production", 1, "waiting", pending=[f"{n:04}_m.sql" for n in range(1, 15)]),
    ]
    body = render_comment(view(record, steps))
    assert "| `staging` | ✅ applied 1 migration in 1.5 s | `0001_a.sql` | 1.5 s |  |" in body
    assert "pending: `0001_m.sql`" in body and "`0012_m.sql` and 2 more" in body
    assert "comment `/schemabot approve production` (@dba-bob, with write permission)" in body
    assert not any(line.startswith("/schemabot") for line in body.splitlines())


def test_statuses_mirror_onto_the_commits_a_rollout_carries_on() -> None:
    older = rollout(id=2, sha="a" * 40, status="superseded", pull_number=11)
    record = rollout(status="waiting", waiting_for="approval")
    steps = [step("staging", 0, "succeeded", applied=[{"script": "x"}], duration_ms=20),
             step("production", 1, "waiting")]  # fmt: skip
    result = statuses(view(record, steps, carried=[CarriedRollout(older, frozenset({"staging"}))]))
    assert [(sha[0], s.context, s.state, s.description) for sha, s in result] == [
        ("f", "schemabot/staging", "success", "applied 1 migration in 20 ms"),
        ("f", "schemabot/production", "pending", "waiting for approval"),
        ("a", "schemabot/production", "pending", "via fffffff: waiting for approval"),
    ]


def test_durations_read_naturally() -> None:
    assert [duration_text(ms) for ms in (None, 12, 4_200, 42_000, 185_000, 7_500_000)] == [
        "", "12 ms", "4.2 s", "42 s", "3 min 5 s", "2 h 5 min",
    ]  # fmt: skip
