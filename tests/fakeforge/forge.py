"""``FakeForge``: one local server answering like GitHub (under ``/api/v3``, the Enterprise
Server layout) and GitLab (under ``/api/v4``), with helpers to set it up and inspect it."""

from __future__ import annotations

import hashlib
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from tests.fakeforge import github, gitlab
from tests.fakeforge.server import (
    InjectedFailure,
    Injection,
    RecordedRequest,
    Request,
    Response,
    serve,
)
from tests.fakeforge.state import (
    FakeCommit,
    FakeFileChange,
    FakePull,
    FakeRepository,
    Objects,
    next_id,
    unified_patch,
)

__all__ = ["FakeForge"]

#: GitHub's legacy ``permission`` of each role: ``maintain`` folds into write, ``triage`` into
#: read.
LEGACY_PERMISSION = {
    "admin": "admin",
    "maintain": "write",
    "write": "write",
    "triage": "read",
    "read": "read",
}


class FakeForge:
    #: The token the bot user ``schemabot`` authenticates with on each face.
    GITHUB_TOKEN = "ghp_schemabot_test_token"
    GITLAB_TOKEN = "glpat-schemabot-test-token"
    BOT = "schemabot"

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.objects = Objects()
        self._repositories: dict[tuple[str, str], FakeRepository] = {}
        self._requests: list[RecordedRequest] = []
        self._injections: list[Injection] = []
        #: login -> user id (one namespace for both faces).
        self.users: dict[str, int] = {}
        #: GitLab users whose membership state is "blocked".
        self.blocked: set[str] = set()
        self.tokens: dict[str, dict[str, str]] = {
            "github": {self.GITHUB_TOKEN: self.BOT},
            "gitlab": {self.GITLAB_TOKEN: self.BOT},
        }
        #: GitHub App: enabled by ``enable_app``.
        self.app_id: int | None = None
        self.app_slug = "schemabot-app"
        self.app_public_key: str | None = None
        #: Installation token -> (installation id, expiry as epoch seconds).
        self.installation_tokens: dict[str, tuple[int, float]] = {}
        self.installation_token_ttl = 3600.0
        #: GitHub cuts recursive trees (``truncated``) past this many entries.
        self.tree_entry_limit = 100_000
        #: GitHub's contents API leaves out the content of larger files (encoding "none").
        self.contents_size_limit = 1_000_000
        self.add_user(self.BOT)
        self._server: Any = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeForge:
        self._server, _ = serve(self, github.ROUTES + gitlab.ROUTES)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def github_url(self) -> str:
        """The API URL for PyGithub, laid out like GitHub Enterprise Server."""
        return f"{self.url}/api/v3"

    @property
    def gitlab_url(self) -> str:
        """The instance URL for python-gitlab (it adds ``/api/v4``)."""
        return self.url

    # -- setup -------------------------------------------------------------------------------

    def add_user(self, login: str) -> int:
        with self.lock:
            return self.users.setdefault(login, next_id())

    def add_repository(
        self,
        name: str,
        *,
        forge: str,
        files: dict[str, str] | None = None,
        default_branch: str = "main",
    ) -> FakeRepository:
        with self.lock:
            self.add_user(name.split("/", 1)[0])
            repo = FakeRepository(
                forge=forge, name=name, id=next_id(), default_branch=default_branch
            )
            self._repositories[(forge, name.lower())] = repo
            self.commit(repo, files or {}, branch=default_branch, message="initial commit")
            return repo

    def repository(self, name: str, *, forge: str) -> FakeRepository:
        return self._repositories[(forge, name.lower())]

    def find_repository(self, forge: str, name_or_id: str) -> FakeRepository | None:
        with self.lock:
            for repo in self._repositories.values():
                if repo.forge == forge and name_or_id.lower() in (repo.name.lower(), str(repo.id)):
                    return repo
            return None

    def commit(
        self,
        repo: FakeRepository,
        files: dict[str, str],
        *,
        branch: str,
        message: str = "change",
        parent: str | None = None,
    ) -> FakeCommit:
        with self.lock:
            tree = self.objects.tree(files)
            parent = parent if parent is not None else repo.branches.get(branch)
            seed = f"{tree}{parent}{message}{next_id()}".encode()
            commit = FakeCommit(hashlib.sha1(seed).hexdigest(), tree, dict(files), parent, message)
            repo.commits[commit.sha] = commit
            repo.branches[branch] = commit.sha
            return commit

    def add_pull_request(
        self,
        repository: str,
        files: dict[str, tuple[str | None, str | None]],
        *,
        forge: str,
        number: int | None = None,
        author: str = "alice",
        title: str = "Add migrations",
        head_branch: str | None = None,
        renamed: dict[str, str] | None = None,
        fork: str | None = None,
    ) -> FakePull:
        """A pull request changing ``files`` (path -> (old text, new text); None: absent).

        The base branch gets the old texts first if it lacks them; the head commit has the new
        ones; each change carries the real unified-diff patch. ``renamed`` maps a new path to
        its old path.
        """
        renamed = renamed or {}
        with self.lock:
            repo = self.repository(repository, forge=forge)
            self.add_user(author)
            number = number or max([0, *repo.pulls]) + 1
            base = repo.commits[repo.branches[repo.default_branch]]
            base_files = dict(base.files)
            for path, (old, _new) in files.items():
                if old is not None:
                    base_files[renamed.get(path, path)] = old
            if base_files != base.files:
                base = self.commit(repo, base_files, branch=repo.default_branch, message="base")
            head_files = dict(base_files)
            changes: list[FakeFileChange] = []
            for path, (old, new) in files.items():
                previous = renamed.get(path)
                head_files.pop(previous or path, None)
                if new is not None:
                    head_files[path] = new
                status = (
                    "renamed"
                    if previous
                    else "added"
                    if old is None
                    else "removed"
                    if new is None
                    else "modified"
                )
                changes.append(FakeFileChange(path, status, unified_patch(old, new), previous))
            branch = head_branch or f"feature-{number}"
            head = self.commit(repo, head_files, branch=branch, parent=base.sha, message=title)
            pull = FakePull(
                number=number,
                title=title,
                author=author,
                base_branch=repo.default_branch,
                head_branch=branch,
                base_sha=base.sha,
                head_sha=head.sha,
                changes=changes,
                fork=fork,
            )
            repo.pulls[number] = pull
            return pull

    def add_comment(
        self,
        repository: str,
        number: int,
        body: str,
        *,
        forge: str,
        author: str = "alice",
        system: bool = False,
    ) -> dict[str, Any]:
        """A comment (GitHub) or note (GitLab; ``system`` for GitLab's own) by someone else."""
        with self.lock:
            self.add_user(author)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            comment = {
                "id": next_id(),
                "body": body,
                "author": author,
                "created_at": stamp,
                "updated_at": stamp,
                "system": system,
            }
            self.repository(repository, forge=forge).pulls[number].comments.append(comment)
            return comment

    def set_role(
        self, repository: str, login: str, role_name: str, *, permission: str | None = None
    ) -> None:
        """A GitHub collaborator's role; ``permission`` for custom roles (their base role)."""
        with self.lock:
            self.add_user(login)
            legacy = permission or LEGACY_PERMISSION[role_name]
            self.repository(repository, forge="github").roles[login] = (role_name, legacy)

    def set_access_level(self, repository: str, username: str, level: int) -> None:
        """A GitLab member's access level (10 guest ... 50 owner), inherited or direct."""
        with self.lock:
            self.add_user(username)
            self.repository(repository, forge="gitlab").access_levels[username] = level

    def enable_app(self, public_key_pem: str, *, app_id: int = 4242) -> None:
        """Accept JWTs signed by the key of GitHub App ``app_id``."""
        self.app_id = app_id
        self.app_public_key = public_key_pem
        self.add_user(f"{self.app_slug}[bot]")

    def install_app(self, repository: str) -> int:
        with self.lock:
            repo = self.repository(repository, forge="github")
            repo.installation_id = repo.installation_id or next_id()
            return repo.installation_id

    # -- failures ----------------------------------------------------------------------------

    def fail_next(
        self,
        pattern: str,
        *,
        status: int = 502,
        times: int | None = 1,
        method: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        late_headers: Callable[[], dict[str, str]] | None = None,
        after: int = 0,
        lost_answer: bool = False,
    ) -> None:
        """The next ``times`` requests whose path matches ``pattern`` (a regex searched in the
        decoded path) answer ``status``; ``times=None``: every one from now on. ``after``: the
        first so many matching requests are served normally before that. ``lost_answer``: each
        request is carried out, and only its answer replaced by the failure."""
        with self.lock:
            self._injections.append(
                Injection(
                    pattern=re.compile(pattern),
                    method=method,
                    remaining=times,
                    status=status,
                    body=body if body is not None else {"message": f"injected {status}"},
                    headers=headers or {},
                    late_headers=late_headers,
                    after=after,
                    lost_answer=lost_answer,
                )
            )

    def fail_always(self, pattern: str, *, status: int = 502, method: str | None = None) -> None:
        self.fail_next(pattern, status=status, times=None, method=method)

    def secondary_rate_limit_next(
        self, pattern: str, *, retry_after: int | None = 1, times: int = 1
    ) -> None:
        """GitHub's secondary limit: 403 with its message, ``retry-after`` when given."""
        message = (
            "You have exceeded a secondary rate limit and have been temporarily blocked from"
            " content creation. Please retry your request again later."
        )
        headers = {} if retry_after is None else {"retry-after": str(retry_after)}
        self.fail_next(pattern, status=403, times=times, body={"message": message}, headers=headers)

    def primary_rate_limit_next(self, pattern: str, *, reset_in: float = 2, times: int = 1) -> None:
        """GitHub's primary limit: 403, ``x-ratelimit-remaining: 0`` and the reset time."""
        self.fail_next(
            pattern,
            status=403,
            times=times,
            body={"message": "API rate limit exceeded for user ID 1."},
            late_headers=lambda: {
                "x-ratelimit-limit": "5000",
                "x-ratelimit-remaining": "0",
                "x-ratelimit-used": "5000",
                "x-ratelimit-reset": str(int(time.time() + reset_in)),
            },
        )

    def too_many_requests_next(
        self, pattern: str, *, retry_after: int | None = 1, times: int = 1, reset_in: float = 60
    ) -> None:
        """429 as GitLab sends it: ``Retry-After`` and the ``RateLimit-*`` headers."""
        self.fail_next(
            pattern,
            status=429,
            times=times,
            body="Retry later\n",
            late_headers=lambda: {
                **({"Retry-After": str(retry_after)} if retry_after is not None else {}),
                "RateLimit-Limit": "600",
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(int(time.time() + reset_in)),
            },
        )

    def injected_failure(self, request: Request) -> InjectedFailure | None:
        for injection in self._injections:
            if injection.matches(request.method, request.path):
                if injection.after > 0:
                    injection.after -= 1
                    continue
                if injection.remaining is not None:
                    injection.remaining -= 1
                headers = dict(injection.headers)
                if injection.late_headers is not None:
                    headers |= injection.late_headers()
                response = Response(injection.status, injection.body, headers)
                return InjectedFailure(response, injection.lost_answer)
        return None

    # -- what clients sent -------------------------------------------------------------------

    def record(self, request: RecordedRequest) -> None:
        self._requests.append(request)

    def requests(
        self,
        method: str | None = None,
        path_contains: str | None = None,
        *,
        forge: str | None = None,
    ) -> list[RecordedRequest]:
        """Recorded requests, oldest first; ``path_contains`` is matched on the decoded path."""
        with self.lock:
            return [
                r
                for r in self._requests
                if (method is None or r.method == method)
                and (forge is None or r.forge == forge)
                and (path_contains is None or path_contains in urllib.parse.unquote(r.path))
            ]

    def clear_requests(self) -> None:
        with self.lock:
            self._requests.clear()

    def comments(self, repository: str, number: int, *, forge: str) -> list[dict[str, Any]]:
        """Issue comments (GitHub) or notes (GitLab, diff notes included) of a pull request."""
        with self.lock:
            return list(self.repository(repository, forge=forge).pulls[number].comments)

    def reviews(self, repository: str, number: int) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.repository(repository, forge="github").pulls[number].reviews)

    def discussions(self, repository: str, number: int) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.repository(repository, forge="gitlab").pulls[number].discussions)

    def statuses(
        self, repository: str, *, forge: str, sha: str | None = None
    ) -> list[dict[str, Any]]:
        with self.lock:
            found = self.repository(repository, forge=forge).statuses
            return [status for status in found if sha is None or status["sha"] == sha]

    def check_runs(self, repository: str) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.repository(repository, forge="github").check_runs)
