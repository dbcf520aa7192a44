"""The GitHub face of the fake forge, under ``/api/v3`` (GitHub Enterprise Server's layout).

Answers carry the fields PyGithub reads, shaped like GitHub's documented examples, and refuse
what GitHub refuses: a review with one comment off the diff (422, whole review), bodies over
65,536 characters, status descriptions over 140, check runs without an App.
"""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tests.fakeforge import github_pulls
from tests.fakeforge.github_access import (
    API,
    NOT_FOUND,
    app_jwt_refusal,
    caller_of,
    find_repository,
    now,
    user_json,
)
from tests.fakeforge.server import Request, Response, Route, error
from tests.fakeforge.state import FakeRepository, next_id

if TYPE_CHECKING:
    from tests.fakeforge.forge import FakeForge

__all__ = ["ROUTES"]

P = API
REPO = P + r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)"
MAX_DESCRIPTION = 140


# -- users and the App -----------------------------------------------------------------------


def get_user(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    caller = caller_of(forge, request)
    if isinstance(caller, Response):
        return caller
    if caller.endswith("[bot]"):
        return error(403, "Resource not accessible by integration")
    return Response(200, user_json(request.origin, forge, caller))


def get_app(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    refused = app_jwt_refusal(forge, request)
    if refused is not None:
        return refused
    return Response(
        200,
        {
            "id": forge.app_id,
            "slug": forge.app_slug,
            "node_id": "A_1",
            "name": "schemabot",
            "owner": user_json(request.origin, forge, "schemabot-org"),
            "description": "",
            "external_url": request.origin,
            "html_url": f"{request.origin}/apps/{forge.app_slug}",
            "created_at": now(),
            "updated_at": now(),
            "permissions": {"checks": "write", "pull_requests": "write", "statuses": "write"},
            "events": ["pull_request"],
        },
    )


def get_installation(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    refused = app_jwt_refusal(forge, request)
    if refused is not None:
        return refused
    repo = forge.find_repository("github", f"{params['owner']}/{params['name']}")
    if repo is None or repo.installation_id is None:
        return error(404, NOT_FOUND)
    return Response(200, _installation_json(request.origin, forge, repo))


def _installation_json(origin: str, forge: FakeForge, repo: FakeRepository) -> dict[str, Any]:
    api = f"{origin}{P}/app/installations/{repo.installation_id}"
    return {
        "id": repo.installation_id,
        "app_id": forge.app_id,
        "app_slug": forge.app_slug,
        "target_id": forge.users.get(repo.owner, 0),
        "target_type": "Organization",
        "account": user_json(origin, forge, repo.owner),
        "access_tokens_url": f"{api}/access_tokens",
        "repositories_url": f"{origin}{P}/installation/repositories",
        "html_url": f"{origin}/organizations/{repo.owner}/settings/installations/{repo.id}",
        "permissions": {"checks": "write", "pull_requests": "write", "statuses": "write"},
        "events": ["pull_request"],
        "created_at": now(),
        "updated_at": now(),
        "repository_selection": "all",
    }


def create_access_token(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    refused = app_jwt_refusal(forge, request)
    if refused is not None:
        return refused
    installation = int(params["installation"])
    token = f"ghs_fake{next_id()}"
    expires = time.time() + forge.installation_token_ttl
    forge.installation_tokens[token] = (installation, expires)
    return Response(
        201,
        {
            "token": token,
            "expires_at": datetime.fromtimestamp(expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "permissions": {"checks": "write", "pull_requests": "write"},
            "repository_selection": "all",
        },
    )


# -- statuses and check runs -----------------------------------------------------------------


def create_status(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_repository(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, caller = found
    data = request.body if isinstance(request.body, dict) else {}
    sha = params["sha"]
    if sha not in repo.commits:
        return error(422, f"No commit found for SHA: {sha}")
    if data.get("state") not in ("error", "failure", "pending", "success"):
        return error(422, "Validation Failed", errors=[{"field": "state", "code": "custom"}])
    description = data.get("description") or ""
    if len(description) > MAX_DESCRIPTION:
        message = f"description is too long (maximum is {MAX_DESCRIPTION} characters)"
        return error(
            422, "Validation Failed", errors=[{"field": "description", "message": message}]
        )
    status = {
        "id": next_id(),
        "sha": sha,
        "state": data["state"],
        "context": data.get("context") or "default",
        "description": description,
        "target_url": data.get("target_url"),
        "creator": caller,
    }
    repo.statuses.append(status)
    return Response(
        201,
        {
            **{key: status[key] for key in ("id", "state", "context", "description", "target_url")},
            "node_id": f"SC_{status['id']}",
            "url": f"{request.origin}{P}/repos/{repo.name}/statuses/{sha}",
            "avatar_url": None,
            "creator": user_json(request.origin, forge, caller),
            "created_at": now(),
            "updated_at": now(),
        },
    )


def create_check_run(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_repository(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, caller = found
    if not caller.endswith("[bot]"):
        return error(403, "You must authenticate via a GitHub App.")
    data = request.body if isinstance(request.body, dict) else {}
    if data.get("head_sha") not in repo.commits or not data.get("name"):
        return error(422, "Validation Failed", errors=["name and a known head_sha are required"])
    if data.get("status") == "completed" and not data.get("conclusion"):
        return error(422, "Validation Failed", errors=["conclusion is required when completed"])
    output = data.get("output")
    if output is not None and not (output.get("title") and output.get("summary")):
        return error(422, "Validation Failed", errors=["output needs a title and a summary"])
    run = {"id": next_id(), **data}
    repo.check_runs.append(run)
    return Response(
        201,
        {
            "id": run["id"],
            "node_id": f"CR_{run['id']}",
            "name": data["name"],
            "head_sha": data["head_sha"],
            "status": data.get("status", "queued"),
            "conclusion": data.get("conclusion"),
            "details_url": data.get("details_url"),
            "external_id": data.get("external_id", ""),
            "url": f"{request.origin}{P}/repos/{repo.name}/check-runs/{run['id']}",
            "html_url": f"{request.origin}/{repo.name}/runs/{run['id']}",
            "started_at": now(),
            "completed_at": now() if data.get("status") == "completed" else None,
            "output": {**(output or {}), "annotations_count": 0},
            "pull_requests": [],
        },
    )


def get_permission(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_repository(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, _ = found
    login = params["user"]
    if login not in forge.users:
        return error(404, NOT_FOUND)
    role, legacy = repo.roles.get(login, ("none", "none"))
    return Response(
        200,
        {"permission": legacy, "role_name": role, "user": user_json(request.origin, forge, login)},
    )


# -- git data and contents -------------------------------------------------------------------


def get_tree(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_repository(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, _ = found
    commit = repo.resolve(params["ref"])
    sha = commit.tree if commit else params["ref"]
    if sha not in forge.objects.trees:
        return error(404, NOT_FOUND)
    recursive = request.query.get("recursive") not in (None, "", "0", "false")
    entries = forge.objects.walk(sha) if recursive else forge.objects.trees[sha]
    # Only recursive listings are cut; a single level is never this large in tests.
    truncated = recursive and len(entries) > forge.tree_entry_limit
    api = f"{request.origin}{P}/repos/{repo.name}/git"
    listing = [
        {**entry, "url": f"{api}/{'trees' if entry['type'] == 'tree' else 'blobs'}/{entry['sha']}"}
        for entry in (entries[: forge.tree_entry_limit] if truncated else entries)
    ]
    return Response(
        200, {"sha": sha, "url": f"{api}/trees/{sha}", "tree": listing, "truncated": truncated}
    )


def get_blob(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_repository(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, _ = found
    data = forge.objects.blobs.get(params["sha"])
    if data is None:
        return error(404, NOT_FOUND)
    return Response(
        200,
        {
            "sha": params["sha"],
            "node_id": f"B_{params['sha'][:8]}",
            "size": len(data),
            "url": f"{request.origin}{P}/repos/{repo.name}/git/blobs/{params['sha']}",
            "content": base64.encodebytes(data).decode(),
            "encoding": "base64",
        },
    )


def get_contents(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_repository(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, _ = found
    commit = repo.resolve(request.query.get("ref") or repo.default_branch)
    if commit is None:
        return error(404, f"No commit found for the ref {request.query.get('ref')}")
    path = params["path"].strip("/")
    api = f"{request.origin}{P}/repos/{repo.name}"

    def entry(file_path: str, kind: str) -> dict[str, Any]:
        return {
            "type": kind,
            "name": file_path.rsplit("/", 1)[-1],
            "path": file_path,
            "sha": "0" * 40,
            "url": f"{api}/contents/{file_path}?ref={commit.sha}",
            "html_url": f"{request.origin}/{repo.name}/blob/{commit.sha}/{file_path}",
            "git_url": None,
            "download_url": None,
        }

    if path in commit.files:
        data = commit.files[path].encode()
        sha = forge.objects.blob(data)
        too_large = len(data) > forge.contents_size_limit
        return Response(
            200,
            {
                **entry(path, "file"),
                "sha": sha,
                "size": len(data),
                "git_url": f"{api}/git/blobs/{sha}",
                "encoding": "none" if too_large else "base64",
                "content": "" if too_large else base64.encodebytes(data).decode(),
            },
        )
    children = sorted(
        {f[len(path) + 1 :].split("/")[0] for f in commit.files if f.startswith(path + "/")}
    )
    if not children:
        return error(404, NOT_FOUND)
    return Response(
        200,
        [
            entry(f"{path}/{child}", "file" if f"{path}/{child}" in commit.files else "dir")
            for child in children
        ],
    )


ROUTES: list[Route] = [
    ("GET", P + "/user", get_user),
    ("GET", P + "/app", get_app),
    ("POST", P + r"/app/installations/(?P<installation>\d+)/access_tokens", create_access_token),
    ("GET", REPO + "/installation", get_installation),
    ("GET", REPO, github_pulls.get_repo),
    ("GET", REPO + r"/pulls/(?P<number>\d+)", github_pulls.get_pull),
    ("GET", REPO + r"/pulls/(?P<number>\d+)/files", github_pulls.list_pull_files),
    ("POST", REPO + r"/pulls/(?P<number>\d+)/reviews", github_pulls.create_review),
    ("GET", REPO + r"/pulls/(?P<number>\d+)/comments", github_pulls.list_review_comments),
    ("GET", REPO + r"/issues/(?P<number>\d+)/comments", github_pulls.list_comments),
    ("POST", REPO + r"/issues/(?P<number>\d+)/comments", github_pulls.create_comment),
    ("PATCH", REPO + r"/issues/comments/(?P<comment>\d+)", github_pulls.edit_comment),
    ("POST", REPO + r"/statuses/(?P<sha>[0-9a-f]+)", create_status),
    ("POST", REPO + "/check-runs", create_check_run),
    ("GET", REPO + r"/collaborators/(?P<user>[^/]+)/permission", get_permission),
    ("GET", REPO + r"/git/trees/(?P<ref>[^/]+)", get_tree),
    ("GET", REPO + r"/git/blobs/(?P<sha>[0-9a-f]+)", get_blob),
    ("GET", REPO + r"/contents/(?P<path>.*)", get_contents),
]
