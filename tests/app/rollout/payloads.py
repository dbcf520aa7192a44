"""Rollout deliveries shaped like the forges' documented examples: a merged pull request, a push
to a branch, a new comment (GitHub ``push``/``issue_comment``, GitLab ``Push Hook``/``Note
Hook``), built on the review tests' payloads and signed the same way."""

from __future__ import annotations

from typing import Any

from tests.app.webhooks.payloads import (
    github_delivery,
    github_pull_request,
    gitlab_delivery,
    gitlab_merge_request,
)

__all__ = ["comment_delivery", "merged_delivery", "push_delivery"]

_GITHUB_USER = {"login": "dev-alice", "id": 4242, "type": "User", "site_admin": False}


def _github_repository(name: str) -> dict[str, Any]:
    owner = name.split("/", 1)[0]
    return {
        "id": 501,
        "name": name.split("/", 1)[1],
        "full_name": name,
        "private": False,
        "owner": {"login": owner, "id": 9001, "type": "Organization"},
        "html_url": f"https://github.com/{name}",
        "default_branch": "main",
    }


def _gitlab_project(name: str) -> dict[str, Any]:
    return {
        "id": 15,
        "name": name.rsplit("/", 1)[1],
        "web_url": f"https://gitlab.example.com/{name}",
        "path_with_namespace": name,
        "default_branch": "main",
    }


def merged_delivery(
    forge: str,
    secret: str,
    *,
    repository: str,
    number: int,
    head_sha: str,
    merge_sha: str,
    delivery: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    """``pull_request`` closed with ``merged: true`` / Merge Request Hook ``merge``."""
    if forge == "github":
        payload = github_pull_request(
            repository=repository, number=number, action="closed", head_sha=head_sha, merged=True
        )
        payload["pull_request"]["merge_commit_sha"] = merge_sha
        return github_delivery(payload, secret, delivery=delivery)
    payload = gitlab_merge_request(
        repository=repository, iid=number, action="merge", head_sha=head_sha
    )
    payload["object_attributes"] |= {"state": "merged", "merge_commit_sha": merge_sha}
    return gitlab_delivery(payload, secret, idempotency_key=delivery)


def push_delivery(
    forge: str, secret: str, *, repository: str, branch: str, before: str, after: str
) -> tuple[bytes, dict[str, str]]:
    commit = {
        "id": after,
        "message": "Merge pull request",
        "timestamp": "2025-05-04T08:00:00Z",
        "added": [],
        "removed": [],
        "modified": [],
    }
    if forge == "github":
        payload = {
            "ref": f"refs/heads/{branch}",
            "before": before,
            "after": after,
            "created": False,
            "deleted": False,
            "forced": False,
            "base_ref": None,
            "compare": f"https://github.com/{repository}/compare/{before[:12]}...{after[:12]}",
            "commits": [commit],
            "head_commit": commit,
            "repository": _github_repository(repository),
            "pusher": {"name": "dev-alice", "email": "alice@example.com"},
            "sender": _GITHUB_USER,
        }
        return github_delivery(payload, secret, event="push")
    payload = {
        "object_kind": "push",
        "event_name": "push",
        "before": before,
        "after": after,
        "ref": f"refs/heads/{branch}",
        "checkout_sha": after,
        "user_username": "dev-alice",
        "project_id": 15,
        "project": _gitlab_project(repository),
        "commits": [commit],
        "total_commits_count": 1,
    }
    return gitlab_delivery(payload, secret, event="Push Hook")


def comment_delivery(
    forge: str,
    secret: str,
    *,
    repository: str,
    number: int,
    comment_id: int,
    author: str,
    body: str,
    action: str = "created",
    bot: bool = False,
) -> tuple[bytes, dict[str, str]]:
    """``issue_comment`` on a pull request / Note Hook on a merge request."""
    if forge == "github":
        user = {"login": author, "id": 77, "type": "Bot" if bot else "User"}
        payload = {
            "action": action,
            "issue": {
                "number": number,
                "title": "Add migrations",
                "state": "closed",
                "pull_request": {
                    "url": f"https://api.github.com/repos/{repository}/pulls/{number}",
                    "merged_at": "2025-05-04T08:00:00Z",
                },
            },
            "comment": {
                "id": comment_id,
                "body": body,
                "user": user,
                "created_at": "2025-05-04T09:00:00Z",
                "updated_at": "2025-05-04T09:00:00Z",
                "author_association": "MEMBER",
                "performed_via_github_app": None,
            },
            "repository": _github_repository(repository),
            "sender": user,
        }
        return github_delivery(payload, secret, event="issue_comment")
    stamp = "2025-05-04 09:00:00 UTC"
    payload = {
        "object_kind": "note",
        "event_type": "note",
        "user": {"id": 77, "name": author, "username": author},
        "project_id": 15,
        "project": _gitlab_project(repository),
        "object_attributes": {
            "id": comment_id,
            "note": body,
            "noteable_type": "MergeRequest",
            "author_id": 77,
            "created_at": stamp,
            "updated_at": stamp if action == "created" else "2025-05-04 09:05:00 UTC",
            "system": False,
            "action": "create" if action == "created" else "update",
        },
        "merge_request": {"iid": number, "state": "merged", "target_branch": "main"},
    }
    return gitlab_delivery(payload, secret, event="Note Hook")
