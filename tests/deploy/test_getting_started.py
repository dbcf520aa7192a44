"""docs/getting-started.md, followed as written.

Its shell blocks run in order in one bash session, the way a reader types them, against the
local PostgreSQL and Redis: ``getting_started_*`` databases of this test (dropped at the end),
a temporary home directory, a free port on 127.0.0.1 instead of 8080, and the test's own values
for the variables the guide asks the reader to set. Nothing else of a block is changed.

GitHub itself cannot be reached here: the service and the worker talk to the fake GitHub of the
test suite (``GITHUB_API_URL``, a variable the guide's config reads), which plays the pull
request, the merge and the approval of sections 6 and 7, with the guide's own files and
comment. Blocks about github.com settings are checked against the code instead: the events
listed are exactly those the webhook readers use, and the permissions are exactly those the
endpoints the adapters call need (the adapters run against the fake forge, every request is
matched to GitHub's documented permission, and an unknown endpoint fails the test).
"""

from __future__ import annotations

import json
import random
import re
import shlex
import shutil
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import psycopg
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.config import parse_config
from app.forges import create_forges
from app.forges.base import CommitStatus, Forge, InlineComment
from app.forges.github import GitHub
from app.forges.gitlab import GitLab
from app.forges.retry import RetryPolicy
from app.rollout.webhook_events import read_github_rollout_event, read_gitlab_rollout_event
from app.webhooks import Ignored, PayloadError, read_github_event, read_gitlab_event
from tests.app.rollout.payloads import comment_delivery, merged_delivery, push_delivery
from tests.app.webhooks.payloads import github_delivery, github_pull_request
from tests.conftest import POSTGRES_ADMIN_URL, REDIS_URL
from tests.deploy.manifests import ROOT
from tests.deploy.walkthrough import (
    GUIDE,
    KINDS,
    Block,
    Shell,
    answers,
    blocks,
    free_port,
    section,
    stop_group,
    wait_until,
)
from tests.fakeforge import FakeForge, FakePull, unified_patch
from tests.fakeforge.state import FakeFileChange

