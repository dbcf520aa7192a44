"""Who is calling the GitLab face (``PRIVATE-TOKEN``), and the project or merge request a
path names (a project by URL-encoded path or by id)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tests.fakeforge.server import Request, Response, error
from tests.fakeforge.state import FakePull, FakeRepository

if TYPE_CHECKING:
    from tests.fakeforge.forge import FakeForge

__all__ = ["caller_of", "find_merge_request", "find_project", "now", "user_json"]


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def user_json(origin: str, forge: FakeForge, username: str) -> dict[str, Any]:
    return {
        "id": forge.users.get(username, 0),
        "username": username,
        "name": username.title(),
        "state": "blocked" if username in forge.blocked else "active",
        "avatar_url": None,
        "web_url": f"{origin}/{username}",
    }


def caller_of(forge: FakeForge, request: Request) -> str | Response:
    username = forge.tokens["gitlab"].get(request.headers.get("private-token", ""))
    return username if username is not None else error(401, "401 Unauthorized")


def find_project(
    forge: FakeForge, request: Request, params: dict[str, str]
) -> tuple[FakeRepository, str] | Response:
    caller = caller_of(forge, request)
    if isinstance(caller, Response):
        return caller
    repo = forge.find_repository("gitlab", params["project"])
    return (repo, caller) if repo is not None else error(404, "404 Project Not Found")


def find_merge_request(
    forge: FakeForge, request: Request, params: dict[str, str]
) -> tuple[FakeRepository, FakePull, str] | Response:
    found = find_project(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, caller = found
    pull = repo.pulls.get(int(params["iid"]))
    return (repo, pull, caller) if pull is not None else error(404, "404 Not found")
