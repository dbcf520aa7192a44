"""GitLab (gitlab.com or self-hosted) through python-gitlab.

A repository is ``group/project`` (python-gitlab URL-encodes it); a pull request is a merge
request by its ``iid``. Inline comments are discussions with a ``position`` built from the merge
request's ``diff_refs``, read fresh: GitLab places a comment by the diff version those refs name.
"""

from __future__ import annotations

import functools
import urllib.parse
from collections.abc import Callable
from typing import Any, TypeVar

import gitlab
import requests
from gitlab.v4.objects import Project, ProjectMergeRequest

from app.forges.base import (
    ChangedFile,
    CommitStatus,
    ForgeError,
    InlineComment,
    Permission,
    PostedReview,
    PullRequest,
    StatusState,
    truncate_comment,
)
from app.forges.diff import DiffLines, parse_patch
from app.forges.gitlab_backend import RateLimitAwareBackend
from app.forges.retry import RetryPolicy, WritePacer, repeatable

__all__ = ["GitLab"]

T = TypeVar("T")

#: GitLab refuses notes longer than this.
MAX_COMMENT_LENGTH = 1_000_000
#: Commit status descriptions are a 255-character column.
MAX_STATUS_DESCRIPTION = 255
#: Note creation is limited per user (300 a minute by default): a fifth of a second between
#: writes keeps a long review under it.
WRITE_INTERVAL = 0.2
#: The largest page GitLab serves.
PER_PAGE = 100
#: Seconds before a request is abandoned; webhook jobs cannot hang.
TIMEOUT = 10.0

#: GitLab has no "error" state; a required pipeline status must not pass when we could not look.
_STATUS_STATE: dict[StatusState, str] = {
    "pending": "pending",
    "success": "success",
    "failure": "failed",
    "error": "failed",
}

#: Access levels onto roles. Guest (10), Planner (15) and Minimal access (5) cannot read the
#: code of a private project nor push: for review and approval purposes they hold no role.
_ACCESS_LEVELS = (
    (50, Permission.ADMIN),  # Owner
    (40, Permission.MAINTAIN),  # Maintainer
    (30, Permission.WRITE),  # Developer
    (20, Permission.READ),  # Reporter
)