REPOSITORY = "acme/shop"
APPROVER = "carol"
#: The guide's examples listen here; the tests use a free port instead.
GUIDE_ADDRESS = "127.0.0.1:8080"
#: What the guide's ``variables`` block must export: the test has a value for each.
VARIABLES = {
    "PGHOST",
    "PGPORT",
    "PGUSER",
    "REDIS_URL",
    "STATE_DB",
    "STAGING_DB",
    "PRODUCTION_DB",
    "GITHUB_TOKEN",
}
#: Sections walked by the walkthrough test (section 1 is ``make run``'s own test).
WALKED = ("2.", "3.", "4.", "5.", "6.", "7.", "8.", "Clean up")
#: A fresh machine's PATH; the guide puts the checkout's .venv/bin in front of it.
BASE_PATH = "/usr/local/bin:/usr/bin:/bin"
SUMMARY_MARKER = "<!-- schemabot:summary -->"
ROLLOUT_MARKER = "<!-- schemabot:rollout -->"
SERVER_CONFIG = "~/schemabot-local/schemabot.toml"
REPO_CONFIG = "~/shop/.schemabot.toml"
SCHEMABOT = str(ROOT / ".venv" / "bin" / "schemabot")
TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def needs(*programs: str) -> None:
    """Skip, naming them, when programs the guide lists as prerequisites are not installed."""
    missing = [program for program in programs if shutil.which(program) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed: the guide's blocks cannot run here")


def guide_text(prefix: str) -> str:
    """The text of the ``## `` section whose heading starts with ``prefix``."""
    text = GUIDE.read_text()
    match = re.search(rf"^## {re.escape(prefix)}.*?(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match is not None, f"no section {prefix!r}"
    return match.group(0)


def prose(prefix: str) -> str:
    """The section's text with every run of whitespace made one space, as it renders."""
    return " ".join(guide_text(prefix).split())


def localize(text: str, port: int) -> str:
    """The guide's block with the test's port for the guide's 8080, and nothing else changed."""
    moved = text.replace(GUIDE_ADDRESS, f"127.0.0.1:{port}").replace(
        "--port 8080", f"--port {port}"
    )
    assert "8080" not in moved, f"8080 in a form the tests do not move:\n{text}"
    return moved


@pytest.fixture
def own_redis() -> Iterator[str]:
    """An empty Redis database of this test's own, flushed afterwards. Not the suite's
    ``redis_url`` (databases 8 to 15 by xdist worker): the walkthrough's worker takes every job
    of its queue, and a second test run on the same machine would share that database."""
    import redis

    for number in random.sample(range(1, 8), 7):
        url = f"{REDIS_URL}/{number}"
        client = redis.Redis.from_url(url)
        if client.dbsize() == 0:
            try:
                yield url
            finally:
                client.flushdb()
                client.close()
            return
        client.close()
    pytest.fail("Redis databases 1 to 7 are all in use: no empty one for the walkthrough")


@pytest.fixture
def fake() -> Iterator[FakeForge]:
    forge = FakeForge().start()
    try:
        yield forge
    finally:
        forge.stop()


# -- the guide's blocks --------------------------------------------------------------------------


def test_every_block_says_how_the_tests_treat_it() -> None:
    found = blocks()
    assert len(found) > 20
    walked_or_first = ("1.", *WALKED)
    for previous, block in zip([None, *found], found, strict=False):
        where = f"line {block.line}"
        assert block.kind in KINDS, f"{where}: unknown marker {block.kind!r}"
        if block.kind == "skip":
            assert re.fullmatch(r"\(needs git(hub|lab)\.com[^)]*\)", block.argument), where
        if block.kind == "output":
            assert previous is not None and previous.kind == "run", f"{where}: output of what?"
        if block.kind in ("run", "variables"):
            assert block.language == "sh", where
            assert block.section.startswith(walked_or_first), f"{where}: no test runs it"
        if block.kind == "file":
            assert block.path.startswith("~/"), where
    assert [b.kind for b in found].count("variables") == 1
    assert "(docs/getting-started.md)" in (ROOT / "README.md").read_text()


def _slug(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_links_resolve_to_files_and_headings() -> None:
    for target, anchor in re.findall(r"\]\(([^)#\s]+)(?:#([^)\s]*))?\)", GUIDE.read_text()):
        if "://" in target:
            continue
        path = GUIDE.parent / target
        assert path.exists(), f"links to missing {target}"
        if anchor:
            headings = re.findall(r"^#+ (.+)$", path.read_text(), re.MULTILINE)
            assert anchor in {_slug(h) for h in headings}, f"{target} has no heading #{anchor}"


# -- section 1: make run -------------------------------------------------------------------------


def test_make_run_builds_the_environment_then_serves_the_example_config(tmp_path: Path) -> None:
    needs("make", "bash", "curl")
    clone, make, curl, expected = section(blocks(), "1.")
    assert (clone.kind, make.kind, curl.kind, expected.kind) == ("skip", "run", "run", "output")
    assert make.argument.startswith("in background") and make.text == "make run\n"
    said = prose("1.")
    assert "SCHEMABOT_PORT=" in said and "SCHEMABOT_STATE_URL=" in said  # what the test sets

    # What it does, every step forced: uv into .tools, .venv from uv.lock, then the service.
    plan = subprocess.run(
        ["make", "-n", "-B", "run"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert plan.returncode == 0, plan.stderr
    steps = [
        r"-m venv \.tools$",
        r"\.tools/bin/pip install .*uv==",
        r"uv sync --frozen",
        r"touch \.venv/\.synced",
        r"^\.venv/bin/schemabot serve --config schemabot\.example\.toml$",
    ]
    lines = plan.stdout.splitlines()
    positions = [next(i for i, line in enumerate(lines) if re.search(s, line)) for s in steps]
    assert positions == sorted(positions), plan.stdout

    # The run itself. The tests run from .venv, so it is built; ``-o`` tells make so rather than
    # letting a test rebuild the virtual environment the whole suite runs from.
    port = free_port()
    env = {
        "PATH": BASE_PATH,
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "SCHEMABOT_PORT": str(port),
        "SCHEMABOT_STATE_URL": f"sqlite:///{tmp_path}/schemabot.db",
    }
    log = tmp_path / "make-run.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["make", "-o", ".venv/.synced", *make.text.split()[1:]],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until(
                lambda: answers(f"http://127.0.0.1:{port}/healthz"),
                within=60,
                what="make run answering",
                why=log.read_text,
            )
            answer = subprocess.run(
                ["bash", "-eo", "pipefail", "-c", localize(curl.text, port)],
                env=env,
                capture_output=True,
                text=True,
                timeout=30,
            )
        finally:
            status = stop_group(process, signal.SIGINT)  # Ctrl-C
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout) == json.loads(expected.text)
    assert status is not None, "make run did not stop on Ctrl-C"
    assert (tmp_path / "schemabot.db").is_file()


# -- sections 2 to 8: the walkthrough --------------------------------------------------------------


class Reader:
    """Someone following the guide: a shell, the guide's variables, and GitHub (the fake)."""

    def __init__(self, tmp_path: Path, fake: FakeForge, redis_url: str) -> None:
        admin = urlsplit(POSTGRES_ADMIN_URL)
        prefix = f"getting_started_{uuid.uuid4().hex[:10]}"
        self.values = {
            "PGHOST": admin.hostname or "127.0.0.1",
            "PGPORT": str(admin.port or 5432),
            "PGUSER": admin.username or "postgres",
            "REDIS_URL": redis_url,
            "STATE_DB": f"{prefix}_state",
            "STAGING_DB": f"{prefix}_staging",
            "PRODUCTION_DB": f"{prefix}_production",
            "GITHUB_TOKEN": FakeForge.GITHUB_TOKEN,
        }
        self.defaults: dict[str, str] = {}
        self.fake = fake
        self.home = tmp_path / "home"
        self.home.mkdir()
        self.port = free_port()
        env = {"PATH": BASE_PATH, "HOME": str(self.home), "LANG": "C.UTF-8"}
        env["GITHUB_API_URL"] = fake.github_url  # the guide's config reads it (Enterprise Server)
        if admin.password:
            env["PGPASSWORD"] = admin.password
        self.shell = Shell(tmp_path / "shell", cwd=ROOT, env=env)
        self.output = ""
        self.ran: list[Block] = []
        self.shop: dict[str, str] = {}
        self.pull: FakePull | None = None

    # -- the guide's blocks -----------------------------------------------------------------

    def file(self, block: Block) -> Path:
        path = self.home / block.path.removeprefix("~/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(block.text)
        if block.path.startswith("~/shop/"):
            self.shop[block.path.removeprefix("~/shop/")] = block.text
        return path

    def variables(self, block: Block) -> None:
        exported = dict(re.findall(r"(\w+)=(\S+)", re.sub(r"#.*", "", block.text)))
        assert set(exported) == VARIABLES, "the guide's variables changed: give the test values"
        assert all(line.startswith("export ") for line in block.text.strip().splitlines())
        self.defaults = exported
        exports = " ".join(f"{name}={shlex.quote(value)}" for name, value in self.values.items())
        self.shell.run(f"export {exports}")

    def run(self, block: Block) -> str:
        self.output = self.shell.run(
            localize(block.text, self.port), context=f" (line {block.line})"
        )
        self.ran.append(block)
        if "schemabot serve" in block.text:
            log = self.home / "schemabot-local" / "serve.log"
            wait_until(
                lambda: answers(f"{self.url}/healthz"),
                within=60,
                what="schemabot serve answering",
                why=lambda: log.read_text() if log.exists() else "no serve.log",
            )
        return self.output

    def expect(self, block: Block) -> None:
        """The previous block printed what ``block`` shows."""
        expected = localize(block.text, self.port)
        for name in ("REDIS_URL", "STATE_DB", "STAGING_DB", "PRODUCTION_DB"):
            expected = expected.replace(self.defaults[name], self.values[name])
        server = "postgresql://{PGUSER}@{PGHOST}:{PGPORT}/"
        expected = expected.replace(server.format(**self.defaults), server.format(**self.values))
        actual = self.output
        if "times replaced by <time>" in block.argument:
            actual = TIME.sub("<time>", actual)
        if block.language == "json":
            assert json.loads(actual) == json.loads(expected), f"line {block.line}"
        else:
            assert actual == expected, f"line {block.line}:\n{actual}"

    # -- GitHub, played by the fake forge -------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def secret(self, name: str) -> str:
        env = (self.home / "schemabot-local" / "schemabot.env").read_text()
        match = re.search(rf"^{name}=(.+)$", env, re.MULTILINE)
        assert match is not None, name
        return match.group(1)

    def deliver(self, delivery: tuple[bytes, dict[str, str]]) -> dict[str, Any]:
        body, headers = delivery
        response = httpx.post(f"{self.url}/webhooks/github", content=body, headers=headers)
        assert response.status_code == 202, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def statuses(self, sha: str) -> dict[str, tuple[str, str]]:
        latest: dict[str, tuple[str, str]] = {}
        for status in self.fake.statuses(REPOSITORY, forge="github", sha=sha):
            latest[str(status["context"])] = (str(status["state"]), str(status["description"]))
        return latest

    def wait_status(
        self, sha: str, context: str, state: str, description: str | None = None
    ) -> str:
        """Wait until ``context`` is ``state`` (and ``description``) on ``sha``; its text."""

        def there() -> bool:
            found = self.statuses(sha).get(context, ("", ""))
            return found[0] == state and description in (None, found[1])

        logs = [self.home / "schemabot-local" / name for name in ("worker.log", "serve.log")]
        wait_until(
            there,
            within=90,
            what=f"{context} {state} on {sha[:12]}",
            why=lambda: (
                f"statuses: {self.statuses(sha)}\n"
                + "\n".join(path.read_text()[-6000:] for path in logs if path.exists())
            ),
        )
        return self.statuses(sha)[context][1]

    def wait_comment(self, marker: str, text: str) -> None:
        """Wait until the bot's comment with ``marker`` says ``text``."""
        wait_until(
            lambda: text in self.bot_comment(marker),
            within=60,
            what=f"the comment {marker} saying {text!r}",
            why=lambda: self.bot_comment(marker),
        )

    def bot_comment(self, marker: str) -> str:
        assert self.pull is not None
        found = [
            str(comment["body"])
            for comment in self.fake.comments(REPOSITORY, self.pull.number, forge="github")
            if comment["author"] == FakeForge.BOT and marker in str(comment["body"])
        ]
        assert len(found) <= 1, found
        return found[0] if found else ""

    def open_pull_request(self, path: str) -> FakePull:
        base = {name: text for name, text in self.shop.items() if name != path}
        self.fake.add_repository(REPOSITORY, forge="github", files=base)
        self.pull = self.fake.add_pull_request(
            REPOSITORY, {path: (None, self.shop[path])}, forge="github", author="dev-alice"
        )
        self.announce("opened")
        return self.pull

    def push_to_pull_request(self, path: str) -> None:
        pull = self.pull
        assert pull is not None
        with self.fake.lock:
            repo = self.fake.repository(REPOSITORY, forge="github")
            files = dict(repo.commits[pull.head_sha].files) | {path: self.shop[path]}
            head = self.fake.commit(
                repo, files, branch=pull.head_branch, parent=pull.head_sha, message="Suppress"
            )
            pull.head_sha = head.sha
            pull.changes = [FakeFileChange(path, "added", unified_patch(None, self.shop[path]))]
        self.announce("synchronize")

    def announce(self, action: str) -> None:
        pull = self.pull
        assert pull is not None
        payload = github_pull_request(
            repository=REPOSITORY,
            number=pull.number,
            action=action,
            head_sha=pull.head_sha,
            base_sha=pull.base_sha,
        )
        answer = self.deliver(github_delivery(payload, self.secret("GITHUB_WEBHOOK_SECRET")))
        assert answer["status"] == "queued", answer

    def merge(self) -> str:
        pull = self.pull
        assert pull is not None
        with self.fake.lock:
            repo = self.fake.repository(REPOSITORY, forge="github")
            before = repo.branches["main"]
            files = dict(repo.commits[before].files)
            files |= {c.path: repo.commits[pull.head_sha].files[c.path] for c in pull.changes}
            commit = self.fake.commit(repo, files, branch="main", message="Merge #1")
            pull.state, pull.merged, pull.merge_sha = "closed", True, commit.sha
        secret = self.secret("GITHUB_WEBHOOK_SECRET")
        self.deliver(
            merged_delivery(
                "github",
                secret,
                repository=REPOSITORY,
                number=pull.number,
                head_sha=pull.head_sha,
                merge_sha=commit.sha,
            )
        )
        self.deliver(
            push_delivery(
                "github",
                secret,
                repository=REPOSITORY,
                branch="main",
                before=before,
                after=commit.sha,
            )
        )
        return commit.sha

    def comment(self, body: str, author: str) -> None:
        pull = self.pull
        assert pull is not None
        posted = self.fake.add_comment(REPOSITORY, pull.number, body, forge="github", author=author)
        answer = self.deliver(
            comment_delivery(
                "github",
                self.secret("GITHUB_WEBHOOK_SECRET"),
                repository=REPOSITORY,
                number=pull.number,
                comment_id=posted["id"],
                author=author,
                body=body,
            )
        )
        assert answer["status"] == "queued", answer

    # -- the databases --------------------------------------------------------------------

    def database(self, name: str) -> str:
        return f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{self.values[name]}"

    def tables(self, name: str) -> set[str]:
        with psycopg.connect(self.database(name)) as connection:
            rows = connection.execute(
                "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"
            ).fetchall()
        return {str(row[0]) for row in rows}

    def exists(self, name: str) -> bool:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
            found = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (self.values[name],)
            ).fetchone()
        return found is not None

    def drop_databases(self) -> None:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
            for name in ("STATE_DB", "STAGING_DB", "PRODUCTION_DB"):
                connection.execute(f'DROP DATABASE IF EXISTS "{self.values[name]}" WITH (FORCE)')

    def processes_ended(self) -> bool:
        for name in ("serve.pid", "worker.pid"):
            pid = (self.home / "schemabot-local" / name).read_text().strip()
            stat = Path(f"/proc/{pid}/stat")
            if stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z":
                return False
        return True


def _pull_request_section(reader: Reader, block: Block, v2: str) -> None:
    """Section 6: the guide's files, its pull request, and what it says the bot posts."""
    said = prose("6.")
    if block.kind == "file":
        first = v2 not in reader.shop
        reader.file(block)
        if not first:  # the second version of the migration: pushed to the pull request
            reader.push_to_pull_request(v2)
            assert reader.pull is not None
            description = reader.wait_status(reader.pull.head_sha, "schemabot/lint", "success")
            assert f"`{description}`" in said
            assert "**Verdict: all clear.**" in reader.bot_comment(SUMMARY_MARKER)
            assert "**Verdict: all clear**" in said
        return
    assert block.kind == "skip" and "git push" in block.text, block
    assert v2 in block.text
    pull = reader.open_pull_request(v2)
    description = reader.wait_status(pull.head_sha, "schemabot/lint", "failure")
    assert f"`failure`, `{description}`" in said
    (review,) = reader.fake.reviews(REPOSITORY, pull.number)
    (inline,) = review["comments"]
    assert (inline["path"], inline["line"]) == (v2, 1)
    assert "create-index-not-concurrently" in inline["body"] and "```suggestion" in inline["body"]
    assert "`create-index-not-concurrently` (error) on line 1" in said
    summary = reader.bot_comment(SUMMARY_MARKER)
    assert "**Verdict: blocked.**" in summary and "**Verdict: blocked**" in said
    gate = "**waits for approval** by someone with maintain permission"
    assert gate in summary and gate in said


def _rollout_section(reader: Reader, block: Block) -> None:
    """Section 7: merge, staging, the approval the guide shows, production."""
    said = prose("7.")
    assert block.kind == "comment"
    merged = reader.merge()
    staging = reader.wait_status(merged, "schemabot/staging", "success")
    assert staging.startswith("applied 2 migrations in") and "`applied 2 migrations in" in said
    waiting = "waiting for approval"
    reader.wait_status(merged, "schemabot/production", "pending", waiting)
    assert f"`pending`, `{waiting}`" in said
    assert {"orders", "ix_orders_customer"} <= reader.tables("STAGING_DB")
    assert "orders" not in reader.tables("PRODUCTION_DB")
    # The rollout comment: what production would apply, and who may approve it.
    reader.wait_comment(ROLLOUT_MARKER, "anyone with maintain permission")
    (row,) = [
        line
        for line in reader.bot_comment(ROLLOUT_MARKER).splitlines()
        if line.startswith("| `production` |")
    ]
    assert "pending: " in row and "V2__index_orders_customer.sql" in row, row
    assert "lists what production would apply and who may approve" in said

    reader.fake.set_role(REPOSITORY, APPROVER, "maintain")
    assert f"{APPROVER.capitalize()}, a maintainer, comments" in said
    reader.comment(block.text, APPROVER)
    production = reader.wait_status(merged, "schemabot/production", "success")
    assert production.startswith("applied 2 migrations in")
    assert {"orders", "ix_orders_customer"} <= reader.tables("PRODUCTION_DB")
    reader.wait_comment(ROLLOUT_MARKER, f"@{APPROVER} (maintain)")  # its "Approved by" column
    assert "the rollout comment records who approved" in said


@pytest.mark.slow
def test_the_walkthrough_runs_as_written(tmp_path: Path, fake: FakeForge, own_redis: str) -> None:
    needs("bash", "curl", "openssl", "createdb", "dropdb")
    everything = blocks()
    walked = [b for b in everything if b.section.startswith(WALKED)]
    v2 = "db/migrations/V2__index_orders_customer.sql"
    reader = Reader(tmp_path, fake, own_redis)
    try:
        for block in walked:
            if block.section.startswith("6.") and (
                block.kind == "skip" or (block.kind == "file" and block.path == f"~/shop/{v2}")
            ):
                _pull_request_section(reader, block, v2)
            elif block.kind == "comment":
                _rollout_section(reader, block)
            elif block.kind == "variables":
                reader.variables(block)
            elif block.kind == "file":
                reader.file(block)
            elif block.kind == "run":
                reader.run(block)
                if "/api/rollouts" in block.text:
                    (rollout,) = json.loads(reader.output)["items"]
                    assert (rollout["repository"], rollout["pull_number"]) == (REPOSITORY, 1)
                    assert rollout["status"] == "succeeded"
                    assert '`"status":"succeeded"`, for pull request 1' in prose("7.")
                    sign_in = httpx.get(f"{reader.url}/sign-in")
                    assert sign_in.status_code == 200 and "<form" in sign_in.text
            elif block.kind == "output":
                reader.expect(block)
            else:  # config and lint blocks: their own tests below
                assert block.kind in ("config", "lint"), block
        assert reader.ran == [b for b in walked if b.kind == "run"]
        assert reader.pull is not None and reader.pull.merged
        # The clean-up block stopped the service and the worker and dropped the stand-ins.
        wait_until(reader.processes_ended, within=40, what="schemabot serve and worker ending")
        assert not reader.exists("STAGING_DB") and not reader.exists("PRODUCTION_DB")
        assert reader.exists("STATE_DB")
    finally:
        reader.shell.close()
        reader.drop_databases()


# -- blocks that are not shell: config fragments, SQL ---------------------------------------------


def _guide_config() -> str:
    (config,) = [b for b in blocks() if b.kind == "file" and b.path == SERVER_CONFIG]
    return config.text


def _without_table(text: str, table: str) -> str:
    """``text`` without ``[table]`` and its keys."""
    return re.sub(rf"^\[{re.escape(table)}\]\n(?:(?!\[).*\n)*", "", text, flags=re.MULTILINE)


def _key_pair(path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )


def test_the_config_fragments_load_into_the_guide_config(tmp_path: Path) -> None:
    env = {
        name: "postgresql://migrator@db.internal/shop"
        for name in ("STAGING_DATABASE_URL", "PRODUCTION_DATABASE_URL")
    }
    env |= {
        "SCHEMABOT_STATE_URL": "postgresql://schemabot@db.internal/schemabot",
        "SCHEMABOT_REDIS_URL": "redis://127.0.0.1:6379/0",
        "SCHEMABOT_PUBLIC_URL": "https://schemabot.example.com",
        "SCHEMABOT_API_TOKEN": "t" * 64,
        "GITHUB_TOKEN": "github_pat_x",
        "GITHUB_WEBHOOK_SECRET": "s" * 64,
        "GITLAB_TOKEN": "glpat-x",
        "GITLAB_WEBHOOK_SECRET": "g" * 64,
    }
    app, gitlab = [b for b in blocks() if b.kind == "config"]
    key = tmp_path / "github-app.pem"
    _key_pair(key)

    with_app = _without_table(_guide_config(), "forges.github") + "\n" + app.text
    assert "/etc/schemabot/github-app.pem" in app.text
    config = parse_config(with_app.replace("/etc/schemabot/github-app.pem", str(key)), env=env)
    assert config.forges.github.app_id == 123456 and config.forges.github.enabled
    github = create_forges(config)["github"]
    assert isinstance(github, GitHub) and github.is_app

    with_gitlab = _guide_config().replace('forge = "github"', 'forge = "gitlab"')
    config = parse_config(with_gitlab + "\n" + gitlab.text, env=env)
    assert config.forges.gitlab.enabled and config.repositories[0].forge == "gitlab"
    assert isinstance(create_forges(config)["gitlab"], GitLab)


def test_the_safe_fix_lints_clean_with_the_guide_repository_config(tmp_path: Path) -> None:
    (fix,) = [b for b in blocks() if b.kind == "lint"]
    assert fix.argument == "(no findings)" and fix.language == "sql"
    (repository_config,) = [b for b in blocks() if b.kind == "file" and b.path == REPO_CONFIG]
    (tmp_path / ".schemabot.toml").write_text(repository_config.text)
    result = subprocess.run(
        [SCHEMABOT, "lint", "--no-cache", "--stdin-filename", "V2__index_orders_customer.sql", "-"],
        input=fix.text,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "No findings (1 file checked).\n"


# -- what the GitHub and GitLab settings must say ------------------------------------------------

#: Every event GitHub delivers to webhooks (github/docs src/webhooks/data); ``ping`` included.
GITHUB_EVENTS = (
    "branch_protection_configuration",
    "branch_protection_rule",
    "check_run",
    "check_suite",
    "code_scanning_alert",
    "commit_comment",
    "create",
    "custom_property",
    "custom_property_values",
    "delete",
    "dependabot_alert",
    "deploy_key",
    "deployment",
    "deployment_protection_rule",
    "deployment_review",
    "deployment_status",
    "discussion",
    "discussion_comment",
    "fork",
    "github_app_authorization",
    "gollum",
    "installation",
    "installation_repositories",
    "installation_target",
    "issue_comment",
    "issue_dependencies",
    "issues",
    "label",
    "marketplace_purchase",
    "member",
    "membership",
    "merge_group",
    "meta",
    "milestone",
    "org_block",
    "organization",
    "package",
    "page_build",
    "personal_access_token_request",
    "ping",
    "project",
    "project_card",
    "project_column",
    "projects_v2",
    "projects_v2_item",
    "projects_v2_status_update",
    "public",
    "pull_request",
    "pull_request_review",
    "pull_request_review_comment",
    "pull_request_review_thread",
    "push",
    "registry_package",
    "release",
    "repository",
    "repository_advisory",
    "repository_dispatch",
    "repository_import",
    "repository_ruleset",
    "repository_vulnerability_alert",
    "secret_scanning_alert",
    "secret_scanning_alert_location",
    "secret_scanning_scan",
    "security_advisory",
    "security_and_analysis",
    "sponsorship",
    "star",
    "status",
    "sub_issues",
    "team",
    "team_add",
    "watch",
    "workflow_dispatch",
    "workflow_job",
    "workflow_run",
)
#: Every ``X-Gitlab-Event`` of a project or group webhook (GitLab's webhook events docs).
GITLAB_EVENTS = (
    "Push Hook",
    "Tag Push Hook",
    "Issue Hook",
    "Confidential Issue Hook",
    "Note Hook",
    "Confidential Note Hook",
    "Merge Request Hook",
    "Wiki Page Hook",
    "Pipeline Hook",
    "Job Hook",
    "Deployment Hook",
    "Feature Flag Hook",
    "Release Hook",
    "Milestone Hook",
    "Emoji Hook",
    "Resource Access Token Hook",
    "Member Hook",
    "Subgroup Hook",
    "Project Hook",
    "Vulnerability Hook",
)
#: GitHub's names for the events in the App's "Subscribe to events" and in a repository
#: webhook's "Let me select individual events"; GitLab's webhook triggers.
GITHUB_APP_LABELS = {
    "pull_request": "Pull request",
    "push": "Push",
    "issue_comment": "Issue comment",
}
GITHUB_HOOK_LABELS = {
    "pull_request": "Pull requests",
    "push": "Pushes",
    "issue_comment": "Issue comments",
}
GITLAB_TRIGGERS = {
    "Merge Request Hook": "Merge request events",
    "Push Hook": "Push events",
    "Note Hook": "Comments",
}


def _read(readers: tuple[Any, Any], name: str) -> bool:
    """Does schemabot read event ``name``? Readers raise on a payload they need fields of."""
    rollout_reader, review_reader = readers
    try:
        event = rollout_reader(name, {}) or review_reader(name, {})
    except PayloadError:
        return True
    return not (isinstance(event, Ignored) and event.reason.endswith("events are not used"))


def _table_names(text: str, header: str) -> set[str]:
    table = text.split(header, 1)[1].split("\n\n", 1)[0]
    return set(re.findall(r"^\| `([^`]+)` \|", table, re.MULTILINE))


def _bold_after(text: str, key: str) -> set[str]:
    tail = re.split(r";|\.\s", text.split(key, 1)[1], maxsplit=1)[0]
    return set(re.findall(r"\*\*([^*]+)\*\*", tail))


def test_the_events_to_subscribe_are_exactly_those_the_code_reads() -> None:
    github = {
        name
        for name in GITHUB_EVENTS
        if _read((read_github_rollout_event, read_github_event), name)
    }
    gitlab = {
        name
        for name in GITLAB_EVENTS
        if _read((read_gitlab_rollout_event, read_gitlab_event), name)
    }
    assert github == {"ping", "pull_request", "push", "issue_comment"}
    assert gitlab == {"Merge Request Hook", "Push Hook", "Note Hook"}

    github_text, gitlab_text = guide_text("3."), guide_text("4.")
    github_flat, gitlab_flat = prose("3."), prose("4.")
    assert _table_names(github_text, "| GitHub event (`X-GitHub-Event`)") == github
    assert _table_names(gitlab_text, "| GitLab event (`X-Gitlab-Event`)") == gitlab
    assert _bold_after(github_flat, "**Subscribe to events**:") == {
        GITHUB_APP_LABELS[name] for name in github - {"ping"}
    }
    assert _bold_after(github_flat, "**Let me select individual events**:") == {
        GITHUB_HOOK_LABELS[name] for name in github - {"ping"}
    }
    assert _bold_after(gitlab_flat, "**Trigger**:") == {GITLAB_TRIGGERS[name] for name in gitlab}
    assert "https://YOUR-HOST/webhooks/github" in github_flat
    assert "https://YOUR-HOST/webhooks/gitlab" in gitlab_flat
    assert "**Content type `application/json`**" in github_flat


#: An App receives an event only with this permission (GitHub's webhook events docs:
#: github/docs src/webhooks/data/fpt/<event>.json, "To subscribe to this event, a GitHub App
#: must have at least read-level access for the ... repository permission").
GITHUB_EVENT_PERMISSIONS = {
    "pull_request": ("Pull requests", "read"),
    "push": ("Contents", "read"),
    "issue_comment": ("Issues", "read"),
}
#: What the guide's endpoint table says, checked against GitHub's per-endpoint permission data
#: (github/docs src/github-apps/data/fpt-*/fine-grained-pat-permissions.json and
#: server-to-server-permissions.json) when the guide was written.
GITHUB_DOCUMENTED = {
    ("GET", "/repos/{o}/{r}/pulls/{n}"): ("Pull requests", "read"),  # or Contents: read
    ("GET", "/repos/{o}/{r}/pulls/{n}/files"): ("Pull requests", "read"),
    ("POST", "/repos/{o}/{r}/pulls/{n}/reviews"): ("Pull requests", "write"),
    ("GET", "/repos/{o}/{r}/issues/{n}/comments"): ("Pull requests", "read"),  # or Issues
    ("POST", "/repos/{o}/{r}/issues/{n}/comments"): ("Pull requests", "write"),  # or Issues
    ("PATCH", "/repos/{o}/{r}/issues/comments/{id}"): ("Pull requests", "write"),  # or Issues
    ("GET", "/repos/{o}/{r}/git/trees/{sha}"): ("Contents", "read"),
    ("GET", "/repos/{o}/{r}/contents/{path}"): ("Contents", "read"),
    ("GET", "/repos/{o}/{r}/git/blobs/{sha}"): ("Contents", "read"),
    ("GET", "/repos/{o}/{r}/collaborators/{user}/permission"): ("Metadata", "read"),
    ("POST", "/repos/{o}/{r}/statuses/{sha}"): ("Commit statuses", "write"),
    ("POST", "/repos/{o}/{r}/check-runs"): ("Checks", "write"),  # GitHub Apps only
    ("GET", "/user"): None,
    ("GET", "/app"): None,
    ("GET", "/repos/{o}/{r}/installation"): None,
    ("POST", "/app/installations/{id}/access_tokens"): None,
}
ACCESS = {"Read-only": "read", "Read and write": "write"}
Permission = tuple[str, str] | None


def _endpoint_table() -> dict[tuple[str, str], Permission]:
    """The guide's table: (method, path template) -> (area, read|write), or None."""
    text = guide_text("3.")
    table = text.split("| endpoint | what for | GitHub permission |", 1)[1].split("\n\n", 1)[0]
    found: dict[tuple[str, str], Permission] = {}
    for method, path, permission in re.findall(
        r"^\| `(GET|POST|PATCH|PUT|DELETE) (\S+)` \| [^|]+ \| ([^|]+) \|$", table, re.MULTILINE
    ):
        area = re.fullmatch(r"([A-Z][\w ]+): (read|write)", permission.strip())
        found[(method, path)] = (area.group(1), area.group(2)) if area else None
        assert area or permission.startswith("none"), permission
    return found


def _matcher(template: str) -> re.Pattern[str]:
    pattern = re.escape(template).replace(r"\{path\}", ".+")
    return re.compile(re.sub(r"\\\{\w+\\\}", "[^/]+", pattern))


def _forge_methods() -> set[str]:
    return {name for name in vars(Forge) if not name.startswith("_") and name != "name"}


def _exercise(forge: GitHub | GitLab, fake: FakeForge, name: str) -> set[str]:
    """Call every method of the forge interface the way the review and rollout jobs do."""
    path = "db/migrations/V2__index.sql"
    pull = fake.add_pull_request(
        REPOSITORY, {path: (None, "CREATE INDEX i ON t (c);\n")}, forge=name
    )
    read = forge.pull_request(REPOSITORY, pull.number)
    forge.changed_files(REPOSITORY, pull.number)
    forge.list_files(REPOSITORY, "db/migrations", pull.head_sha)
    forge.read_file(REPOSITORY, path, pull.head_sha)
    fake.contents_size_limit = 1  # GitHub leaves large files out of /contents: the blob
    forge.read_file(REPOSITORY, path, pull.head_sha)
    forge.post_review(read, [InlineComment(path, 1, "Create it CONCURRENTLY")])
    marker = "<!-- marker -->"
    forge.upsert_comment(REPOSITORY, pull.number, marker=marker, body=f"{marker}\nfirst")
    forge.upsert_comment(REPOSITORY, pull.number, marker=marker, body=f"{marker}\nedited")
    forge.reply(REPOSITORY, pull.number, "nothing to approve")
    forge.set_status(REPOSITORY, pull.head_sha, CommitStatus("success", "schemabot/lint", "ok"))
    forge.permission(REPOSITORY, APPROVER)
    return {
        "pull_request",
        "changed_files",
        "list_files",
        "read_file",
        "post_review",
        "upsert_comment",
        "reply",
        "set_status",
        "permission",
    }


def _github(fake: FakeForge, key: Path | None) -> GitHub:
    """The adapter on ``acme/shop`` of ``fake``: with a token, or as an App with ``key``."""
    fake.add_repository(REPOSITORY, forge="github", files={"README.md": "shop\n"})
    fake.set_role(REPOSITORY, APPROVER, "maintain")
    retry = RetryPolicy(tries=1)
    if key is None:
        return GitHub(
            api_url=fake.github_url, token=FakeForge.GITHUB_TOKEN, write_interval=0, retry=retry
        )
    private = serialization.load_pem_private_key(key.read_bytes(), password=None)
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    fake.enable_app(public.decode(), app_id=4242)
    fake.install_app(REPOSITORY)
    return GitHub(
        api_url=fake.github_url,
        app_id=4242,
        private_key=key.read_text(),
        write_interval=0,
        retry=retry,
    )


def _needed(
    fake: FakeForge, table: dict[tuple[str, str], Permission], used: set[tuple[str, str]]
) -> dict[str, str]:
    """The permissions the recorded requests need, by the guide's table; rows used go to
    ``used``."""
    needed: dict[str, str] = {}
    for request in fake.requests(forge="github"):
        path = unquote(request.path).removeprefix("/api/v3")
        rows = [
            (method, template)
            for method, template in table
            if method == request.method and _matcher(template).fullmatch(path)
        ]
        assert rows, f"the adapter calls {request.method} {path}: add it to the guide's table"
        used.add(rows[0])
        permission = table[rows[0]]
        if permission is not None:
            area, access = permission
            needed[area] = "write" if "write" in (access, needed.get(area)) else access
    return needed


def _permission_table(text: str) -> dict[str, str]:
    table = text.split("| Repository permission | Access |", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\s*\| ([A-Z][\w ]+?) \| (Read-only|Read and write) \|", table, re.M)
    return {area: ACCESS[access] for area, access in rows}


def test_the_github_permissions_are_what_the_adapter_calls(tmp_path: Path) -> None:
    table = _endpoint_table()
    assert table == GITHUB_DOCUMENTED
    key = tmp_path / "app.pem"
    _key_pair(key)
    used: set[tuple[str, str]] = set()
    needed: dict[str, dict[str, str]] = {}
    for mode, app_key in (("token", None), ("app", key)):
        fake = FakeForge().start()
        try:
            assert _exercise(_github(fake, app_key), fake, "github") == _forge_methods()
            needed[mode] = _needed(fake, table, used)
        finally:
            fake.stop()
    assert used == set(table), f"rows no call uses any more: {set(table) - used}"
    for area, access in GITHUB_EVENT_PERMISSIONS.values():  # an App's event subscriptions
        app = needed["app"]
        app[area] = "write" if "write" in (access, app.get(area)) else access

    text = guide_text("3.")
    token_table = _permission_table(text.split("### Option B", 1)[1])
    app_table = _permission_table(text.split("### Option A", 1)[1])
    assert (token_table, app_table) == (needed["token"], needed["app"])
    assert token_table == {
        "Metadata": "read",
        "Contents": "read",
        "Pull requests": "write",
        "Commit statuses": "write",
    }
    assert app_table == {
        "Metadata": "read",
        "Contents": "read",
        "Pull requests": "write",
        "Checks": "write",
        "Issues": "read",
    }
    assert "`repo` scope" in prose("3.")


#: The least GitLab role each endpoint the adapter calls needs on a private project (GitLab's
#: permissions table; creating a commit status is Developer in ProjectPolicy). None: any
#: authenticated user.
GITLAB_ENDPOINTS: list[tuple[str, str, str | None]] = [
    ("GET", r"/user", None),
    ("GET", r"/users", None),
    ("GET", r"/projects/[^/]+", "Guest"),
    ("GET", r"/projects/[^/]+/members/all/\d+", "Guest"),
    ("GET", r"/projects/[^/]+/merge_requests/\d+", "Reporter"),
    ("GET", r"/projects/[^/]+/merge_requests/\d+/diffs", "Reporter"),
    ("GET", r"/projects/[^/]+/merge_requests/\d+/notes", "Reporter"),
    ("POST", r"/projects/[^/]+/merge_requests/\d+/notes", "Reporter"),
    ("PUT", r"/projects/[^/]+/merge_requests/\d+/notes/\d+", "Reporter"),  # its own note
    ("POST", r"/projects/[^/]+/merge_requests/\d+/discussions", "Reporter"),
    ("GET", r"/projects/[^/]+/repository/tree", "Reporter"),
    ("GET", r"/projects/[^/]+/repository/files/[^/]+/raw", "Reporter"),
    ("POST", r"/projects/[^/]+/statuses/[0-9a-f]+", "Developer"),
]
ROLES = ("Guest", "Reporter", "Developer", "Maintainer")


def test_the_gitlab_scope_and_role_are_what_the_adapter_calls(fake: FakeForge) -> None:
    fake.add_repository(REPOSITORY, forge="gitlab", files={"README.md": "shop\n"})
    fake.set_access_level(REPOSITORY, APPROVER, 40)
    gitlab = GitLab(
        url=fake.gitlab_url,
        token=FakeForge.GITLAB_TOKEN,
        write_interval=0,
        retry=RetryPolicy(tries=1),
    )
    assert _exercise(gitlab, fake, "gitlab") == _forge_methods()
    roles: set[str] = set()
    writes = False
    for request in fake.requests(forge="gitlab"):
        path = request.path.removeprefix("/api/v4")
        rows = [
            role
            for method, pattern, role in GITLAB_ENDPOINTS
            if method == request.method and re.fullmatch(pattern, path)
        ]
        assert rows, f"the adapter calls {request.method} {unquote(path)}: add its role"
        roles |= {role for role in rows[:1] if role is not None}
        writes |= request.method != "GET"
    least = max(roles, key=ROLES.index)
    assert (least, writes) == ("Developer", True)  # writes: the `api` scope, not `read_api`
    text = prose("4.")
    assert "A token with the `api` scope" in text and f"**{least}**" in text
    assert "`read_api` and `read_repository` are not enough" in text
    assert "**Allowed to merge**" in text and "**Maintainer**" in text
