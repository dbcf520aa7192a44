"""The deliveries a rollout listens to beyond a merged pull request: pushes to a branch and
comments on pull requests, read into forge-neutral events like the review's.

GitHub: ``push``, ``issue_comment``. GitLab: ``Push Hook``, ``Note Hook``. A comment that asks
nothing of us (edited, deleted, written by a bot or by GitLab itself, on an issue) becomes
``Ignored`` with the reason, so the webhook answers 200 and queues nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.webhooks.events import ForgeEvent, Ignored
from app.webhooks.payload import JsonObject, optional, required

__all__ = [
    "BranchPushed",
    "CommentAdded",
    "read_github_rollout_event",
    "read_gitlab_rollout_event",
]

#: ``after`` of a push that deleted the branch.
NULL_SHA = "0" * 40
BRANCH_PREFIX = "refs/heads/"


@dataclass(frozen=True, slots=True)
class BranchPushed(ForgeEvent):
    repository: str
    branch: str
    commit_sha: str


@dataclass(frozen=True, slots=True)
class CommentAdded(ForgeEvent):
    """A new comment on a pull request (GitHub) or merge request (GitLab)."""

    repository: str
    number: int
    comment_id: int
    author: str
    body: str


def _pushed(forge: str, name: str, repository: str, payload: JsonObject) -> ForgeEvent:
    ref = required(payload, "ref", str)
    after = required(payload, "after", str)
    if not ref.startswith(BRANCH_PREFIX):
        return Ignored(forge, name, f"{ref} is not a branch")
    if after == NULL_SHA or optional(payload, "deleted", bool):
        return Ignored(forge, name, "the branch was deleted")
    return BranchPushed(forge, name, repository, ref.removeprefix(BRANCH_PREFIX), after)


def read_github_rollout_event(name: str, payload: JsonObject) -> ForgeEvent | None:
    """``push`` and ``issue_comment``; None for the events the review's reader handles."""
    forge = "github"
    if name == "push":
        return _pushed(forge, name, required(payload, "repository.full_name", str), payload)
    if name != "issue_comment":
        return None
    action = required(payload, "action", str)
    if action != "created":
        return Ignored(forge, name, f"comment {action}: only new comments are commands")
    if optional(payload, "issue.pull_request", dict) is None:
        return Ignored(forge, name, "a comment on an issue, not on a pull request")
    author_type = optional(payload, "comment.user.type", str)
    via_app = optional(payload, "comment.performed_via_github_app", dict)
    if author_type == "Bot" or via_app is not None:
        return Ignored(forge, name, "a comment by a bot")
    return CommentAdded(
        forge,
        name,
        required(payload, "repository.full_name", str),
        required(payload, "issue.number", int),
        required(payload, "comment.id", int),
        required(payload, "comment.user.login", str),
        optional(payload, "comment.body", str) or "",
    )


def _gitlab_bot(username: str) -> bool:
    # Project and group access tokens act as users named project_<id>_bot_<hash> / group_...
    return username.startswith(("project_", "group_")) and "_bot" in username


def read_gitlab_rollout_event(name: str, payload: JsonObject) -> ForgeEvent | None:
    """``Push Hook`` and ``Note Hook``; None for the events the review's reader handles."""
    forge = "gitlab"
    if name == "Push Hook":
        project = required(payload, "project.path_with_namespace", str)
        return _pushed(forge, name, project, payload)
    if name != "Note Hook":
        return None
    if optional(payload, "object_attributes.noteable_type", str) != "MergeRequest":
        return Ignored(forge, name, "a note on something else than a merge request")
    action = optional(payload, "object_attributes.action", str)
    created = optional(payload, "object_attributes.created_at", str)
    updated = optional(payload, "object_attributes.updated_at", str)
    # Older GitLab sends no action: an edited note has moved its updated_at.
    if action not in (None, "create") or (action is None and created != updated):
        return Ignored(forge, name, "note edited: only new notes are commands")
    if optional(payload, "object_attributes.system", bool):
        return Ignored(forge, name, "a system note")
    author = required(payload, "user.username", str)
    if _gitlab_bot(author) or optional(payload, "user.bot", bool):
        return Ignored(forge, name, "a note by a bot")
    return CommentAdded(
        forge,
        name,
        required(payload, "project.path_with_namespace", str),
        required(payload, "merge_request.iid", int),
        required(payload, "object_attributes.id", int),
        author,
        optional(payload, "object_attributes.note", str) or "",
    )
