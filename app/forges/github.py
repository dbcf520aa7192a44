"""GitHub (github.com or Enterprise Server) through PyGithub.

Authentication is a token, or a GitHub App: the App's JWT finds the repository's installation,
and PyGithub's installation auth renews the one-hour installation token by itself. As an App,
``set_status`` creates a check run (what an App is expected to report); with a token, a commit
status (check runs need an App).

Writes are few and paced (see :class:`~app.forges.retry.WritePacer`): one review with every
inline comment, one summary comment edited in place, one status. Reads are not paced.
"""

from __future__ import annotations

import base64
import time
import urllib.parse
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from github import GithubException
from github.PullRequest import PullRequest as GitHubPull
from github.PullRequest import ReviewComment
from github.Repository import Repository

from app.forges.base import (
    ChangedFile,
    CommitStatus,
    FileStatus,
    ForgeError,
    InlineComment,
    Permission,
    PostedReview,
    PullRequest,
    truncate_comment,
)
from app.forges.diff import DiffLines, parse_patch
from app.forges.github_clients import GitHubClients, translate_error
from app.forges.github_trees import files_under
from app.forges.retry import RetryPolicy, WritePacer, repeatable

__all__ = ["GitHub"]

T = TypeVar("T")

#: GitHub refuses issue, review and review comment bodies longer than this.
MAX_COMMENT_LENGTH = 65_536
#: GitHub refuses commit status descriptions longer than this.
MAX_STATUS_DESCRIPTION = 140
#: GitHub asks for serial content-creating requests at least one second apart.
WRITE_INTERVAL = 1.0
#: The largest page GitHub serves: a 300-file pull request is three requests, not ten.
PER_PAGE = 100
#: Seconds before a request is abandoned (PyGithub wants an int); webhook jobs cannot hang.
TIMEOUT = 10
#: GitHub documents a body as required for a ``COMMENT`` review; the comments carry the content.
REVIEW_BODY = "schemabot reviewed the migrations changed in this pull request."

_FILE_STATUS: dict[str, FileStatus] = {
    "added": "added",
    "copied": "added",
    "removed": "removed",
    "renamed": "renamed",
    "modified": "modified",
    "changed": "modified",
    "unchanged": "modified",
}

#: ``role_name`` is exact (``maintain`` and ``triage`` too); custom repository roles fall back
#: to the legacy ``permission`` field, which holds the base role they extend.
_ROLES = {
    "admin": Permission.ADMIN,
    "maintain": Permission.MAINTAIN,
    "write": Permission.WRITE,
    "triage": Permission.TRIAGE,
    "read": Permission.READ,
    "none": Permission.NONE,
}

#: Check runs have a status and a conclusion where commit statuses have one state. An error
#: concludes as a failure: a required check must not pass because schemabot could not look.
_CHECK_RUN: dict[str, tuple[str, str | None]] = {
    "pending": ("in_progress", None),
    "success": ("completed", "success"),
    "failure": ("completed", "failure"),
    "error": ("completed", "failure"),
}


