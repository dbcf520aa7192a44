"""Reviews and rollouts written through the real stores, in the states the tests look at."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from app.store import PullRequestRef, Store

SEED_HOLDER = "test-seed"


def seed_review(
    store: Store,
    *,
    repository: str,
    number: int = 7,
    head_sha: str = "a" * 40,
    findings: list[dict[str, Any]],
    state: str = "failure",
) -> int:
    review_id = store.reviews.start(
        PullRequestRef("github", repository, number), head_sha=head_sha, base_sha="b" * 40
    )
    store.reviews.finish(
        review_id,
        state=state,
        description=f"{len(findings)} findings",
        findings=findings,
        files=sorted({finding["path"] for finding in findings}),
    )
    return review_id


def finding(path: str, line: int, end_line: int, rule: str, message: str) -> dict[str, Any]:
    return {
        "path": path,
        "line": line,
        "column": 1,
        "end_line": end_line,
        "end_column": 10,
        "rule": rule,
        "severity": "error",
        "message": message,
        "help": "Do the safe thing instead",
        "url": f"https://schemabot.dev/rules/{rule}",
        "fingerprint": f"{path}:{line}:{rule}",
        "placement": "inline",
        "note": "",
    }


def seed_rollout(
    store: Store,
    *,
    repository: str,
    commit_sha: str,
    environments: tuple[str, ...] = ("dev", "production"),
    status: str,
    waiting_for: str | None = None,
    steps: Mapping[str, Mapping[str, Any]] | None = None,
) -> int:
    """A rollout written as the engine writes it: created, its steps and status set under a
    lease, the lease released."""
    rollout, _ = store.rollouts.create(
        forge="github",
        repository=repository,
        commit_sha=commit_sha,
        branch="main",
        environments=list(environments),
        pull_number=7,
        trigger="pull_request merged",
    )
    assert store.rollouts.acquire(rollout.id, holder=SEED_HOLDER, ttl=timedelta(minutes=5))
    for environment, values in (steps or {}).items():
        assert store.rollouts.update_step(rollout.id, environment, holder=SEED_HOLDER, **values)
    assert store.rollouts.update(
        rollout.id, holder=SEED_HOLDER, release=True, status=status, waiting_for=waiting_for
    )
    return rollout.id