class GitLab:
    """The :class:`~app.forges.base.Forge` for GitLab."""

    name = "gitlab"

    def __init__(
        self,
        *,
        url: str = "https://gitlab.com",
        token: str,
        write_interval: float | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = TIMEOUT,
    ) -> None:
        self._web_url = url.rstrip("/")
        self._gl = gitlab.Gitlab(
            self._web_url,
            private_token=token,
            timeout=timeout,
            per_page=PER_PAGE,
            # Our retries see every failure once: no transient retries underneath them, and
            # 429s are raised by the backend before python-gitlab's own retry loop sees them.
            retry_transient_errors=False,
            backend=RateLimitAwareBackend,
        )
        self._retry = retry or RetryPolicy()
        self._pacer = WritePacer(WRITE_INTERVAL if write_interval is None else write_interval)
        self._bot_username: str | None = None

    # -- reads -------------------------------------------------------------------------------

    def pull_request(self, repository: str, number: int) -> PullRequest:
        def read() -> PullRequest:
            mr = self._project(repository).mergerequests.get(number)
            refs = mr.diff_refs or {}
            if not all(refs.get(key) for key in ("base_sha", "start_sha", "head_sha")):
                raise ForgeError(
                    "GitLab has not computed the merge request's diff yet", retryable=True
                )
            merged = mr.state == "merged"
            return PullRequest(
                repository=repository,
                number=number,
                title=mr.title,
                author=mr.author["username"],
                head_sha=refs["head_sha"],
                head_branch=mr.source_branch,
                base_sha=refs["base_sha"],
                base_branch=mr.target_branch,
                head_repository=self._source_project(repository, mr),
                url=mr.web_url,
                state="merged" if merged else ("open" if mr.state == "opened" else "closed"),
                merge_sha=(mr.merge_commit_sha or mr.squash_commit_sha or mr.sha)
                if merged
                else None,
                start_sha=refs["start_sha"],
            )

        return self._call(f"read merge request {repository}!{number}", read)

    def _source_project(self, repository: str, mr: ProjectMergeRequest) -> str:
        if mr.source_project_id == mr.target_project_id:
            return repository
        try:
            return str(self._gl.projects.get(mr.source_project_id).path_with_namespace)
        except gitlab.GitlabGetError as error:
            if error.response_code == 404:
                return f"project {mr.source_project_id} (deleted fork)"
            raise

    def changed_files(self, repository: str, number: int) -> list[ChangedFile]:
        def read() -> list[ChangedFile]:
            project = self._project(repository)
            diffs = self._gl.http_list(
                f"/projects/{project.encoded_id}/merge_requests/{number}/diffs",
                get_all=True,
                per_page=PER_PAGE,
            )
            return [_changed_file(diff) for diff in diffs]

        return self._call(f"list changed files of {repository}!{number}", read)

    def list_files(self, repository: str, directory: str, ref: str) -> list[str]:
        def read() -> list[str]:
            try:
                tree = self._project(repository).repository_tree(
                    path=directory.strip("/"),
                    ref=ref,
                    recursive=True,
                    get_all=True,
                    per_page=PER_PAGE,
                )
            except gitlab.GitlabGetError as error:
                if error.response_code == 404:
                    return []  # GitLab answers "404 Tree Not Found" for a missing directory
                raise
            return sorted(str(entry["path"]) for entry in tree if entry["type"] == "blob")

        return self._call(f"list {directory!r} of {repository} at {ref}", read)

    def read_file(self, repository: str, path: str, ref: str) -> str | None:
        def read() -> str | None:
            try:
                data = self._project(repository).files.raw(file_path=path, ref=ref)
            except gitlab.GitlabGetError as error:
                if error.response_code == 404:
                    return None
                raise
            assert isinstance(data, bytes)
            # A stray non-UTF-8 byte must not hide the rest of a migration from the linter.
            return data.decode("utf-8", errors="replace")

        return self._call(f"read {path!r} of {repository} at {ref}", read)

    def permission(self, repository: str, username: str) -> Permission:
        def read() -> Permission:
            users = self._gl.users.list(username=username, get_all=False)
            if not users:
                return Permission.NONE
            try:
                # members/all includes access inherited from groups.
                member = self._project(repository).members_all.get(users[0].id)
            except gitlab.GitlabGetError as error:
                if error.response_code == 404:
                    return Permission.NONE
                raise
            if getattr(member, "state", "active") != "active":
                return Permission.NONE  # blocked or awaiting: cannot act on the project
            level = int(member.access_level)
            return next((role for floor, role in _ACCESS_LEVELS if level >= floor), Permission.NONE)

        return self._call(f"read the permission of {username} on {repository}", read)

    # -- writes ------------------------------------------------------------------------------

    def post_review(self, pull_request: PullRequest, comments: list[InlineComment]) -> PostedReview:
        """One discussion per comment; a comment GitLab refuses (400) is refused alone.

        A multi-line comment is placed on its last line: GitLab's ``line_range`` needs line
        codes of both ends, which the API does not give us. Posting is not all or nothing as
        on GitHub, so it is made repeatable instead: a comment the bot already posted with the
        same text (by an attempt that failed further on, or whose answer was lost) counts as
        posted and is not posted again.
        """
        repository, number = pull_request.repository, pull_request.number
        if pull_request.start_sha is None:
            pull_request = self.pull_request(repository, number)
        files = self.changed_files(repository, number)
        diffs = {file.path: (file, parse_patch(file.patch)) for file in files}
        mr = self._project(repository).mergerequests.get(number, lazy=True)
        already = self._call(
            f"read the comments on {repository}!{number}", lambda: self._bot_notes(mr)
        )
        posted: list[InlineComment] = []
        refused: list[InlineComment] = []
        for comment in comments:
            body = truncate_comment(comment.body, limit=MAX_COMMENT_LENGTH)
            if body in already:
                posted.append(comment)
                continue
            file, diff = diffs.get(comment.path, (None, DiffLines()))
            if file is None or not diff.can_comment(comment.line):
                refused.append(comment)
                continue
            position: dict[str, Any] = {
                "position_type": "text",
                "base_sha": pull_request.base_sha,
                "start_sha": pull_request.start_sha,
                "head_sha": pull_request.head_sha,
                "new_path": file.path,
                "old_path": file.previous_path or file.path,
                "new_line": comment.line,
            }
            old_line = diff.old_line(comment.line)
            if old_line is not None:
                position["old_line"] = old_line  # an unchanged line needs both sides
            create = functools.partial(mr.discussions.create, {"body": body, "position": position})
            try:
                # A retry after a lost answer (a timeout) first looks whether it was posted.
                self._call(
                    f"comment on {comment.path}:{comment.line} of {repository}!{number}",
                    repeatable(create, done=functools.partial(self._posted, mr, body)),
                    write=True,
                )
            except ForgeError as error:
                if error.status != 400:
                    raise
                refused.append(comment)
                continue
            posted.append(comment)
        return PostedReview(posted=tuple(posted), refused=tuple(refused))

    def upsert_comment(self, repository: str, number: int, *, marker: str, body: str) -> str:
        text = truncate_comment(body, limit=MAX_COMMENT_LENGTH, marker=marker)

        # Search and write are retried together: a create that timed out but happened is found
        # by the next attempt instead of being posted twice.
        def upsert() -> str:
            mr = self._project(repository).mergerequests.get(number, lazy=True)
            bot = self._bot()
            notes = mr.notes.list(get_all=True, sort="asc", order_by="created_at")
            for note in notes:
                if note.system or marker not in (note.body or ""):
                    continue
                if note.author["username"] != bot:
                    continue
                if note.body != text:
                    with self._pacer.write():
                        mr.notes.update(note.id, {"body": text})
                return self._note_url(repository, number, note.id)
            with self._pacer.write():
                note = mr.notes.create({"body": text})
            return self._note_url(repository, number, note.id)

        return self._call(f"write the summary comment on {repository}!{number}", upsert)

    def reply(self, repository: str, number: int, body: str) -> None:
        text = truncate_comment(body, limit=MAX_COMMENT_LENGTH)
        self._call(
            f"comment on {repository}!{number}",
            lambda: (
                self._project(repository)
                .mergerequests.get(number, lazy=True)
                .notes.create({"body": text})
            ),
            write=True,
        )

    def set_status(self, repository: str, sha: str, status: CommitStatus) -> None:
        data = {
            "state": _STATUS_STATE[status.state],
            "name": status.context,
            "description": _shorten(status.description, MAX_STATUS_DESCRIPTION),
        }
        if status.target_url:
            data["target_url"] = status.target_url

        def create() -> None:
            commit = self._project(repository).commits.get(sha, lazy=True)
            try:
                commit.statuses.create(data)
            except gitlab.GitlabCreateError as error:
                # Posting the state a status already has is refused ("Cannot transition status
                # via :enqueue from :pending"): it is already what we wanted.
                if error.response_code == 400 and "Cannot transition status" in str(error):
                    return
                raise

        self._call(f"set status {status.context} on {repository}@{sha[:12]}", create, write=True)

    # -- plumbing ----------------------------------------------------------------------------

    def _call(self, what: str, call: Callable[[], T], *, write: bool = False) -> T:
        def attempt() -> T:
            try:
                if write:
                    with self._pacer.write():
                        return call()
                return call()
            except gitlab.GitlabError as error:
                raise translate_error(error) from error
            except requests.RequestException as error:
                raise ForgeError(f"GitLab unreachable: {error}", retryable=True) from error

        return self._retry.run(attempt, what=what)

    def _project(self, repository: str) -> Project:
        return self._gl.projects.get(repository, lazy=True)

    def _posted(self, mr: ProjectMergeRequest, body: str) -> bool:
        return body in self._bot_notes(mr)

    def _bot_notes(self, mr: ProjectMergeRequest) -> set[str]:
        """The text of every note the bot wrote on the merge request (diff notes included)."""
        bot = self._bot()
        notes = mr.notes.list(iterator=True, per_page=PER_PAGE)
        return {note.body for note in notes if note.author["username"] == bot and not note.system}

    def _bot(self) -> str:
        if self._bot_username is None:
            self._gl.auth()
            assert self._gl.user is not None
            self._bot_username = str(self._gl.user.username)
        return self._bot_username

    def _note_url(self, repository: str, number: int, note_id: int) -> str:
        # Notes carry no web URL; GitLab's web routes are stable, so no extra request.
        path = urllib.parse.quote(repository)
        return f"{self._web_url}/{path}/-/merge_requests/{number}#note_{note_id}"


def translate_error(error: gitlab.GitlabError) -> ForgeError:
    """A python-gitlab error as a :class:`ForgeError` (429s never get here: see the backend)."""
    status = error.response_code
    reason = f"GitLab answered {status}: {error.error_message}" if status else str(error)
    retryable = status is not None and (
        status >= 500 or (status == 409 and "Resource lock" in str(error.error_message))
    )
    return ForgeError(reason, status=status, retryable=retryable)


def _changed_file(diff: dict[str, Any]) -> ChangedFile:
    if diff.get("new_file"):
        status: Any = "added"
    elif diff.get("deleted_file"):
        status = "removed"
    elif diff.get("renamed_file"):
        status = "renamed"
    else:
        status = "modified"
    return ChangedFile(
        path=diff["new_path"],
        status=status,
        previous_path=diff["old_path"] if diff.get("renamed_file") else None,
        # Too large or collapsed diffs come with an empty "diff".
        patch=diff.get("diff") or None,
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
