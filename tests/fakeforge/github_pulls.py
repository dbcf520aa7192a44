"""Pull requests on the GitHub face: the pull, its files (paginated, real patches), reviews
refused whole when one comment is off the diff, and issue comments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.fakeforge.github_access import (
    API,
    NOT_FOUND,
    find_pull,
    find_repository,
    now,
    repo_json,
    user_json,
)
from tests.fakeforge.server import Request, Response, error, paginate
from tests.fakeforge.state import FakePull, FakeRepository, diff_lines, next_id

if TYPE_CHECKING:
    from tests.fakeforge.forge import FakeForge

P = API
#: GitHub refuses bodies of comments and reviews longer than this.
MAX_BODY = 65_536


def _pull_json(
    origin: str, forge: FakeForge, repo: FakeRepository, pull: FakePull
) -> dict[str, Any]:
    api = f"{origin}{P}/repos/{repo.name}"
    head_repo = repo_json(origin, forge, repo)
    if pull.fork:
        head_repo = {**head_repo, "id": repo.id + 1, "full_name": pull.fork}
        head_repo["name"] = pull.fork.split("/")[1]
    head_owner = (pull.fork or repo.name).split("/")[0]
    return {
        "url": f"{api}/pulls/{pull.number}",
        "id": pull.number + repo.id,
        "node_id": f"PR_{pull.number}",
        "number": pull.number,
        "state": "open" if pull.state == "open" else "closed",
        "locked": False,
        "title": pull.title,
        "body": "",
        "user": user_json(origin, forge, pull.author),
        "html_url": f"{origin}/{repo.name}/pull/{pull.number}",
        "diff_url": f"{origin}/{repo.name}/pull/{pull.number}.diff",
        "patch_url": f"{origin}/{repo.name}/pull/{pull.number}.patch",
        "issue_url": f"{api}/issues/{pull.number}",
        "commits_url": f"{api}/pulls/{pull.number}/commits",
        "review_comments_url": f"{api}/pulls/{pull.number}/comments",
        "comments_url": f"{api}/issues/{pull.number}/comments",
        "statuses_url": f"{api}/statuses/{pull.head_sha}",
        "head": {
            "label": f"{head_owner}:{pull.head_branch}",
            "ref": pull.head_branch,
            "sha": pull.head_sha,
            "user": user_json(origin, forge, head_owner),
            "repo": head_repo,
        },
        "base": {
            "label": f"{repo.owner}:{pull.base_branch}",
            "ref": pull.base_branch,
            "sha": pull.base_sha,
            "user": user_json(origin, forge, repo.owner),
            "repo": repo_json(origin, forge, repo),
        },
        "merged": pull.merged,
        "mergeable": True,
        "merge_commit_sha": pull.merge_sha,
        "draft": False,
        "changed_files": len(pull.changes),
        "created_at": now(),
        "updated_at": now(),
    }


def get_repo(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_repository(forge, request, params)
    if isinstance(found, Response):
        return found
    return Response(200, repo_json(request.origin, forge, found[0]))


def get_pull(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_pull(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, pull, _ = found
    return Response(200, _pull_json(request.origin, forge, repo, pull))


def list_pull_files(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_pull(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, pull, _ = found
    files = []
    for change in pull.changes[:3000]:  # GitHub lists at most 3,000 files
        item = {
            "sha": "0" * 40,
            "filename": change.path,
            "status": change.status,
            "additions": change.patch.count("\n+"),
            "deletions": change.patch.count("\n-"),
            "changes": 0,
            "blob_url": f"{request.origin}/{repo.name}/blob/{pull.head_sha}/{change.path}",
            "raw_url": f"{request.origin}/{repo.name}/raw/{pull.head_sha}/{change.path}",
            "contents_url": f"{request.origin}{P}/repos/{repo.name}/contents/{change.path}",
            "patch": change.patch,
        }
        if change.previous_path:
            item["previous_filename"] = change.previous_path
        files.append(item)
    return paginate(request, files, style="github")


def _review_problem(pull: FakePull, comment: dict[str, Any]) -> str | None:
    change = pull.change(str(comment.get("path")))
    if change is None:
        return "Path could not be resolved"
    body = comment.get("body")
    if not isinstance(body, str) or not body:
        return "Body can't be blank"
    if len(body) > MAX_BODY:
        return f"Body is too long (maximum is {MAX_BODY} characters)"
    shown = diff_lines(change.patch)
    if "line" not in comment:
        position = comment.get("position")
        lines = change.patch.count("\n") + 1
        return (
            None
            if isinstance(position, int) and 1 <= position <= lines
            else "Line could not be resolved"
        )
    if comment.get("side", "RIGHT") != "RIGHT":
        return "the fake forge only knows RIGHT-side comments"
    line = comment["line"]
    if line not in shown or (change.path, line) in pull.unresolvable:
        return "Line could not be resolved"
    if "start_line" in comment:
        start = comment["start_line"]
        if comment.get("start_side", "RIGHT") != "RIGHT" or start not in shown:
            return "Start line could not be resolved"
        if start >= line or shown[start][0] != shown[line][0]:
            return "start_line must precede line in the same hunk"
    return None


def create_review(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_pull(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, pull, caller = found
    data = request.body if isinstance(request.body, dict) else {}
    event, body = data.get("event"), data.get("body") or ""
    if event in ("COMMENT", "REQUEST_CHANGES") and not body:
        return error(422, "Unprocessable Entity", errors=["Body is required for this event"])
    if len(body) > MAX_BODY:
        return error(422, "Unprocessable Entity", errors=["Body is too long"])
    commit_id = data.get("commit_id", pull.head_sha)
    if commit_id not in repo.commits:
        return error(
            422, "Unprocessable Entity", errors=["commit_id is not part of the pull request"]
        )
    comments = data.get("comments") or []
    for comment in comments:
        problem = _review_problem(pull, comment)
        if problem is not None:
            # All or nothing, and without saying which comment: as GitHub does.
            return error(422, "Unprocessable Entity", errors=[problem])
    review = {
        "id": next_id(),
        "body": body,
        "event": event,
        "commit_id": commit_id,
        "comments": comments,
        "user": caller,
    }
    pull.reviews.append(review)
    web = f"{request.origin}/{repo.name}/pull/{pull.number}"
    return Response(
        200,
        {
            "id": review["id"],
            "node_id": f"PRR_{review['id']}",
            "user": user_json(request.origin, forge, caller),
            "body": body,
            "state": {"COMMENT": "COMMENTED", "APPROVE": "APPROVED"}.get(str(event), "PENDING"),
            "html_url": f"{web}#pullrequestreview-{review['id']}",
            "pull_request_url": f"{request.origin}{P}/repos/{repo.name}/pulls/{pull.number}",
            "commit_id": commit_id,
            "submitted_at": now(),
        },
    )


# -- issue comments --------------------------------------------------------------------------


def _comment_json(
    origin: str, forge: FakeForge, repo: FakeRepository, pull: FakePull, comment: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": comment["id"],
        "node_id": f"IC_{comment['id']}",
        "url": f"{origin}{P}/repos/{repo.name}/issues/comments/{comment['id']}",
        "html_url": f"{origin}/{repo.name}/pull/{pull.number}#issuecomment-{comment['id']}",
        "issue_url": f"{origin}{P}/repos/{repo.name}/issues/{pull.number}",
        "body": comment["body"],
        "user": user_json(origin, forge, comment["author"]),
        "author_association": "NONE",
        "created_at": comment["created_at"],
        "updated_at": comment["updated_at"],
    }


def _body_problem(body: Any) -> Response | None:
    if not isinstance(body, str) or not body:
        return error(422, "Validation Failed", errors=[{"field": "body", "code": "missing_field"}])
    if len(body) > MAX_BODY:
        message = f"body is too long (maximum is {MAX_BODY} characters)"
        return error(
            422,
            "Validation Failed",
            errors=[{"field": "body", "code": "custom", "message": message}],
        )
    return None


def list_review_comments(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    """The comments of every review on the pull request, oldest first."""
    found = find_pull(forge, request, params)
    if isinstance(found, Response):
        return found
    _, pull, _ = found
    items = [
        {
            "id": review["id"] * 1000 + index,
            "pull_request_review_id": review["id"],
            "body": comment.get("body"),
            "path": comment.get("path"),
            "line": comment.get("line"),
            "commit_id": review["commit_id"],
            "user": user_json(request.origin, forge, review["user"]),
        }
        for review in pull.reviews
        for index, comment in enumerate(review["comments"])
    ]
    return paginate(request, items, style="github")


def list_comments(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_pull(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, pull, _ = found
    items = [_comment_json(request.origin, forge, repo, pull, c) for c in pull.comments]
    return paginate(request, items, style="github")


def create_comment(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_pull(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, pull, caller = found
    body = (request.body or {}).get("body")
    problem = _body_problem(body)
    if problem is not None:
        return problem
    comment = {
        "id": next_id(),
        "body": body,
        "author": caller,
        "created_at": now(),
        "updated_at": now(),
    }
    pull.comments.append(comment)
    return Response(201, _comment_json(request.origin, forge, repo, pull, comment))


def edit_comment(forge: FakeForge, request: Request, params: dict[str, str]) -> Response:
    found = find_repository(forge, request, params)
    if isinstance(found, Response):
        return found
    repo, caller = found
    for pull in repo.pulls.values():
        for comment in pull.comments:
            if comment["id"] == int(params["comment"]):
                if comment["author"] != caller:
                    return error(403, "You cannot edit someone else's comment")
                body = (request.body or {}).get("body")
                problem = _body_problem(body)
                if problem is not None:
                    return problem
                comment["body"], comment["updated_at"] = body, now()
                return Response(200, _comment_json(request.origin, forge, repo, pull, comment))
    return error(404, NOT_FOUND)
