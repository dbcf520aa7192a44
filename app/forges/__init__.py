"""The forges review and rollout code talk to, built from the server config.

``create_forges`` returns one :class:`Forge` per forge name; a forge without credentials is a
:class:`DisabledForge` that says so on every call, so callers never test for ``None``.
"""

from __future__ import annotations

from typing import NoReturn

from app.config import Config
from app.forges.base import (
    ChangedFile,
    CommitStatus,
    Forge,
    ForgeError,
    InlineComment,
    Permission,
    PostedReview,
    PullRequest,
    RateLimited,
)
from app.forges.github import GitHub
from app.forges.gitlab import GitLab
from app.forges.retry import RetryPolicy

__all__ = [
    "ChangedFile",
    "CommitStatus",
    "DisabledForge",
    "Forge",
    "ForgeError",
    "GitHub",
    "GitLab",
    "InlineComment",
    "Permission",
    "PostedReview",
    "PullRequest",
    "RateLimited",
    "RetryPolicy",
    "create_forges",
]


class DisabledForge:
    """A forge that is not configured: every call raises :class:`ForgeError` with the reason."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason

    def _refuse(self) -> NoReturn:
        raise ForgeError(f"forge {self.name} is not configured: {self.reason}")

    def pull_request(self, repository: str, number: int) -> PullRequest:
        self._refuse()

    def changed_files(self, repository: str, number: int) -> list[ChangedFile]:
        self._refuse()

    def list_files(self, repository: str, directory: str, ref: str) -> list[str]:
        self._refuse()

    def read_file(self, repository: str, path: str, ref: str) -> str | None:
        self._refuse()

    def post_review(self, pull_request: PullRequest, comments: list[InlineComment]) -> PostedReview:
        self._refuse()

    def upsert_comment(self, repository: str, number: int, *, marker: str, body: str) -> str:
        self._refuse()

    def reply(self, repository: str, number: int, body: str) -> None:
        self._refuse()

    def set_status(self, repository: str, sha: str, status: CommitStatus) -> None:
        self._refuse()

    def permission(self, repository: str, username: str) -> Permission:
        self._refuse()


def create_forges(
    config: Config,
    *,
    retry: RetryPolicy | None = None,
    write_interval: float | None = None,
) -> dict[str, Forge]:
    """``{"github": ..., "gitlab": ...}``, real adapters for the forges with credentials.

    ``retry`` and ``write_interval`` override the adapters' defaults (tests and benchmarks
    against the fake forge); production keeps each forge's own pacing.
    """
    forges: dict[str, Forge] = {}

    github = config.forges.github
    if github.enabled:
        private_key = None
        if github.private_key_path is not None:
            try:
                private_key = github.private_key_path.read_text(encoding="utf-8")
            except OSError as error:
                raise ForgeError(
                    f"cannot read the GitHub App private key {github.private_key_path}:"
                    f" {error.strerror}"
                ) from None
        # App credentials win over a token: check runs, and rate limits that grow with the org.
        token = github.token.get_secret_value() if github.token and private_key is None else None
        forges["github"] = GitHub(
            api_url=github.api_url,
            token=token,
            app_id=github.app_id,
            private_key=private_key,
            retry=retry,
            write_interval=write_interval,
        )
    else:
        forges["github"] = DisabledForge("github", github.disabled_reason or "disabled")

    gitlab = config.forges.gitlab
    if gitlab.enabled and gitlab.token is not None:
        forges["gitlab"] = GitLab(
            url=gitlab.url,
            token=gitlab.token.get_secret_value(),
            retry=retry,
            write_interval=write_interval,
        )
    else:
        forges["gitlab"] = DisabledForge("gitlab", gitlab.disabled_reason or "disabled")
    return forges