class GitHub:
    """The :class:`~app.forges.base.Forge` for GitHub."""

    name = "github"

    def __init__(
        self,
        *,
        api_url: str = "https://api.github.com",
        token: str | None = None,
        app_id: int | None = None,
        private_key: str | None = None,
        write_interval: float | None = None,
        retry: RetryPolicy | None = None,
        timeout: int = TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._clients = GitHubClients(
            api_url=api_url,
            timeout=timeout,
            per_page=PER_PAGE,
            token=token,
            app_id=app_id,
            private_key=private_key,
        )
        self._retry = retry or RetryPolicy()
        self._pacer = WritePacer(WRITE_INTERVAL if write_interval is None else write_interval)
        self._clock = clock

    @property
    def is_app(self) -> bool:
        return self._clients.is_app

    # -- reads -------------------------------------------------------------------------------

    def pull_request(self, repository: str, number: int) -> PullRequest:
        def read() -> PullRequest:
            pull = self._repo(repository).get_pull(number)
            head_repo = pull.head.repo
            merged = bool(pull.merged)
            return PullRequest(
                repository=repository,
                number=number,
                title=pull.title,
                author=pull.user.login,
                head_sha=pull.head.sha,
                head_branch=pull.head.ref,
                base_sha=pull.base.sha,
                base_branch=pull.base.ref,
                # A deleted fork has no repository any more; it is still not this one.
                head_repository=head_repo.full_name if head_repo else f"{pull.head.label}(deleted)",
                url=pull.html_url,
                state="merged" if merged else ("open" if pull.state == "open" else "closed"),
                merge_sha=pull.merge_commit_sha if merged else None,
            )

        return self._call(f"read pull request {repository}#{number}", read)

    def changed_files(self, repository: str, number: int) -> list[ChangedFile]:
        def read() -> list[ChangedFile]:
            files = self._repo(repository).get_pull(number).get_files()
            return [
                ChangedFile(
                    path=file.filename,
                    status=_FILE_STATUS.get(file.status, "modified"),
                    previous_path=file.previous_filename,
                    patch=file.patch,
                )
                for file in files
            ]

        return self._call(f"list changed files of {repository}#{number}", read)

    def list_files(self, repository: str, directory: str, ref: str) -> list[str]:
        return self._call(
            f"list {directory!r} of {repository} at {ref}",
            lambda: files_under(self._repo(repository), directory, ref),
        )

    def read_file(self, repository: str, path: str, ref: str) -> str | None:
        def read() -> str | None:
            repo = self._repo(repository)
            try:
                content = repo.get_contents(path, ref=ref)
            except GithubException as error:
                if error.status == 404:
                    return None
                raise
            if isinstance(content, list):
                return None  # a directory
            if content.encoding == "base64":
                data = content.decoded_content
            else:
                # Files over 1 MB come without content ("encoding": "none"); the blob has it.
                data = base64.b64decode(repo.get_git_blob(content.sha).content)
            # A stray non-UTF-8 byte must not hide the rest of a migration from the linter.
            return data.decode("utf-8", errors="replace")

        return self._call(f"read {path!r} of {repository} at {ref}", read)

    def permission(self, repository: str, username: str) -> Permission:
        def read() -> Permission:
            repo = self._repo(repository)
            user = urllib.parse.quote(username, safe="")
            try:
                _, data = repo.requester.requestJsonAndCheck(
                    "GET", f"{repo.url}/collaborators/{user}/permission"
                )
            except GithubException as error:
                if error.status == 404:
                    return Permission.NONE  # no such user, or not a collaborator
                raise
            exact = _ROLES.get(str(data.get("role_name")))
            base = _ROLES.get(str(data.get("permission")), Permission.NONE)
            return exact if exact is not None else base

        return self._call(f"read the permission of {username} on {repository}", read)

    # -- writes ------------------------------------------------------------------------------

    def post_review(self, pull_request: PullRequest, comments: list[InlineComment]) -> PostedReview:
        files = self.changed_files(pull_request.repository, pull_request.number)
        diffs = {file.path: parse_patch(file.patch) for file in files}
        sendable: list[InlineComment] = []
        refused: list[InlineComment] = []
        for comment in comments:
            placed = _placed(comment, diffs.get(comment.path))
            (sendable if placed else refused).append(placed or comment)
        posted, refused_by_github = self._post_reviews(pull_request, sendable)
        return PostedReview(posted=tuple(posted), refused=tuple(refused + refused_by_github))

    def _post_reviews(
        self, pull_request: PullRequest, comments: list[InlineComment]
    ) -> tuple[list[InlineComment], list[InlineComment]]:
        """One review with every comment; on 422, halves until the refused ones are isolated.

        GitHub refuses the whole review without saying which comment it objects to. Halving
        keeps the accepted comments in a few reviews instead of one write per comment.
        """
        if not comments:
            return [], []
        repository, number = pull_request.repository, pull_request.number

        def post() -> None:
            repo = self._repo(repository)
            repo.get_pull(number).create_review(
                # The lines were computed from the diff at this commit; anchor them to it.
                commit=repo.get_commit(pull_request.head_sha),
                body=REVIEW_BODY,
                event="COMMENT",
                comments=[_review_comment(comment) for comment in comments],
            )

        def made() -> bool:
            return _posted_already(self._repo(repository).get_pull(number), comments)

        try:
            # A retry after a lost answer (a timeout) first looks whether the review was made.
            self._call(
                f"post a review on {repository}#{number}", repeatable(post, done=made), write=True
            )
        except ForgeError as error:
            if error.status != 422:
                raise
            if len(comments) == 1:
                return [], comments
            middle = len(comments) // 2
            first_posted, first_refused = self._post_reviews(pull_request, comments[:middle])
            last_posted, last_refused = self._post_reviews(pull_request, comments[middle:])
            return first_posted + last_posted, first_refused + last_refused
        return comments, []

    def upsert_comment(self, repository: str, number: int, *, marker: str, body: str) -> str:
        text = truncate_comment(body, limit=MAX_COMMENT_LENGTH, marker=marker)

        # Search and write are retried together: a create that timed out but happened is found
        # by the next attempt instead of being posted twice.
        def upsert() -> str:
            issue = self._repo(repository).get_issue(number)
            bot = self._clients.bot_login()
            for comment in issue.get_comments():
                author = comment.user.login if comment.user else None  # None: a deleted user
                if marker in (comment.body or "") and author == bot:
                    if comment.body != text:
                        with self._pacer.write():
                            comment.edit(text)
                    return str(comment.html_url)
            with self._pacer.write():
                return str(issue.create_comment(text).html_url)

        return self._call(f"write the summary comment on {repository}#{number}", upsert)

    def reply(self, repository: str, number: int, body: str) -> None:
        text = truncate_comment(body, limit=MAX_COMMENT_LENGTH)
        self._call(
            f"comment on {repository}#{number}",
            lambda: self._repo(repository).get_issue(number).create_comment(text),
            write=True,
        )

    def set_status(self, repository: str, sha: str, status: CommitStatus) -> None:
        description = _shorten(status.description, MAX_STATUS_DESCRIPTION)
        if self.is_app:
            run_status, conclusion = _CHECK_RUN[status.state]
            options: dict[str, Any] = {"status": run_status}
            if conclusion is not None:
                options["conclusion"] = conclusion
            if status.target_url:
                options["details_url"] = status.target_url
            self._call(
                f"create check run {status.context} on {repository}@{sha[:12]}",
                lambda: self._repo(repository).create_check_run(
                    name=status.context,
                    head_sha=sha,
                    output={"title": description, "summary": status.description},
                    **options,
                ),
                write=True,
            )
            return
        extra: dict[str, str] = {"target_url": status.target_url} if status.target_url else {}
        self._call(
            f"set status {status.context} on {repository}@{sha[:12]}",
            lambda: (
                self._repo(repository)
                .get_commit(sha)
                .create_status(
                    state=status.state, description=description, context=status.context, **extra
                )
            ),
            write=True,
        )

    # -- plumbing ----------------------------------------------------------------------------

    def _call(self, what: str, call: Callable[[], T], *, write: bool = False) -> T:
        def attempt() -> T:
            try:
                if write:
                    with self._pacer.write():
                        return call()
                return call()
            except GithubException as error:
                raise translate_error(error, clock=self._clock) from error
            except requests.RequestException as error:
                raise ForgeError(f"GitHub unreachable: {error}", retryable=True) from error

        return self._retry.run(attempt, what=what)

    def _repo(self, repository: str) -> Repository:
        return self._clients.for_repository(repository).get_repo(repository)


def _placed(comment: InlineComment, diff: DiffLines | None) -> InlineComment | None:
    """The comment as it can be sent, or None when its line is not in the diff.

    A range GitHub would refuse (its first line outside the hunk of its last) becomes a
    comment on its last line rather than being lost.
    """
    if diff is None or not diff.can_comment(comment.line):
        return None
    if comment.start_line is not None and not diff.can_comment(comment.line, comment.start_line):
        return InlineComment(path=comment.path, line=comment.line, body=comment.body)
    return comment


def _posted_already(pull: GitHubPull, comments: list[InlineComment]) -> bool:
    """Whether the pull request's review comments hold every one of ``comments`` already."""
    wanted = {_review_comment(comment)["body"] for comment in comments}
    return wanted <= {comment.body for comment in pull.get_review_comments()}


def _review_comment(comment: InlineComment) -> ReviewComment:
    payload: ReviewComment = {
        "path": comment.path,
        "body": truncate_comment(comment.body, limit=MAX_COMMENT_LENGTH),
        "line": comment.line,
        "side": "RIGHT",
    }
    if comment.start_line is not None and comment.start_line != comment.line:
        payload["start_line"] = comment.start_line
        payload["start_side"] = "RIGHT"
    return payload


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
