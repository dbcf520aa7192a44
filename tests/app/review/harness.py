"""schemabot's webhook endpoints and review job, running for real against the fake forge.

``RunningService`` is the real router on a FastAPI app with the real state store (SQLite), the
in-process queue and the real PyGithub / python-gitlab adapters pointed at the fake forge (no
write pacing, tiny retry delays). ``ForgeCase`` hides how GitHub and GitLab differ in what
they send and what the fake forge recorded, so each test runs for both forges.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from app.api import webhooks
from app.api.middleware import RequestContextMiddleware
from app.api.services import Services
from app.config import Config, parse_config
from app.forges import RetryPolicy, create_forges
from app.jobs import JOBS, JobContext
from app.queue import InlineQueue
from app.review import SUMMARY_MARKER
from app.store import Store
from tests.app.webhooks.payloads import (
    github_delivery,
    github_pull_request,
    gitlab_delivery,
    gitlab_merge_request,
)
from tests.fakeforge import FakeForge, FakePull
from tests.fakeforge.state import FakeFileChange, unified_patch

__all__ = [
    "REPOSITORY",
    "SECRET",
    "ForgeCase",
    "InlineComment",
    "RunningService",
    "push",
    "service_config",
    "service_config_text",
]

SECRET = "webhook-secret-for-tests"
REPOSITORY = "acme/shop"
MIGRATIONS = "db/migrations"
PUBLIC_URL = "https://schemabot.example"
#: GitLab has no error state: the adapter reports ours as ``failed``.
GITLAB_STATES = {"failed": "failure"}


def service_config(fake: FakeForge, tmp_path: Path, *, lint: str = "") -> Config:
    """Both forges enabled, ``acme/shop`` configured on each with staging then production
    (approval by maintainers); ``lint`` is the body of the server's ``[lint]`` table."""
    return parse_config(service_config_text(fake, tmp_path, lint=lint), env={})


def service_config_text(
    fake: FakeForge, tmp_path: Path, *, lint: str = "", redis_url: str = ""
) -> str:
    """The TOML of :func:`service_config`, for a ``schemabot`` process to read."""
    repositories = "".join(
        f"""
[[repositories]]
forge = "{forge}"
name = "{REPOSITORY}"
migrations = "{MIGRATIONS}"

  [[repositories.environments]]
  name = "staging"
  url = "sqlite:///{tmp_path}/staging.db"

  [[repositories.environments]]
  name = "production"
  url = "sqlite:///{tmp_path}/production.db"
  approval = true
  min_permission = "maintain"
"""
        for forge in ("github", "gitlab")
    )
    return f"""
[server]
state_url = "sqlite:///{tmp_path}/state.db"
public_url = "{PUBLIC_URL}"
redis_url = "{redis_url}"

[forges.github]
api_url = "{fake.github_url}"
token = "{FakeForge.GITHUB_TOKEN}"
webhook_secret = "{SECRET}"

[forges.gitlab]
url = "{fake.gitlab_url}"
token = "{FakeForge.GITLAB_TOKEN}"
webhook_secret = "{SECRET}"

[lint]
{lint}
{repositories}"""


