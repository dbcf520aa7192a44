"""Webhook deliveries shaped like the forges' documented examples, with their headers.

GitHub: the ``pull_request`` event (docs "Webhook events and payloads"), with full ``user`` and
``repository`` objects: a real delivery is about 20 KB, mostly URLs. GitLab: the "Merge request
events" example. Only ids, shas and branches vary; everything else is what the forges send.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from app.webhooks import sign_github

__all__ = [
    "github_delivery",
    "github_pull_request",
    "gitlab_delivery",
    "gitlab_merge_request",
]

API = "https://api.github.com"
WEB = "https://github.com"


def _user(login: str, user_id: int) -> dict[str, Any]:
    url = f"{API}/users/{login}"
    return {
        "login": login,
        "id": user_id,
        "node_id": f"MDQ6VXNlcj{user_id}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{user_id}?v=4",
        "gravatar_id": "",
        "url": url,
        "html_url": f"{WEB}/{login}",
        "followers_url": f"{url}/followers",
        "following_url": f"{url}/following{{/other_user}}",
        "gists_url": f"{url}/gists{{/gist_id}}",
        "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{url}/subscriptions",
        "organizations_url": f"{url}/orgs",
        "repos_url": f"{url}/repos",
        "events_url": f"{url}/events{{/privacy}}",
        "received_events_url": f"{url}/received_events",
        "type": "User",
        "user_view_type": "public",
        "site_admin": False,
    }


_REPO_URLS = (
    "forks", "keys{/key_id}", "collaborators{/collaborator}", "teams", "hooks",
    "issues/events{/number}", "events", "assignees{/user}", "branches{/branch}", "tags",
    "git/blobs{/sha}", "git/tags{/sha}", "git/refs{/sha}", "git/trees{/sha}", "statuses/{sha}",
    "languages", "stargazers", "contributors", "subscribers", "subscription",
    "commits{/sha}", "git/commits{/sha}", "comments{/number}", "issues/comments{/number}",
    "contents/{+path}", "compare/{base}...{head}", "merges", "{archive_format}{/ref}",
    "downloads", "issues{/number}", "pulls{/number}", "milestones{/number}",
    "notifications{?since,all,participating}", "labels{/name}", "releases{/id}",
    "deployments",
)  # fmt: skip


def _repository(full_name: str, repo_id: int, owner_id: int) -> dict[str, Any]:
    owner, name = full_name.split("/", 1)
    url = f"{API}/repos/{full_name}"
    links = {
        path.split("{")[0].split("/")[0].replace("-", "_") + "_url": f"{url}/{path}"
        for path in _REPO_URLS
    }
    return {
        "id": repo_id,
        "node_id": f"R_kgDO{repo_id}",
        "name": name,
        "full_name": full_name,
        "private": False,
        "owner": _user(owner, owner_id),
        "html_url": f"{WEB}/{full_name}",
        "description": "Shop backend: orders, payments, shipping.",
        "fork": False,
        "url": url,
        **links,
        "created_at": "2023-02-01T09:12:44Z",
        "updated_at": "2025-05-02T10:01:02Z",
        "pushed_at": "2025-05-03T14:22:10Z",
        "git_url": f"git://github.com/{full_name}.git",
        "ssh_url": f"git@github.com:{full_name}.git",
        "clone_url": f"{WEB}/{full_name}.git",
        "svn_url": f"{WEB}/{full_name}",
        "homepage": None,
        "size": 5230,
        "stargazers_count": 12,
        "watchers_count": 12,
        "language": "Python",
        "has_issues": True,
        "has_projects": True,
        "has_downloads": True,
        "has_wiki": False,
        "has_pages": False,
        "has_discussions": False,
        "forks_count": 3,
        "mirror_url": None,
        "archived": False,
        "disabled": False,
        "open_issues_count": 7,
        "license": None,
        "allow_forking": True,
        "is_template": False,
        "web_commit_signoff_required": False,
        "topics": ["migrations", "postgres"],
        "visibility": "public",
        "forks": 3,
        "open_issues": 7,
        "watchers": 12,
        "default_branch": "main",
        "allow_squash_merge": True,
        "allow_merge_commit": True,
        "allow_rebase_merge": True,
        "allow_auto_merge": False,
        "delete_branch_on_merge": False,
        "allow_update_branch": False,
        "use_squash_pr_title_as_default": False,
        "squash_merge_commit_message": "COMMIT_MESSAGES",
        "squash_merge_commit_title": "COMMIT_OR_PR_TITLE",
        "merge_commit_message": "PR_TITLE",
        "merge_commit_title": "MERGE_MESSAGE",
    }


def github_pull_request(
    *,
    repository: str = "acme/shop",
    number: int = 7,
    action: str = "opened",
    head_sha: str = "a" * 40,
    base_sha: str = "b" * 40,
    base_branch: str = "main",
    head_repository: str | None = None,
    merged: bool = False,
    changes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A ``pull_request`` event payload; ``head_repository`` set: from that fork."""
    repo = _repository(repository, 501, 9001)
    head_repo = _repository(head_repository, 777, 9002) if head_repository else repo
    author = _user("dev-alice", 4242)
    url = f"{API}/repos/{repository}/pulls/{number}"
    pull = {
        "url": url,
        "id": 1_900_000_000 + number,
        "node_id": f"PR_kwDO{number}",
        "html_url": f"{WEB}/{repository}/pull/{number}",
        "diff_url": f"{WEB}/{repository}/pull/{number}.diff",
        "patch_url": f"{WEB}/{repository}/pull/{number}.patch",
        "issue_url": f"{API}/repos/{repository}/issues/{number}",
        "number": number,
        "state": "closed" if merged else "open",
        "locked": False,
        "title": "Add an index on orders.customer_id",
        "user": author,
        "body": "Speeds up the customer order history page.",
        "created_at": "2025-05-03T14:20:00Z",
        "updated_at": "2025-05-03T14:22:10Z",
        "closed_at": "2025-05-04T08:00:00Z" if merged else None,
        "merged_at": "2025-05-04T08:00:00Z" if merged else None,
        "merge_commit_sha": "c" * 40 if merged else None,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [_user("dba-bob", 4343)],
        "requested_teams": [],
        "labels": [],
        "milestone": None,
        "draft": False,
        "commits_url": f"{url}/commits",
        "review_comments_url": f"{url}/comments",
        "review_comment_url": f"{API}/repos/{repository}/pulls/comments{{/number}}",
        "comments_url": f"{API}/repos/{repository}/issues/{number}/comments",
        "statuses_url": f"{API}/repos/{repository}/statuses/{head_sha}",
        "head": {
            "label": f"{head_repo['owner']['login']}:add-index",
            "ref": "add-index",
            "sha": head_sha,
            "user": head_repo["owner"],
            "repo": head_repo,
        },
        "base": {
            "label": f"{repo['owner']['login']}:{base_branch}",
            "ref": base_branch,
            "sha": base_sha,
            "user": repo["owner"],
            "repo": repo,
        },
        "_links": {
            name: {"href": href}
            for name, href in (
                ("self", url),
                ("html", f"{WEB}/{repository}/pull/{number}"),
                ("issue", f"{API}/repos/{repository}/issues/{number}"),
                ("comments", f"{API}/repos/{repository}/issues/{number}/comments"),
                ("review_comments", f"{url}/comments"),
                ("commits", f"{url}/commits"),
                ("statuses", f"{API}/repos/{repository}/statuses/{head_sha}"),
            )
        },
        "author_association": "MEMBER",
        "auto_merge": None,
        "active_lock_reason": None,
        "merged": merged,
        "mergeable": None,
        "rebaseable": None,
        "mergeable_state": "unknown",
        "merged_by": None,
        "comments": 0,
        "review_comments": 0,
        "maintainer_can_modify": False,
        "commits": 1,
        "additions": 12,
        "deletions": 0,
        "changed_files": 1,
    }
    payload: dict[str, Any] = {
        "action": action,
        "number": number,
        "pull_request": pull,
        "repository": repo,
        "sender": author,
    }
    if changes is not None:
        payload["changes"] = changes
    return payload


