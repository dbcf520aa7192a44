"""GitLab deliveries (``X-Gitlab-Event``) read into forge-neutral events.

Reviewed: ``Merge Request Hook`` open, reopen, and update when it brings new commits
(``object_attributes.oldrev`` is present then) or a new target branch (``changes.target_branch``).
An update of the title, labels or draft flag brings nothing to review. ``merge`` is a
``PullRequestMerged``. GitLab sends no ping: its "Test" button sends a sample event.
"""

from __future__ import annotations

from app.webhooks.events import (
    ForgeEvent,
    Ignored,
    PullRequestChanged,
    PullRequestEvent,
    PullRequestMerged,
)
from app.webhooks.payload import JsonObject, optional, required

__all__ = ["read_gitlab_event"]

FORGE = "gitlab"
MERGE_REQUEST_HOOK = "Merge Request Hook"


def read_gitlab_event(name: str, payload: JsonObject) -> ForgeEvent:
    """``name`` is the ``X-Gitlab-Event`` header; raises PayloadError naming a missing field."""
    if name != MERGE_REQUEST_HOOK:
        return Ignored(FORGE, name, f"{name} events are not used")
    action = required(payload, "object_attributes.action", str)
    if action in ("open", "reopen"):
        return _merge_request(PullRequestChanged, name, action, payload)
    if action == "update":
        if optional(payload, "object_attributes.oldrev", str):
            return _merge_request(PullRequestChanged, name, action, payload)
        if optional(payload, "changes.target_branch", dict) is not None:
            return _merge_request(PullRequestChanged, name, action, payload)
        return Ignored(FORGE, name, "merge request updated without new commits")
    if action == "merge":
        return _merge_request(PullRequestMerged, name, action, payload)
    return Ignored(FORGE, name, f"merge request action {action} needs no review")


def _merge_request(
    kind: type[PullRequestEvent], name: str, action: str, payload: JsonObject
) -> PullRequestEvent:
    repository = required(payload, "project.path_with_namespace", str)
    number = required(payload, "object_attributes.iid", int)
    head_sha = required(payload, "object_attributes.last_commit.id", str)
    base_branch = required(payload, "object_attributes.target_branch", str)
    source = optional(payload, "object_attributes.source_project_id", int)
    target = optional(payload, "object_attributes.target_project_id", int)
    from_fork = source is not None and target is not None and source != target
    if kind is PullRequestMerged:
        merge_sha = optional(payload, "object_attributes.merge_commit_sha", str)
        return PullRequestMerged(
            FORGE, name, repository, number, head_sha, base_branch, action, from_fork, merge_sha
        )
    return PullRequestChanged(
        FORGE, name, repository, number, head_sha, base_branch, action, from_fork
    )
