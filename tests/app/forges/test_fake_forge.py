"""The fake forge refuses what the real forges refuse, seen through the bare clients.

The adapters' tests rely on these refusals: a fake that accepted everything would let an
adapter that sends comments off the diff, or GitLab positions without ``old_line``, pass.
"""

from __future__ import annotations

import gitlab
import pytest
import requests
from github import Auth, Github, GithubException

from tests.fakeforge import FakeForge

OLD = "".join(f"-- {n}\n" for n in range(1, 11))
NEW = OLD.replace("-- 5\n", "SELECT 5;\n")
FILES: dict[str, tuple[str | None, str | None]] = {
    "a.sql": (OLD, NEW),
    "b.sql": (None, "SELECT 1;\n"),
    "c.sql": (None, "SELECT 2;\n"),
}


@pytest.fixture
def pygithub(fake_forge: FakeForge) -> Github:
    fake_forge.add_repository("octo/shop", forge="github")
    fake_forge.add_pull_request("octo/shop", FILES, forge="github")
    return Github(
        auth=Auth.Token(FakeForge.GITHUB_TOKEN),
        base_url=fake_forge.github_url,
        retry=0,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


@pytest.fixture
def python_gitlab(fake_forge: FakeForge) -> gitlab.Gitlab:
    fake_forge.add_repository("group/shop", forge="gitlab")
    fake_forge.add_pull_request("group/shop", FILES, forge="gitlab")
    return gitlab.Gitlab(fake_forge.gitlab_url, private_token=FakeForge.GITLAB_TOKEN)


def test_a_review_with_one_comment_off_the_diff_is_refused_whole(
    fake_forge: FakeForge, pygithub: Github
) -> None:
    pull = pygithub.get_repo("octo/shop").get_pull(1)
    comments = [
        {"path": "a.sql", "body": "in the diff", "line": 5, "side": "RIGHT"},
        {"path": "a.sql", "body": "not in the diff", "line": 1, "side": "RIGHT"},
    ]
    with pytest.raises(GithubException) as raised:
        pull.create_review(body="r", event="COMMENT", comments=comments)  # type: ignore[arg-type]
    assert raised.value.status == 422
    assert fake_forge.reviews("octo/shop", 1) == []

    pull.create_review(body="r", event="COMMENT", comments=comments[:1])  # type: ignore[arg-type]
    assert len(fake_forge.reviews("octo/shop", 1)) == 1


def test_a_range_across_hunks_or_a_missing_body_is_refused(pygithub: Github) -> None:
    pull = pygithub.get_repo("octo/shop").get_pull(1)
    ranged = {"path": "a.sql", "body": "x", "line": 5, "side": "RIGHT", "start_line": 1}
    with pytest.raises(GithubException, match="422"):
        pull.create_review(body="r", event="COMMENT", comments=[ranged])  # type: ignore[list-item]
    fine = {"path": "a.sql", "body": "x", "line": 5, "side": "RIGHT"}
    with pytest.raises(GithubException, match="422"):
        pull.create_review(event="COMMENT", comments=[fine])  # type: ignore[list-item]


def test_a_bad_token_is_refused(fake_forge: FakeForge) -> None:
    fake_forge.add_repository("octo/shop", forge="github")
    client = Github(auth=Auth.Token("wrong"), base_url=fake_forge.github_url, retry=0)
    with pytest.raises(GithubException) as raised:
        client.get_repo("octo/shop").get_pull(1).title  # noqa: B018
    assert raised.value.status == 401


def test_a_context_line_needs_its_old_line_on_gitlab(
    fake_forge: FakeForge, python_gitlab: gitlab.Gitlab
) -> None:
    pull = fake_forge.repository("group/shop", forge="gitlab").pulls[1]
    mr = python_gitlab.projects.get("group/shop", lazy=True).mergerequests.get(1, lazy=True)
    position = {
        "position_type": "text",
        "base_sha": pull.base_sha,
        "start_sha": pull.start_sha,
        "head_sha": pull.head_sha,
        "new_path": "a.sql",
        "old_path": "a.sql",
        "new_line": 6,  # "-- 6", unchanged
    }
    with pytest.raises(gitlab.GitlabCreateError) as raised:
        mr.discussions.create({"body": "x", "position": position})
    assert raised.value.response_code == 400

    mr.discussions.create({"body": "x", "position": {**position, "old_line": 6}})
    with pytest.raises(gitlab.GitlabCreateError):  # an added line takes no old_line
        mr.discussions.create({"body": "x", "position": {**position, "new_line": 5, "old_line": 5}})
    with pytest.raises(gitlab.GitlabCreateError):  # refs of no diff version
        mr.discussions.create({"body": "x", "position": {**position, "head_sha": "0" * 40}})
    assert len(fake_forge.discussions("group/shop", 1)) == 1


def test_pagination_headers_look_like_each_forge(
    fake_forge: FakeForge, pygithub: Github, python_gitlab: gitlab.Gitlab
) -> None:
    github_files = f"{fake_forge.github_url}/repos/octo/shop/pulls/1/files"
    github_auth = {"Authorization": f"token {FakeForge.GITHUB_TOKEN}"}
    one_page = requests.get(github_files, headers=github_auth, timeout=5)
    assert "Link" not in one_page.headers  # GitHub sends none for a single page
    first = requests.get(github_files, params={"per_page": 1}, headers=github_auth, timeout=5)
    assert len(first.json()) == 1
    assert first.links["next"]["url"].endswith("/pulls/1/files?per_page=1&page=2")
    assert first.links["last"]["url"].endswith("/pulls/1/files?per_page=1&page=3")
    last = requests.get(first.links["last"]["url"], headers=github_auth, timeout=5)
    assert [f["filename"] for f in last.json()] == ["c.sql"]
    assert "next" not in last.links

    diffs = f"{fake_forge.url}/api/v4/projects/group%2Fshop/merge_requests/1/diffs"
    gitlab_auth = {"PRIVATE-TOKEN": FakeForge.GITLAB_TOKEN}
    page = requests.get(diffs, params={"per_page": 2}, headers=gitlab_auth, timeout=5)
    assert len(page.json()) == 2
    assert (page.headers["x-page"], page.headers["x-per-page"]) == ("1", "2")
    assert (page.headers["x-total"], page.headers["x-total-pages"]) == ("3", "2")
    assert page.headers["x-next-page"] == "2"
    assert page.links["next"]["url"].endswith("/diffs?per_page=2&page=2")
    last = requests.get(page.links["next"]["url"], headers=gitlab_auth, timeout=5)
    assert (last.headers["x-next-page"], last.headers["x-prev-page"]) == ("", "1")
    assert [d["new_path"] for d in last.json()] == ["c.sql"]