def github_delivery(
    payload: dict[str, Any],
    secret: str,
    *,
    event: str = "pull_request",
    delivery: str | None = None,
    hook_id: str = "123456789",
) -> tuple[bytes, dict[str, str]]:
    """The body and headers GitHub sends for ``payload``, signed with ``secret``."""
    body = json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/0c3c3bd",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-GitHub-Hook-ID": hook_id,
        "X-GitHub-Hook-Installation-Target-Type": "repository",
        "X-GitHub-Hook-Installation-Target-ID": "501",
        "X-Hub-Signature-256": sign_github(secret.encode(), body),
    }
    return body, headers


def gitlab_merge_request(
    *,
    repository: str = "acme/shop",
    iid: int = 7,
    action: str = "open",
    head_sha: str = "a" * 40,
    base_branch: str = "main",
    oldrev: str | None = None,
    source_project_id: int = 15,
    target_project_id: int = 15,
    changes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A "Merge Request Hook" payload, as in GitLab's "Merge request events" example."""
    namespace, name = repository.rsplit("/", 1)
    web = f"https://gitlab.example.com/{repository}"
    project = {
        "id": target_project_id,
        "name": name,
        "description": "Shop backend",
        "web_url": web,
        "avatar_url": None,
        "git_ssh_url": f"git@gitlab.example.com:{repository}.git",
        "git_http_url": f"{web}.git",
        "namespace": namespace,
        "visibility_level": 0,
        "path_with_namespace": repository,
        "default_branch": "main",
        "ci_config_path": "",
        "homepage": web,
        "url": f"git@gitlab.example.com:{repository}.git",
        "ssh_url": f"git@gitlab.example.com:{repository}.git",
        "http_url": f"{web}.git",
    }
    attributes: dict[str, Any] = {
        "id": 99,
        "iid": iid,
        "target_branch": base_branch,
        "source_branch": "add-index",
        "source_project_id": source_project_id,
        "author_id": 51,
        "assignee_ids": [6],
        "assignee_id": 6,
        "reviewer_ids": [6],
        "title": "Add an index on orders.customer_id",
        "created_at": "2025-05-03 14:20:00 UTC",
        "updated_at": "2025-05-03 14:22:10 UTC",
        "last_edited_at": None,
        "last_edited_by_id": None,
        "milestone_id": None,
        "state_id": 1,
        "state": "opened",
        "blocking_discussions_resolved": True,
        "work_in_progress": False,
        "draft": False,
        "first_contribution": True,
        "merge_status": "unchecked",
        "detailed_merge_status": "checking",
        "target_project_id": target_project_id,
        "description": "Speeds up the customer order history page.",
        "prepared_at": "2025-05-03 14:20:05 UTC",
        "total_time_spent": 0,
        "time_change": 0,
        "human_total_time_spent": None,
        "human_time_change": None,
        "human_time_estimate": None,
        "url": f"{web}/-/merge_requests/{iid}",
        "source": {**project, "id": source_project_id},
        "target": project,
        "last_commit": {
            "id": head_sha,
            "message": "Add an index on orders.customer_id\n",
            "title": "Add an index on orders.customer_id",
            "timestamp": "2025-05-03T14:22:10+00:00",
            "url": f"{web}/-/commit/{head_sha}",
            "author": {"name": "Alice", "email": "alice@example.com"},
        },
        "labels": [],
        "action": action,
    }
    if oldrev is not None:
        attributes["oldrev"] = oldrev
    return {
        "object_kind": "merge_request",
        "event_type": "merge_request",
        "user": {
            "id": 51,
            "name": "Alice",
            "username": "dev-alice",
            "avatar_url": "https://www.gravatar.com/avatar/0?s=80&d=identicon",
            "email": "[REDACTED]",
        },
        "project": project,
        "object_attributes": attributes,
        "labels": [],
        "changes": changes or {},
        "repository": {"name": name, "url": project["url"], "description": "", "homepage": web},
        "assignees": [],
        "reviewers": [],
    }


def gitlab_delivery(
    payload: dict[str, Any],
    token: str,
    *,
    event: str = "Merge Request Hook",
    idempotency_key: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    """The body and headers GitLab 17.4+ sends for ``payload``."""
    body = json.dumps(payload).encode()
    key = idempotency_key or str(uuid.uuid4())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GitLab/17.6.0",
        "X-Gitlab-Event": event,
        "X-Gitlab-Token": token,
        "X-Gitlab-Instance": "https://gitlab.example.com",
        "X-Gitlab-Webhook-UUID": "a0b1c2d3-0000-4000-8000-000000000001",
        "X-Gitlab-Event-UUID": str(uuid.uuid4()),
        "Idempotency-Key": key,
    }
    return body, headers
