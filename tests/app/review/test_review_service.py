"""The review as the deployed service runs it: ``create_app`` with its own queue and forges
(GitHub's one second between writes included), and arq on Redis with a real
``schemabot worker --burst`` process doing the job."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

from fastapi.testclient import TestClient

from app.api import create_app
from app.config import load_config
from tests.app.review.harness import REPOSITORY, ForgeCase, service_config_text
from tests.app.review.test_review_flow import V1, V1_SQL, V2, V2_UNSAFE
from tests.fakeforge import FakeForge, fake_forge
from tests.json_logs import logged_events

__all__ = ["fake_forge"]

SCHEMABOT = [sys.executable, "-c", "from app.entry import main; main()"]


def _wait_for_status(case: ForgeCase, fake: FakeForge, sha: str, within: float) -> None:
    deadline = time.monotonic() + within
    while not case.statuses(fake, sha):
        assert time.monotonic() < deadline, "no status within the time limit"
        time.sleep(0.05)


def test_create_app_reviews_a_pull_request_in_process(
    fake_forge: FakeForge, tmp_path: Path
) -> None:
    case = ForgeCase("github")
    path = tmp_path / "schemabot.toml"
    path.write_text(service_config_text(fake_forge, tmp_path))
    fake_forge.add_repository(REPOSITORY, forge="github", files={V1: V1_SQL})
    pull = fake_forge.add_pull_request(REPOSITORY, {V2: (None, V2_UNSAFE)}, forge="github")
    with TestClient(create_app(load_config(path))) as client:
        body, headers = case.delivery(pull)
        answer = client.post("/webhooks/github", content=body, headers=headers)
        assert answer.status_code == 202, answer.text
        _wait_for_status(case, fake_forge, pull.head_sha, within=30)
    [(state, _, url)] = case.statuses(fake_forge, pull.head_sha)
    assert state == "failure" and url is not None and url.endswith("/reviews/1")
    assert len(case.summaries(fake_forge, pull.number)) == 1
    assert case.comment_writes(fake_forge, pull.number) == 1
    # One review, one summary, one status, each a second apart at most once.
    writes = [r.at for r in fake_forge.requests("POST", forge="github")]
    assert len(writes) == 3
    assert all(later - earlier >= 0.99 for earlier, later in itertools.pairwise(writes))


def test_arq_queue_and_a_worker_process_review_a_pull_request(
    fake_forge: FakeForge, tmp_path: Path, redis_url: str
) -> None:
    case = ForgeCase("gitlab")
    path = tmp_path / "schemabot.toml"
    path.write_text(service_config_text(fake_forge, tmp_path, redis_url=redis_url))
    fake_forge.add_repository(REPOSITORY, forge="gitlab", files={V1: V1_SQL})
    pull = fake_forge.add_pull_request(REPOSITORY, {V2: (None, V2_UNSAFE)}, forge="gitlab")
    with TestClient(create_app(load_config(path))) as client:
        body, headers = case.delivery(pull)
        for _ in range(3):  # redelivered: one job
            answer = client.post("/webhooks/gitlab", content=body, headers=headers)
        assert (answer.status_code, answer.json()["status"]) == (200, "duplicate")
    assert fake_forge.requests(forge="gitlab") == []  # the API process calls no forge

    worker = subprocess.run(
        [*SCHEMABOT, "worker", "--burst", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SCHEMABOT_LOG_FORMAT": "json"},
        check=False,
    )
    assert worker.returncode == 0, worker.stderr
    assert "review.done" in logged_events(worker.stderr)
    [(state, description, _)] = case.statuses(fake_forge, pull.head_sha)
    assert (state, description) == ("failure", "1 error, 1 warning, 1 note in 1 migration file")
    assert len(case.inline_comments(fake_forge, pull.number)) == 3
    assert len(case.summaries(fake_forge, pull.number)) == 1
