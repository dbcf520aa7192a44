"""The one interface review and rollout code talk to; GitHub and GitLab implement it.

Forge-neutral verbs and domain types, nothing about lint or rollouts: adding Bitbucket or Gitea
later means one new module. The methods are synchronous (PyGithub and python-gitlab are); jobs
call them through ``asyncio.to_thread``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Literal, Protocol

__all__ = [
    "ChangedFile",
    "CommitStatus",
    "Forge",
    "ForgeError",
    "InlineComment",
    "Permission",
    "PostedReview",
    "PullRequest",
    "RateLimited",
    "truncate_comment",
]

FileStatus = Literal["added", "modified", "removed", "renamed"]
StatusState = Literal["pending", "success", "failure", "error"]


class ForgeError(Exception):
    """A forge call failed; ``retryable`` says whether trying again later may help."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


class RateLimited(ForgeError):
    """The forge asked us to slow down; ``retry_after`` is in seconds."""

    def __init__(self, message: str, *, retry_after: float, status: int | None = None) -> None:
        super().__init__(message, status=status, retryable=True)
        self.retry_after = retry_after


class Permission(IntEnum):
    """A user's role on a repository, ordered (GitHub role names; GitLab levels map onto them)."""

    NONE = 0
    READ = 1
    TRIAGE = 2
    WRITE = 3
    MAINTAIN = 4
    ADMIN = 5


@dataclass(frozen=True, slots=True)
class PullRequest:
    """A pull request (GitHub) or merge request (GitLab) as review and rollout need it."""

    repository: str
    number: int
    title: str
    author: str
    head_sha: str
    head_branch: str
    base_sha: str
    base_branch: str
    #: ``owner/name`` of the head repository; differs from ``repository`` for a fork.
    head_repository: str
    url: str
    state: Literal["open", "closed", "merged"] = "open"
    merge_sha: str | None = None
    #: GitLab's diff refs for positioned comments (``start_sha``); GitHub leaves it None.
    start_sha: str | None = None

    @property
    def from_fork(self) -> bool:
        return self.head_repository.lower() != self.repository.lower()


@dataclass(frozen=True, slots=True)
class ChangedFile:
    path: str
    status: FileStatus
    #: The path before a rename.
    previous_path: str | None = None
    #: The unified diff of the file (None when the forge omits it: binary or too large).
    patch: str | None = None


@dataclass(frozen=True, slots=True)
class InlineComment:
    """A comment on lines of the new side of a file in the pull request's diff."""

    path: str
    #: Last line the comment covers (1-based, new side).
    line: int
    body: str
    #: First line of a multi-line comment; None for one line.
    start_line: int | None = None


@dataclass(frozen=True, slots=True)
class PostedReview:
    #: Comments the forge accepted, and those it refused (e.g. a line outside the diff).
    posted: tuple[InlineComment, ...]
    refused: tuple[InlineComment, ...] = ()


@dataclass(frozen=True, slots=True)
class CommitStatus:
    state: StatusState
    #: The status's name, e.g. ``schemabot/lint`` or ``schemabot/production``.
    context: str
    description: str
    target_url: str | None = None


#: Appended where a comment was cut to the forge's length limit.
TRUNCATION_NOTE = "\n\n_(truncated: the full text is longer than this forge accepts)_"


def truncate_comment(body: str, *, limit: int, marker: str | None = None) -> str:
    """``body`` cut to ``limit`` characters with a note saying so, keeping ``marker`` in it.

    The summary comment is found again by its hidden marker: a cut that dropped it would make
    the next run post a second summary instead of editing this one.
    """
    if len(body) <= limit:
        return body
    tail = TRUNCATION_NOTE
    if marker and marker not in body[: limit - len(tail)]:
        tail += "\n" + marker
    return body[: max(0, limit - len(tail))] + tail


class Forge(Protocol):
    #: ``github`` or ``gitlab``: the name used in the config and in webhook routes.
    name: str

    def pull_request(self, repository: str, number: int) -> PullRequest:
        """Fresh data (head, base, diff refs), never what a webhook said a while ago."""
        ...

    def changed_files(self, repository: str, number: int) -> list[ChangedFile]:
        """Every changed file, all pages (a pull request with 300 files works)."""
        ...

    def list_files(self, repository: str, directory: str, ref: str) -> list[str]:
        """Paths of the files under ``directory`` at ``ref`` (a commit or branch), recursively."""
        ...

    def read_file(self, repository: str, path: str, ref: str) -> str | None:
        """A file's text at ``ref``; None when it does not exist there."""
        ...

    def post_review(self, pull_request: PullRequest, comments: list[InlineComment]) -> PostedReview:
        """Post inline comments as one review (GitHub) or positioned discussions (GitLab)."""
        ...

    def upsert_comment(self, repository: str, number: int, *, marker: str, body: str) -> str:
        """Create, or edit in place, the one comment containing ``marker``; return its URL."""
        ...

    def reply(self, repository: str, number: int, body: str) -> None:
        """Post a plain new comment (answers to commands)."""
        ...

    def set_status(self, repository: str, sha: str, status: CommitStatus) -> None:
        """Set a commit status (a check run instead when authenticated as a GitHub App)."""
        ...

    def permission(self, repository: str, username: str) -> Permission:
        """The user's exact role on the repository, asked now (not cached)."""
        ...
