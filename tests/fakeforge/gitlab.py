"""The GitLab face of the fake forge, under ``/api/v4``.

Projects are found by URL-encoded path (``group%2Fshop``) or id. Answers carry the fields
python-gitlab reads, and refuse what GitLab refuses: a discussion positioned off the diff or
with the wrong diff refs (400), a status posted in the state it already has (400).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.fakeforge import gitlab_merge_requests as mrs
from tests.fakeforge.gitlab_access import caller_of, find_project, now, user_json
from tests.fakeforge.server import Request, Response, Route, error, paginate
from tests.fakeforge.state import FakeRepository, next_id

if TYPE_CHECKING:
    from tests.fakeforge.forge import FakeForge

__all__ = ["ROUTES"]

P = "/api/v4"
PROJECT = P + r"/projects/(?P<project>[^/]+)"
MR = PROJECT + r"/merge_requests/(?P<iid>\d+)"
MAX_DESCRIPTION = 255
#: The state-machine event GitLab fires to reach each status state.
EVENT = {"pending": "enqueue", "running": "run", "success": "succeed", "failed": "drop"}
#: Which events each unfinished state accepts; finished states start a new status.
ALLOWED = {
    "pending": {"run", "succeed", "drop", "cancel"},
    "running": {"succeed", "drop", "cancel"},
}


# -- users and projects ----------------------------------------------------------------------


def get_user(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    caller = caller_of(forge, request)
    if isinstance(caller, Response):
        return caller
    return Response(200, {**user_json(request.origin, forge, caller), "is_admin": False})


def list_users(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    caller = caller_of(forge, request)
    if isinstance(caller, Response):
        return caller
    wanted = request.query.get("username")
    found = [user_json(request.origin, forge, name) for name in forge.users if name == wanted]
    return paginate(request, found, style="gitlab")


def _project_json(origin: str, repo: FakeRepository) -> dict[str, Any]:
    namespace, _, path = repo.name.rpartition("/")
    return {
        "id": repo.id,
        "name": path,
        "path": path,
        "path_with_namespace": repo.name,
        "name_with_namespace": repo.name.replace("/", " / "),
        "web_url": f"{origin}/{repo.name}",
        "default_branch": repo.default_branch,
        "visibility": "private",
        "namespace": {"id": 1, "name": namespace, "path": namespace, "full_path": namespace},
    }


def get_project(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_project(forge, request, params)
    if isinstance(found, Response):
        return found
    return Response(200, _project_json(request.origin, found[0]))


# -- statuses, members, repository -----------------------------------------------------------


def create_status(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_project(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, caller = found
    data = {**request.query, **(request.body if isinstance(request.body, dict) else {})}
    sha = params["sha"]
    if sha not in repo.commits:
        return error(404, "404 Commit Not Found")
    state = data.get("state")
    if state not in ("pending", "running", "success", "failed", "canceled", "skipped"):
        return error(400, "state does not have a valid value")
    description = data.get("description") or ""
    if len(description) > MAX_DESCRIPTION:
        too_long = ["is too long (maximum is 255 characters)"]
        return Response(400, {"message": {"description": too_long}})
    name = data.get("name") or data.get("context") or "default"
    previous = [s for s in repo.statuses if s["sha"] == sha and s["name"] == name]
    if previous and previous[-1]["status"] in ALLOWED:
        event = EVENT.get(state, "cancel")
        if event not in ALLOWED[previous[-1]["status"]]:
            old = previous[-1]["status"]
            return error(
                400,
                f"Cannot transition status via :{event} from :{old} (Reason(s): Status cannot"
                f' transition via "{event}")',
            )
        previous[-1].update(
            status=state, description=description, target_url=data.get("target_url")
        )
        status = previous[-1]
    else:
        status = {
            "id": next_id(),
            "sha": sha,
            "name": name,
            "status": state,
            "description": description,
            "target_url": data.get("target_url"),
            "author": caller,
        }
        repo.statuses.append(status)
    return Response(
        201,
        {
            **{
                key: status[key]
                for key in ("id", "sha", "name", "status", "description", "target_url")
            },
            "ref": data.get("ref"),
            "created_at": now(),
            "started_at": None,
            "finished_at": None,
            "allow_failure": False,
            "coverage": None,
            "author": user_json(request.origin, forge, caller),
        },
    )


def get_member(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_project(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, _ = found
    username = next((name for name, uid in forge.users.items() if uid == int(params["user"])), None)
    if username is None or username not in repo.access_levels:
        return error(404, "404 Not found")
    return Response(
        200,
        {
            **user_json(request.origin, forge, username),
            "access_level": repo.access_levels[username],
            "expires_at": None,
        },
    )


def get_tree(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_project(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, _ = found
    commit = repo.resolve(request.query.get("ref") or repo.default_branch)
    if commit is None:
        return error(404, "404 Tree Not Found")
    path = request.query.get("path", "").strip("/")
    recursive = request.query.get("recursive") in ("true", "True", "1")
    entries = forge.objects.walk(commit.tree) if recursive else forge.objects.trees[commit.tree]
    if path:
        if not any(
            e["path"] == path and e["type"] == "tree" for e in forge.objects.walk(commit.tree)
        ):
            return error(404, "404 Tree Not Found")
        prefix = path + "/"
        entries = [e for e in forge.objects.walk(commit.tree) if e["path"].startswith(prefix)]
        if not recursive:
            entries = [e for e in entries if "/" not in e["path"][len(prefix) :]]
    items = [
        {
            "id": e["sha"],
            "name": e["path"].rsplit("/", 1)[-1],
            "type": e["type"],
            "path": e["path"],
            "mode": e["mode"],
        }
        for e in entries
    ]
    return paginate(request, items, style="gitlab")


def get_raw_file(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_project(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, _ = found
    commit = repo.resolve(request.query.get("ref") or repo.default_branch)
    if commit is None:
        return error(404, "404 Commit Not Found")
    text = commit.files.get(params["path"])
    if text is None:
        return error(404, "404 File Not Found")
    return Response(200, text.encode(), {"Content-Type": "text/plain; charset=utf-8"})


ROUTES: list[Route] = [
    ("GET", P + "/user", get_user),
    ("GET", P + "/users", list_users),
    ("GET", PROJECT, get_project),
    ("GET", MR, mrs.get_merge_request),
    ("GET", MR + "/diffs", mrs.list_diffs),
    ("POST", MR + "/discussions", mrs.create_discussion),
    ("GET", MR + "/notes", mrs.list_notes),
    ("POST", MR + "/notes", mrs.create_note),
    ("PUT", MR + r"/notes/(?P<note>\d+)", mrs.edit_note),
    ("POST", PROJECT + r"/statuses/(?P<sha>[0-9a-f]+)", create_status),
    ("GET", PROJECT + r"/members/all/(?P<user>\d+)", get_member),
    ("GET", PROJECT + "/repository/tree", get_tree),
    ("GET", PROJECT + r"/repository/files/(?P<path>[^/]+)/raw", get_raw_file),
]
