"""``POST /webhooks/{github,gitlab}``: what each kind of delivery is answered, and that refused
ones leave no trace (nothing stored, nothing queued, no request to the forge)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from app.api.webhooks import MAX_BODY_BYTES
from tests.app.review.harness import REPOSITORY, SECRET, RunningService, service_config
from tests.app.webhooks.payloads import (
    github_delivery,
    github_pull_request,
    gitlab_delivery,
    gitlab_merge_request,
)
from tests.fakeforge import FakeForge, fake_forge

__all__ = ["fake_forge"]

pytestmark = pytest.mark.anyio


@pytest.fixture
async def service(fake_forge: FakeForge, tmp_path: Path) -> AsyncIterator[RunningService]:
    running = RunningService(service_config(fake_forge, tmp_path))
    # The queue is not started: whatever is queued stays in the store for the test to see.
    try:
        yield running
    finally:
        await running.client.aclose()
        running.store.close()


def nothing_happened(
    service: RunningService, fake: FakeForge, delivery_key: str, forge: str
) -> None:
    assert service.store.jobs.count("queued", "running", "done", "failed") == 0
    assert fake.requests() == []
    # Not recorded either: the same delivery, properly signed, would still be new.
    assert service.store.deliveries.record(forge=forge, key=delivery_key, event="probe")


def _metric(forge: str, event: str, outcome: str) -> float:
    labels = {"forge": forge, "event": event, "outcome": outcome}
    return REGISTRY.get_sample_value("schemabot_webhook_deliveries_total", labels) or 0.0


@pytest.mark.parametrize(
    "tamper",
    ["missing", "wrong-secret", "body-changed", "not-sha256"],
)
async def test_github_bad_signature_is_401_and_leaves_no_trace(
    fake_forge: FakeForge, service: RunningService, tamper: str
) -> None:
    fake_forge.add_repository(REPOSITORY, forge="github")
    body, headers = github_delivery(github_pull_request(), SECRET)
    if tamper == "missing":
        del headers["X-Hub-Signature-256"]
    elif tamper == "wrong-secret":
        headers = github_delivery(github_pull_request(), "guessed")[1] | {
            "X-GitHub-Delivery": headers["X-GitHub-Delivery"]
        }
    elif tamper == "body-changed":
        body = body.replace(b'"opened"', b'"reopened"')
    else:
        headers["X-Hub-Signature-256"] = headers["X-Hub-Signature-256"].replace("sha256=", "sha1=")
    before = _metric("github", "unverified", "unauthorized")
    answer = await service.deliver("github", body, headers)
    assert answer.status_code == 401
    assert answer.json() == {
        "status": "unauthorized",
        "detail": "X-Hub-Signature-256 is missing or wrong",
    }
    assert _metric("github", "unverified", "unauthorized") == before + 1
    key = f"{headers['X-GitHub-Hook-ID']}:{headers['X-GitHub-Delivery']}"
    nothing_happened(service, fake_forge, key, "github")


@pytest.mark.parametrize("token", [None, "", "guessed", SECRET + " ", SECRET.upper()])
async def test_gitlab_bad_token_is_401_and_leaves_no_trace(
    fake_forge: FakeForge, service: RunningService, token: str | None
) -> None:
    body, headers = gitlab_delivery(gitlab_merge_request(), SECRET)
    if token is None:
        del headers["X-Gitlab-Token"]
    else:
        headers["X-Gitlab-Token"] = token
    answer = await service.deliver("gitlab", body, headers)
    assert answer.status_code == 401
    assert answer.json()["detail"] == "X-Gitlab-Token is missing or wrong"
    nothing_happened(service, fake_forge, headers["Idempotency-Key"], "gitlab")


async def test_a_signed_delivery_is_queued_with_ids_only(service: RunningService) -> None:
    body, headers = github_delivery(github_pull_request(number=12, head_sha="e" * 40), SECRET)
    answer = await service.deliver("github", body, headers)
    job_id = f"review:github:{REPOSITORY}:12:{'e' * 40}:main"
    assert (answer.status_code, answer.json()) == (202, {"status": "queued", "job_id": job_id})
    job = service.store.jobs.get(job_id)
    assert job is not None and job.kind == "review"
    assert job.payload == {
        "forge": "github",
        "repository": REPOSITORY,
        "number": 12,
        "head_sha": "e" * 40,
        "base_branch": "main",
        "delivery": f"123456789:{headers['X-GitHub-Delivery']}",
    }


async def test_the_same_delivery_id_for_another_hook_is_another_delivery(
    service: RunningService,
) -> None:
    body, headers = github_delivery(github_pull_request(), SECRET, delivery="guid-1")
    first = await service.deliver("github", body, headers)
    other_hook = await service.deliver("github", body, {**headers, "X-GitHub-Hook-ID": "987"})
    assert first.json()["status"] == "queued"
    # A second hook of the same event: recorded as its own delivery, same job.
    assert other_hook.json()["status"] == "already_queued"


async def test_ping_and_events_that_need_nothing_get_2xx_with_the_reason(
    service: RunningService,
) -> None:
    body, headers = github_delivery(
        {"zen": "Design for failure.", "hook_id": 1}, SECRET, event="ping"
    )
    assert (await service.deliver("github", body, headers)).json() == {"status": "pong"}
    cases = [
        ("github", github_delivery(github_pull_request(action="labeled"), SECRET),
         "pull_request action labeled needs no review"),
        ("github", github_delivery({"action": "opened"}, SECRET, event="issues"),
         "issues events are not used"),
        ("github", github_delivery(github_pull_request(repository="acme/other"), SECRET),
         "repository acme/other is not configured for github"),
        ("gitlab", gitlab_delivery(gitlab_merge_request(action="update"), SECRET),
         "merge request updated without new commits"),
        ("gitlab", gitlab_delivery({"object_kind": "pipeline"}, SECRET, event="Pipeline Hook"),
         "Pipeline Hook events are not used"),
    ]  # fmt: skip
    for forge, (body, headers), reason in cases:
        answer = await service.deliver(forge, body, headers)
        assert (answer.status_code, answer.json()) == (200, {"status": "ignored", "reason": reason})
    assert service.store.jobs.count("queued") == 0


async def test_malformed_deliveries_are_400_naming_the_problem(service: RunningService) -> None:
    payload = github_pull_request()
    del payload["pull_request"]["head"]["sha"]
    cases = [
        ("github", github_delivery(payload, SECRET), "pull_request.head.sha is missing"),
        ("github", _signed(b"{not json", "pull_request"), "the body is not valid JSON: "),
        ("github", _signed(b"[1, 2]", "pull_request"), "the body is not a JSON object"),
        ("gitlab", gitlab_delivery({"object_attributes": {"action": "open"}}, SECRET),
         "project.path_with_namespace is missing"),
    ]  # fmt: skip
    for forge, (body, headers), detail in cases:
        answer = await service.deliver(forge, body, headers)
        assert answer.status_code == 400
        assert answer.json()["status"] == "malformed"
        assert answer.json()["detail"].startswith(detail)
    body, headers = github_delivery(github_pull_request(), SECRET)
    del headers["X-GitHub-Delivery"]
    answer = await service.deliver("github", body, headers)
    assert (answer.status_code, answer.json()["detail"]) == (
        400,
        "x-github-delivery header is missing",
    )
    assert service.store.jobs.count("queued") == 0


def _signed(body: bytes, event: str) -> tuple[bytes, dict[str, str]]:
    from app.webhooks import sign_github

    headers = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": "d-1",
        "X-GitHub-Hook-ID": "1",
        "X-Hub-Signature-256": sign_github(SECRET.encode(), body),
    }
    return body, headers


async def test_a_body_over_the_cap_is_413_before_it_is_read(service: RunningService) -> None:
    declared = await service.client.post(
        "/webhooks/github",
        content=b"{}",
        headers={"Content-Length": str(MAX_BODY_BYTES + 1), "X-GitHub-Event": "ping"},
    )
    assert declared.status_code == 413

    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        chunk = b" " * (1024 * 1024)
        while sent < MAX_BODY_BYTES * 2:
            sent += len(chunk)
            yield chunk

    _, headers = gitlab_delivery(gitlab_merge_request(), SECRET)
    streamed = await service.client.post("/webhooks/gitlab", content=chunks(), headers=headers)
    assert streamed.status_code == 413
    assert streamed.json()["detail"] == f"the body is over {MAX_BODY_BYTES} bytes"
    assert sent <= MAX_BODY_BYTES + 2 * 1024 * 1024  # stopped reading at the cap


@pytest.fixture
def github_only(fake_forge: FakeForge, tmp_path: Path) -> Iterator[RunningService]:
    config = service_config(fake_forge, tmp_path)
    forges = config.forges.model_copy(
        update={"gitlab": config.forges.gitlab.model_copy(update={"token": None})}
    )
    running = RunningService(config.model_copy(update={"forges": forges}))
    yield running
    running.store.close()


async def test_a_disabled_forge_has_no_webhook_endpoint(
    fake_forge: FakeForge, github_only: RunningService
) -> None:
    body, headers = gitlab_delivery(gitlab_merge_request(), SECRET)
    answer = await github_only.deliver("gitlab", body, headers)
    assert (answer.status_code, answer.json()) == (
        404,
        {"status": "disabled", "detail": "the gitlab forge is not enabled on this server"},
    )
    nothing_happened(github_only, fake_forge, headers["Idempotency-Key"], "gitlab")
    await github_only.client.aclose()


async def test_gitlab_dedupes_on_idempotency_key_then_event_uuid(service: RunningService) -> None:
    body, headers = gitlab_delivery(gitlab_merge_request(), SECRET, idempotency_key="key-1")
    first = await service.deliver("gitlab", body, headers)
    retry = await service.deliver("gitlab", body, {**headers, "X-Gitlab-Event-UUID": "other"})
    assert [first.json()["status"], retry.json()["status"]] == ["queued", "duplicate"]
    # Without Idempotency-Key (GitLab before 17.4) the event UUID is the key.
    body2, headers2 = gitlab_delivery(gitlab_merge_request(iid=8), SECRET)
    headers2 = {k: v for k, v in headers2.items() if k != "Idempotency-Key"}
    answers = [(await service.deliver("gitlab", body2, headers2)).json()["status"] for _ in "ab"]
    assert answers == ["queued", "duplicate"]
