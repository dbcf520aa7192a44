"""Who is calling the GitHub face, and the repository or pull request a path names.

Tokens are checked like GitHub does: a personal token, an App installation token (expiring,
limited to the installation's repositories), or the App's JWT for the App endpoints.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import jwt

from tests.fakeforge.server import Request, Response, error
from tests.fakeforge.state import FakePull, FakeRepository

if TYPE_CHECKING:
    from tests.fakeforge.forge import FakeForge

__all__ = [
    "API",
    "NOT_FOUND",
    "app_jwt_refusal",
    "caller_of",
    "find_pull",
    "find_repository",
    "now",
    "repo_json",
    "user_json",
]

API = "/api/v3"
NOT_FOUND = "Not Found"
P = API


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def user_json(origin: str, forge: FakeForge, login: str) -> dict[str, Any]:
    return {
        "login": login,
        "id": forge.users.get(login, 0),
        "node_id": f"U_{login}",
        "type": "Bot" if login.endswith("[bot]") else "User",
        "site_admin": False,
        "url": f"{origin}{P}/users/{login}",
        "html_url": f"{origin}/{login}",
    }


def repo_json(origin: str, forge: FakeForge, repo: FakeRepository) -> dict[str, Any]:
    return {
        "id": repo.id,
        "node_id": f"R_{repo.id}",
        "name": repo.name.split("/")[1],
        "full_name": repo.name,
        "owner": user_json(origin, forge, repo.owner),
        "private": True,
        "html_url": f"{origin}/{repo.name}",
        "url": f"{origin}{P}/repos/{repo.name}",
        "default_branch": repo.default_branch,
    }


# -- authentication --------------------------------------------------------------------------


def caller_of(
    forge: FakeForge, request: Request, repo: FakeRepository | None = None
) -> str | Response:
    """The login behind a token (or an App installation token), else a 401/404 to send."""
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "token":
        return error(401, "Bad credentials")
    login = forge.tokens["github"].get(credential)
    if login is not None:
        return login
    installation = forge.installation_tokens.get(credential)
    if installation is None or installation[1] < time.time():
        return error(401, "Bad credentials")
    if repo is not None and repo.installation_id != installation[0]:
        return error(404, NOT_FOUND)  # the token does not reach this repository
    return f"{forge.app_slug}[bot]"


def app_jwt_refusal(forge: FakeForge, request: Request) -> Response | None:
    """None when the request carries a valid JWT of the App, else the 401 to send."""
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or forge.app_public_key is None:
        return error(401, "A JSON web token could not be decoded")
    try:
        claims = jwt.decode(credential, forge.app_public_key, algorithms=["RS256"])
    except jwt.PyJWTError as problem:
        return error(401, f"'Expiration time' claim ('exp') is invalid: {problem}")
    if str(claims.get("iss")) != str(forge.app_id):
        return error(401, "Integration not found")
    return None


def find_repository(
    forge: FakeForge, request: Request, params: dict[str, str]
) -> tuple[FakeRepository, str] | Response:
    repo = forge.find_repository("github", f"{params['owner']}/{params['name']}")
    caller = caller_of(forge, request, repo)
    if isinstance(caller, Response):
        return caller
    if repo is None:
        return error(404, NOT_FOUND)
    return repo, caller


def find_pull(
    forge: FakeForge, request: Request, params: dict[str, str]
) -> tuple[FakeRepository, FakePull, str] | Response:
    found = find_repository(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, caller = found
    pull = repo.pulls.get(int(params["number"]))
    return error(404, NOT_FOUND) if pull is None else (repo, pull, caller)
