"""schemabot's rollout running for real: webhook endpoints, the state store, the in-process
queue or arq on Redis with ``schemabot worker`` processes, the real PyGithub / python-gitlab
adapters against the fake forge (no write pacing), and real databases as environments.

``ForgeRepository`` plays the developers: merges pull requests (a merge commit on ``main``),
pushes, comments, and delivers the forge's webhooks for each.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from app.api import webhooks
from app.api.services import Services
from app.config import Config, load_config
from app.forges import RetryPolicy, create_forges
from app.jobs import JOBS, JobContext
from app.queue import InlineQueue, Queue
from app.queue.arq_queue import ArqQueue
from app.rollout import RolloutRecovery, RolloutTiming
from app.store import RolloutRecord, StepRecord, Store
from tests.app.rollout.payloads import comment_delivery, merged_delivery, push_delivery
from tests.fakeforge import FakeForge, FakePull

__all__ = [
    "MIGRATIONS",
    "REPOSITORY",
    "SECRET",
    "ForgeRepository",
    "RolloutService",
    "WorkerProcess",
    "write_config",
]

SECRET = "rollout-webhook-secret"
REPOSITORY = "acme/shop"
MIGRATIONS = "db/migrations"
#: Short lease timings so recovery tests take seconds (the defaults are 20 s / 5 s / 5 s).
FAST_TIMING = {
    "SCHEMABOT_ROLLOUT_LEASE_SECONDS": "3",
    "SCHEMABOT_ROLLOUT_HEARTBEAT_SECONDS": "0.5",
    "SCHEMABOT_ROLLOUT_SWEEP_SECONDS": "0.5",
    "SCHEMABOT_ROLLOUT_DATABASE_LOCK_RETRY_SECONDS": "1",
    "SCHEMABOT_ROLLOUT_REPORT_RETRY_SECONDS": "1",
}
#: ``schemabot`` with the adapters' write pacing off (the fake forge has no limits).
SCHEMABOT = [
    sys.executable,
    "-c",
    "import app.forges.github as g, app.forges.gitlab as l;"
    " g.WRITE_INTERVAL = l.WRITE_INTERVAL = 0;"
    " from app.cli import main; main()",
]


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return f'"{value}"'


def write_config(
    path: Path,
    *,
    fake: FakeForge,
    state_url: str,
    environments: Sequence[Mapping[str, object]],
    forge: str = "github",
    redis_url: str = "",
) -> Config:
    """A config file with ``acme/shop`` on ``forge`` rolled out to ``environments`` in order."""
    envs = "".join(
        "\n  [[repositories.environments]]\n"
        + "".join(f"  {key} = {_toml_value(value)}\n" for key, value in environment.items())
        for environment in environments
    )
    redis = f'redis_url = "{redis_url}"\n' if redis_url else ""
    path.write_text(
        f"""[server]
state_url = "{state_url}"
public_url = "https://schemabot.example"
{redis}
[forges.github]
api_url = "{fake.github_url}"
token = "{FakeForge.GITHUB_TOKEN}"
webhook_secret = "{SECRET}"

[forges.gitlab]
url = "{fake.gitlab_url}"
token = "{FakeForge.GITLAB_TOKEN}"
webhook_secret = "{SECRET}"