class RunningService:
    """The service's webhook side and job side in this process (start/stop around a test)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.store = Store(config.server.state_url)
        self.store.upgrade()
        fast = RetryPolicy(tries=2, base_delay=0.01, max_delay=0.01, max_rate_limit_wait=1)
        self.forges = create_forges(config, retry=fast, write_interval=0)
        context = JobContext(config=config, store=self.store, forges=self.forges)
        self.queue = InlineQueue(context, jobs=JOBS, poll_seconds=0.02)
        app = FastAPI()
        app.add_middleware(RequestContextMiddleware)
        app.include_router(webhooks.router)
        app.state.services = Services(config=config, store=self.store, queue=self.queue)
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://schemabot.test"
        )

    async def start(self) -> None:
        await self.queue.start()

    async def stop(self) -> None:
        await self.queue.stop()
        await self.client.aclose()
        self.store.close()

    async def deliver(self, forge: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        return await self.client.post(f"/webhooks/{forge}", content=body, headers=headers)

    async def drain(self) -> None:
        await self.queue.drain(within=60)


@dataclass(frozen=True)
class InlineComment:
    path: str
    line: int
    body: str


@dataclass(frozen=True)
class ForgeCase:
    """One forge as the tests see it."""

    name: str

    def delivery(
        self, pull: FakePull, *, action: str = "opened", previous_head: str | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """What the forge sends when ``pull`` is opened (or pushed to: ``action="pushed"``)."""
        if self.name == "github":
            github_action = "synchronize" if action == "pushed" else action
            payload = github_pull_request(
                repository=REPOSITORY,
                number=pull.number,
                action=github_action,
                head_sha=pull.head_sha,
                base_sha=pull.base_sha,
                base_branch=pull.base_branch,
                head_repository=pull.fork,
            )
            return github_delivery(payload, SECRET)
        gitlab_action = {"opened": "open", "reopened": "reopen", "pushed": "update"}[action]
        payload = gitlab_merge_request(
            repository=REPOSITORY,
            iid=pull.number,
            action=gitlab_action,
            head_sha=pull.head_sha,
            base_branch=pull.base_branch,
            oldrev=previous_head if action == "pushed" else None,
            source_project_id=99 if pull.fork else 15,
        )
        return gitlab_delivery(payload, SECRET)

    def inline_comments(self, fake: FakeForge, number: int) -> list[InlineComment]:
        if self.name == "github":
            return [
                InlineComment(comment["path"], comment["line"], comment["body"])
                for review in fake.reviews(REPOSITORY, number)
                for comment in review["comments"]
            ]
        return [
            InlineComment(d["position"]["new_path"], d["position"]["new_line"], d["body"])
            for d in fake.discussions(REPOSITORY, number)
        ]

    def comment_writes(self, fake: FakeForge, number: int) -> int:
        """Requests that posted inline comments (GitHub: reviews; GitLab: discussions)."""
        if self.name == "github":
            return len(fake.requests("POST", f"/pulls/{number}/reviews", forge="github"))
        return len(fake.requests("POST", f"/merge_requests/{number}/discussions", forge="gitlab"))

    def summaries(self, fake: FakeForge, number: int) -> list[dict[str, Any]]:
        comments = fake.comments(REPOSITORY, number, forge=self.name)
        return [comment for comment in comments if SUMMARY_MARKER in comment["body"]]

    def statuses(self, fake: FakeForge, sha: str) -> list[tuple[str, str, str | None]]:
        """(state, description, target_url) of ``schemabot/lint`` on ``sha``, oldest first;
        GitLab's ``failed`` reads as ``failure`` (it has no separate error state)."""
        found = []
        for status in fake.statuses(REPOSITORY, forge=self.name, sha=sha):
            if status.get("context", status.get("name")) != "schemabot/lint":
                continue
            state = status.get("state") or GITLAB_STATES.get(status["status"], status["status"])
            found.append((state, status["description"], status["target_url"]))
        return found

    def writes(self, fake: FakeForge) -> int:
        methods = ("POST", "PATCH", "PUT", "DELETE")
        return sum(len(fake.requests(method, forge=self.name)) for method in methods)


def push(fake: FakeForge, forge: str, number: int, files: dict[str, str | None]) -> str:
    """Commit ``files`` (path -> new text, None to delete) on the pull request's branch, as a
    developer pushing a fix; returns the new head sha."""
    with fake.lock:
        repo = fake.repository(REPOSITORY, forge=forge)
        pull = repo.pulls[number]
        head_files = dict(repo.commits[pull.head_sha].files)
        for path, text in files.items():
            if text is None:
                head_files.pop(path, None)
            else:
                head_files[path] = text
        commit = fake.commit(
            repo, head_files, branch=pull.head_branch, parent=pull.head_sha, message="fix"
        )
        base_files = repo.commits[pull.base_sha].files
        changes = []
        for path in sorted(set(base_files) | set(head_files)):
            old, new = base_files.get(path), head_files.get(path)
            if old == new:
                continue
            status = "added" if old is None else "removed" if new is None else "modified"
            changes.append(FakeFileChange(path, status, unified_patch(old, new)))
        pull.head_sha = commit.sha
        pull.changes = changes
        return commit.sha
