"""Merge requests on the GitLab face: the merge request with its diff refs, its diffs
(paginated, real patches), positioned discussions checked against the diff, and notes."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from tests.fakeforge.gitlab_access import find_merge_request, now, user_json
from tests.fakeforge.server import Request, Response, error, paginate
from tests.fakeforge.state import FakePull, FakeRepository, diff_lines, next_id

if TYPE_CHECKING:
    from tests.fakeforge.forge import FakeForge

MAX_NOTE = 1_000_000
#: What GitLab answers for a position it cannot place on the diff.
BAD_POSITION = (
    '400 Bad request - Note {:line_code=>["can\'t be blank", "must be a valid line code"]}'
)


def get_merge_request(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_merge_request(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, pull, _ = found
    source = forge.find_repository("gitlab", pull.fork) if pull.fork else repo
    state = "merged" if pull.merged else ("opened" if pull.state == "open" else "closed")
    return Response(
        200,
        {
            "id": repo.id * 1000 + pull.number,
            "iid": pull.number,
            "project_id": repo.id,
            "title": pull.title,
            "description": "",
            "state": state,
            "draft": False,
            "author": user_json(request.origin, forge, pull.author),
            "source_branch": pull.head_branch,
            "target_branch": pull.base_branch,
            "source_project_id": source.id if source else 0,
            "target_project_id": repo.id,
            "sha": pull.head_sha,
            "merge_commit_sha": pull.merge_sha,
            "squash_commit_sha": None,
            "web_url": f"{request.origin}/{repo.name}/-/merge_requests/{pull.number}",
            "diff_refs": {
                "base_sha": pull.base_sha,
                "head_sha": pull.head_sha,
                "start_sha": pull.start_sha,
            },
            "detailed_merge_status": "mergeable",
            "created_at": now(),
            "updated_at": now(),
        },
    )


def list_diffs(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_merge_request(forge, request, params)
    if isinstance(found, Response):
        return found
    _, pull, _ = found
    diffs = [
        {
            "old_path": change.previous_path or change.path,
            "new_path": change.path,
            "a_mode": "0" if change.status == "added" else "100644",
            "b_mode": "0" if change.status == "removed" else "100644",
            "new_file": change.status == "added",
            "renamed_file": change.status == "renamed",
            "deleted_file": change.status == "removed",
            "generated_file": False,
            "diff": change.patch + "\n" if change.patch else "",
        }
        for change in pull.changes
    ]
    return paginate(request, diffs, style="gitlab")


def _note_json(
    origin: str, forge: FakeForge, repo: FakeRepository, pull: FakePull, note: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": note["id"],
        "type": "DiffNote" if note.get("position") else None,
        "body": note["body"],
        "attachment": None,
        "author": user_json(origin, forge, note["author"]),
        "created_at": note["created_at"],
        "updated_at": note["updated_at"],
        "system": note.get("system", False),
        "noteable_id": repo.id * 1000 + pull.number,
        "noteable_type": "MergeRequest",
        "noteable_iid": pull.number,
        "resolvable": bool(note.get("position")),
        "confidential": False,
        "internal": False,
        **({"position": note["position"]} if note.get("position") else {}),
    }


def _position_problem(pull: FakePull, position: dict[str, Any]) -> str | None:
    if position.get("position_type") != "text":
        return "400 Bad request - position_type must be text"
    refs = (position.get("base_sha"), position.get("start_sha"), position.get("head_sha"))
    if refs != (pull.base_sha, pull.start_sha, pull.head_sha):
        return BAD_POSITION  # refs of no diff version of this merge request
    change = pull.change(str(position.get("new_path")))
    if change is None or position.get("old_path") != (change.previous_path or change.path):
        return BAD_POSITION
    shown = diff_lines(change.patch)
    new_line = position.get("new_line")
    if new_line not in shown or (change.path, new_line) in pull.unresolvable:
        return BAD_POSITION
    expected_old = shown[new_line][1]
    if position.get("old_line") != expected_old:
        return BAD_POSITION  # added lines take no old_line; context lines need the right one
    return None


def create_discussion(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_merge_request(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, pull, caller = found
    data = request.body if isinstance(request.body, dict) else {}
    body = data.get("body")
    if not isinstance(body, str) or not body or len(body) > MAX_NOTE:
        return error(400, '400 Bad request - Note {:note=>["is too long or blank"]}')
    position = data.get("position")
    if position is not None:
        problem = _position_problem(pull, position)
        if problem is not None:
            return error(400, problem)
    note = {
        "id": next_id(),
        "body": body,
        "author": caller,
        "created_at": now(),
        "updated_at": now(),
        "position": position,
    }
    pull.comments.append(note)
    discussion_id = hashlib.sha1(str(note["id"]).encode()).hexdigest()
    pull.discussions.append(
        {"id": discussion_id, "body": body, "position": position, "note_id": note["id"]}
    )
    return Response(
        201,
        {
            "id": discussion_id,
            "individual_note": False,
            "notes": [_note_json(request.origin, forge, repo, pull, note)],
        },
    )


def list_notes(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_merge_request(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, pull, _ = found
    notes = sorted(pull.comments, key=lambda note: note["id"])
    if request.query.get("sort", "desc") == "desc":
        notes.reverse()
    items = [_note_json(request.origin, forge, repo, pull, note) for note in notes]
    return paginate(request, items, style="gitlab")


def create_note(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_merge_request(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, pull, caller = found
    body = (request.body or {}).get("body")
    if not isinstance(body, str) or not body or len(body) > MAX_NOTE:
        return error(400, '400 Bad request - Note {:note=>["is too long or blank"]}')
    note = {
        "id": next_id(),
        "body": body,
        "author": caller,
        "created_at": now(),
        "updated_at": now(),
    }
    pull.comments.append(note)
    return Response(201, _note_json(request.origin, forge, repo, pull, note))


def edit_note(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_merge_request(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, pull, caller = found
    note = next((n for n in pull.comments if n["id"] == int(params["note"])), None)
    if note is None:
        return error(404, "404 Not found")
    if note["author"] != caller:
        return error(403, "403 Forbidden")
    body = (request.body or {}).get("body")
    if not isinstance(body, str) or not body or len(body) > MAX_NOTE:
        return error(400, '400 Bad request - Note {:note=>["is too long or blank"]}')
    note["body"], note["updated_at"] = body, now()
    return Response(200, _note_json(request.origin, forge, repo, pull, note))
