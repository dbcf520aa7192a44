"""GitHub deliveries (``X-GitHub-Event``) read into forge-neutral events.

Reviewed: ``pull_request`` opened, reopened, synchronize (new commits), ready_for_review, and
edited when the base branch changed (``changes.base``). A merged pull request is a
``PullRequestMerged``. Everything else is ``Ignored`` with the reason.
"""

from __future__ import annotations

from app.webhooks.events import (
    ForgeEvent,
    Ignored,
    Ping,
    PullRequestChanged,
    PullRequestEvent,
    PullRequestMerged,
)
from app.webhooks.payload import JsonObject, optional, required

__all__ = ["read_github_event"]

FORGE = "github"
#: Actions after which the code to review is new or newly relevant.
REVIEWED_ACTIONS = frozenset({"opened", "reopened", "synchronize", "ready_for_review"})


def read_github_event(name: str, payload: JsonObject) -> ForgeEvent:
    """``name`` is the ``X-GitHub-Event`` header; raises PayloadError naming a missing field."""
    if name == "ping":
        return Ping(FORGE, name)
    if name != "pull_request":
        return Ignored(FORGE, name, f"{name} events are not used")
    action = required(payload, "action", str)
    if action == "closed":
        if optional(payload, "pull_request.merged", bool):
            return _pull_request(PullRequestMerged, name, action, payload)
        return Ignored(FORGE, name, "pull request closed without merging")
    if action == "edited" and optional(payload, "changes.base", dict) is None:
        return Ignored(FORGE, name, "only the title or description was edited")
    if action not in REVIEWED_ACTIONS and action != "edited":
        return Ignored(FORGE, name, f"pull_request action {action} needs no review")
    return _pull_request(PullRequestChanged, name, action, payload)


def _pull_request(
    kind: type[PullRequestEvent], name: str, action: str, payload: JsonObject
) -> PullRequestEvent:
    repository = required(payload, "repository.full_name", str)
    number = required(payload, "pull_request.number", int)
    head_sha = required(payload, "pull_request.head.sha", str)
    base_branch = required(payload, "pull_request.base.ref", str)
    # A fork that was deleted leaves ``head.repo`` null: still someone else's code.
    head_repository = optional(payload, "pull_request.head.repo.full_name", str)
    from_fork = head_repository is None or head_repository.lower() != repository.lower()
    if kind is PullRequestMerged:
        merge_sha = optional(payload, "pull_request.merge_commit_sha", str)
        return PullRequestMerged(
            FORGE, name, repository, number, head_sha, base_branch, action, from_fork, merge_sha
        )
    return PullRequestChanged(
        FORGE, name, repository, number, head_sha, base_branch, action, from_fork
    )