[[repositories]]
forge = "{forge}"
name = "{REPOSITORY}"
migrations = "{MIGRATIONS}"
dialect = "postgres"
{envs}"""
    )
    return load_config(path, env={})


class RolloutService:
    """The webhook endpoints and (with the in-process queue) the jobs, in this process. With
    ``redis_url`` set in the config, jobs go to Redis and ``schemabot worker`` runs them."""

    def __init__(self, config: Config, *, recovery: bool = True, remote: str | None = None) -> None:
        """``remote``: the URL of a ``schemabot serve`` process that receives the webhooks and
        runs the jobs; this object then only delivers and reads the shared store."""
        self.config = config
        self.remote = remote
        self.recovering = recovery and remote is None
        self.store = Store(config.server.state_url)
        self.store.upgrade()
        fast = RetryPolicy(tries=2, base_delay=0.01, max_delay=0.01, max_rate_limit_wait=1)
        self.forges = create_forges(config, retry=fast, write_interval=0)
        context = JobContext(config=config, store=self.store, forges=self.forges)
        self.queue: Queue
        if config.server.redis_url:
            self.queue = ArqQueue(config.server.redis_url)
        else:
            self.queue = InlineQueue(context, jobs=JOBS, poll_seconds=0.02)
        context.queue = self.queue
        self.recovery = RolloutRecovery(store=self.store, queue=self.queue, timing=RolloutTiming())
        app = FastAPI()
        app.include_router(webhooks.router)
        app.state.services = Services(config=config, store=self.store, queue=self.queue)
        self.client = (
            httpx.AsyncClient(base_url=remote, timeout=10)
            if remote
            else httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://schemabot.test"
            )
        )

    async def start(self) -> None:
        if self.remote:
            return
        await self.queue.start()
        if self.recovering:
            await self.recovery.start()

    async def stop(self) -> None:
        await self.recovery.stop()
        if not self.remote:
            await self.queue.stop()
        await self.client.aclose()
        self.store.close()

    async def __aenter__(self) -> RolloutService:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def deliver(self, forge: str, delivery: tuple[bytes, dict[str, str]]) -> httpx.Response:
        body, headers = delivery
        response = await self.client.post(f"/webhooks/{forge}", content=body, headers=headers)
        assert response.status_code in (200, 202), response.text
        return response

    async def until(
        self, check: Callable[[], bool], *, within: float = 60, what: str = "the condition"
    ) -> None:
        deadline = time.monotonic() + within
        while not await asyncio.to_thread(check):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} did not happen within {within:g} s")
            await asyncio.sleep(0.05)

    def rollout(self, number: int) -> RolloutRecord:
        found = self.store.rollouts.for_pull_request("github", REPOSITORY, number)
        found = found or self.store.rollouts.for_pull_request("gitlab", REPOSITORY, number)
        assert found is not None, f"no rollout for #{number}"
        return found

    def steps(self, rollout: RolloutRecord) -> dict[str, StepRecord]:
        return {step.environment: step for step in self.store.rollouts.steps(rollout.id)}

    async def settled(self, number: int, *, within: float = 60) -> RolloutRecord:
        """Wait until the pull request's rollout stopped (waiting for a person, or finished)
        and no job is left to run for it."""

        def stopped() -> bool:
            rollout = self.store.rollouts.for_pull_request(self.forge_name(), REPOSITORY, number)
            if rollout is None or rollout.lease_holder is not None:
                return False
            if rollout.status in ("succeeded", "failed", "cancelled", "superseded"):
                return True
            return rollout.status == "waiting" and rollout.waiting_for in ("approval", "rollout")

        await self.until(stopped, within=within, what=f"the rollout of #{number} settling")
        if isinstance(self.queue, InlineQueue):
            await self.queue.drain(within=within)
        return self.rollout(number)

    async def reaches(self, number: int, status: str, *, within: float = 60) -> RolloutRecord:
        """Wait until the pull request's rollout has ``status`` and its job let go of it (the
        report is written before the lease is given back)."""

        def there() -> bool:
            found = self.store.rollouts.for_pull_request(self.forge_name(), REPOSITORY, number)
            return found is not None and found.status == status and found.lease_holder is None

        await self.until(there, within=within, what=f"the rollout of #{number} {status}")
        return self.rollout(number)

    def forge_name(self) -> str:
        return self.config.repositories[0].forge


@dataclass
class ForgeRepository:
    """``acme/shop`` on the fake forge, and the webhooks it sends."""

    fake: FakeForge
    forge: str
    service: RolloutService

    def __post_init__(self) -> None:
        self.fake.add_repository(REPOSITORY, forge=self.forge, files={"README.md": "shop\n"})

    def head(self) -> str:
        return self.fake.repository(REPOSITORY, forge=self.forge).branches["main"]

    def files(self) -> dict[str, str]:
        repo = self.fake.repository(REPOSITORY, forge=self.forge)
        return dict(repo.commits[repo.branches["main"]].files)

    def merge(self, migrations: Mapping[str, str], *, title: str = "Migrations") -> FakePull:
        """Open a pull request adding or changing ``migrations`` (name -> SQL) and merge it
        into ``main`` with a merge commit, as the forge's merge button does."""
        current = self.files()
        changes = {
            f"{MIGRATIONS}/{name}": (current.get(f"{MIGRATIONS}/{name}"), sql)
            for name, sql in migrations.items()
        }
        pull = self.fake.add_pull_request(REPOSITORY, changes, forge=self.forge, title=title)
        with self.fake.lock:
            repo = self.fake.repository(REPOSITORY, forge=self.forge)
            head = repo.commits[pull.head_sha]
            merged = dict(repo.commits[repo.branches["main"]].files)
            for change in pull.changes:
                merged[change.path] = head.files[change.path]
            commit = self.fake.commit(repo, merged, branch="main", message=f"Merge #{pull.number}")
            pull.state, pull.merged, pull.merge_sha = "closed", True, commit.sha
        return pull

    def push(self, migrations: Mapping[str, str]) -> tuple[str, str]:
        """Commit straight to ``main``; (before, after)."""
        before = self.head()
        files = self.files() | {f"{MIGRATIONS}/{name}": sql for name, sql in migrations.items()}
        with self.fake.lock:
            repo = self.fake.repository(REPOSITORY, forge=self.forge)
            after = self.fake.commit(repo, files, branch="main", message="push").sha
        return before, after

    async def deliver_merged(self, pull: FakePull, *, delivery: str | None = None) -> None:
        assert pull.merge_sha is not None
        await self.service.deliver(
            self.forge,
            merged_delivery(
                self.forge,
                SECRET,
                repository=REPOSITORY,
                number=pull.number,
                head_sha=pull.head_sha,
                merge_sha=pull.merge_sha,
                delivery=delivery,
            ),
        )

    async def deliver_push(
        self, before: str, after: str, *, branch: str = "main"
    ) -> httpx.Response:
        return await self.service.deliver(
            self.forge,
            push_delivery(
                self.forge,
                SECRET,
                repository=REPOSITORY,
                branch=branch,
                before=before,
                after=after,
            ),
        )

    async def comment(self, pull: FakePull, body: str, *, author: str, **options: Any) -> None:
        """Someone comments on the pull request; the forge sends the event."""
        comment = self.fake.add_comment(
            REPOSITORY, pull.number, body, forge=self.forge, author=author
        )
        await self.service.deliver(
            self.forge,
            comment_delivery(
                self.forge,
                SECRET,
                repository=REPOSITORY,
                number=pull.number,
                comment_id=comment["id"],
                author=author,
                body=body,
                **options,
            ),
        )

    def statuses(self, sha: str) -> dict[str, tuple[str, str]]:
        """The latest (state, description) of each status context on ``sha``."""
        latest: dict[str, tuple[str, str]] = {}
        for status in self.fake.statuses(REPOSITORY, forge=self.forge, sha=sha):
            context = status.get("context") or status.get("name")
            state = status.get("state") or status.get("status")
            latest[str(context)] = (str(state), str(status.get("description")))
        return latest

    def comments_by(self, number: int, author: str) -> list[str]:
        return [
            str(comment["body"])
            for comment in self.fake.comments(REPOSITORY, number, forge=self.forge)
            if comment["author"] == author
        ]


class WorkerProcess:
    """A real ``schemabot worker`` on Redis (or ``schemabot serve``: ``command``), started and
    killed like a pod."""

    def __init__(
        self, config_path: Path, log_path: Path, command: Sequence[str] = ("worker",)
    ) -> None:
        self.config_path = config_path
        self.log_path = log_path
        self.command = list(command)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        env = {**os.environ, **FAST_TIMING, "SCHEMABOT_LOG_FORMAT": "json"}
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [*SCHEMABOT, *self.command, "--config", str(self.config_path)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, the lease is not given back."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
