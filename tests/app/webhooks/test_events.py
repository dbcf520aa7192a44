"""GitHub and GitLab payloads read into forge-neutral events; malformed ones named."""

from __future__ import annotations

from typing import Any

import pytest

from app.webhooks import (
    Ignored,
    PayloadError,
    Ping,
    PullRequestChanged,
    PullRequestMerged,
    parse_json,
    read_github_event,
    read_gitlab_event,
)
from app.webhooks.payload import optional
from tests.app.webhooks.payloads import github_pull_request, gitlab_merge_request

HEAD = "1" * 40


@pytest.mark.parametrize("action", ["opened", "reopened", "synchronize", "ready_for_review"])
def test_github_actions_that_change_the_code_to_review(action: str) -> None:
    payload = github_pull_request(action=action, number=12, head_sha=HEAD, base_branch="main")
    event = read_github_event("pull_request", payload)
    assert event == PullRequestChanged(
        forge="github",
        name="pull_request",
        repository="acme/shop",
        number=12,
        head_sha=HEAD,
        base_branch="main",
        action=action,
        from_fork=False,
    )


def test_github_retargeted_pull_request_is_reviewed_again() -> None:
    payload = github_pull_request(
        action="edited", base_branch="release", changes={"base": {"ref": {"from": "main"}}}
    )
    event = read_github_event("pull_request", payload)
    assert isinstance(event, PullRequestChanged)
    assert event.base_branch == "release"


def test_github_title_edit_needs_nothing() -> None:
    payload = github_pull_request(action="edited", changes={"title": {"from": "WIP"}})
    assert read_github_event("pull_request", payload) == Ignored(
        "github", "pull_request", "only the title or description was edited"
    )


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        ("labeled", "pull_request action labeled needs no review"),
        ("closed", "pull request closed without merging"),
        ("review_requested", "pull_request action review_requested needs no review"),
    ],
)
def test_github_actions_that_need_nothing(action: str, reason: str) -> None:
    event = read_github_event("pull_request", github_pull_request(action=action))
    assert event == Ignored("github", "pull_request", reason)


def test_github_merged_pull_request() -> None:
    event = read_github_event("pull_request", github_pull_request(action="closed", merged=True))
    assert isinstance(event, PullRequestMerged)
    assert event.merge_sha == "c" * 40


def test_github_fork_is_noticed() -> None:
    payload = github_pull_request(head_repository="mallory/shop")
    event = read_github_event("pull_request", payload)
    assert isinstance(event, PullRequestChanged) and event.from_fork


def test_github_deleted_fork_counts_as_fork() -> None:
    payload = github_pull_request()
    payload["pull_request"]["head"]["repo"] = None
    event = read_github_event("pull_request", payload)
    assert isinstance(event, PullRequestChanged) and event.from_fork


def test_github_ping_and_other_events() -> None:
    assert read_github_event("ping", {"zen": "Keep it logically awesome.", "hook_id": 1}) == Ping(
        "github", "ping"
    )
    assert read_github_event("issues", {"action": "opened"}) == Ignored(
        "github", "issues", "issues events are not used"
    )


def _without(payload: dict[str, Any], path: str) -> dict[str, Any]:
    *parents, last = path.split(".")
    node = payload
    for part in parents:
        node = node[part]
    del node[last]
    return payload


@pytest.mark.parametrize(
    "path",
    ["pull_request.head.sha", "pull_request.number", "pull_request.base.ref",
     "repository.full_name", "action"],
)  # fmt: skip
def test_github_missing_field_is_named(path: str) -> None:
    payload = _without(github_pull_request(), path)
    with pytest.raises(PayloadError, match=rf"^{path.replace('.', '[.]')} is missing$"):
        read_github_event("pull_request", payload)


def test_github_mistyped_field_is_named() -> None:
    payload = github_pull_request()
    payload["pull_request"]["number"] = "7"
    with pytest.raises(PayloadError, match=r'^pull_request\.number: expected a number, got "7"$'):
        read_github_event("pull_request", payload)
    payload["pull_request"]["number"] = True
    with pytest.raises(PayloadError, match=r"expected a number, got true"):
        read_github_event("pull_request", payload)


@pytest.mark.parametrize("action", ["open", "reopen"])
def test_gitlab_opened_merge_request(action: str) -> None:
    payload = gitlab_merge_request(action=action, iid=3, head_sha=HEAD, base_branch="main")
    assert read_gitlab_event("Merge Request Hook", payload) == PullRequestChanged(
        forge="gitlab",
        name="Merge Request Hook",
        repository="acme/shop",
        number=3,
        head_sha=HEAD,
        base_branch="main",
        action=action,
        from_fork=False,
    )


def test_gitlab_update_with_new_commits_is_reviewed() -> None:
    payload = gitlab_merge_request(action="update", oldrev="0" * 40)
    assert isinstance(read_gitlab_event("Merge Request Hook", payload), PullRequestChanged)


def test_gitlab_retarget_is_reviewed() -> None:
    changes = {"target_branch": {"previous": "main", "current": "release"}}
    payload = gitlab_merge_request(action="update", base_branch="release", changes=changes)
    event = read_gitlab_event("Merge Request Hook", payload)
    assert isinstance(event, PullRequestChanged) and event.base_branch == "release"


def test_gitlab_update_without_commits_needs_nothing() -> None:
    payload = gitlab_merge_request(action="update", changes={"title": {"previous": "a"}})
    assert read_gitlab_event("Merge Request Hook", payload) == Ignored(
        "gitlab", "Merge Request Hook", "merge request updated without new commits"
    )


@pytest.mark.parametrize("action", ["close", "approved", "unapproved", "approval"])
def test_gitlab_actions_that_need_nothing(action: str) -> None:
    event = read_gitlab_event("Merge Request Hook", gitlab_merge_request(action=action))
    assert isinstance(event, Ignored) and action in event.reason


def test_gitlab_merge_and_fork() -> None:
    merged = read_gitlab_event("Merge Request Hook", gitlab_merge_request(action="merge"))
    assert isinstance(merged, PullRequestMerged)
    fork = gitlab_merge_request(source_project_id=99, target_project_id=15)
    event = read_gitlab_event("Merge Request Hook", fork)
    assert isinstance(event, PullRequestChanged) and event.from_fork


def test_gitlab_other_hooks_are_ignored() -> None:
    assert read_gitlab_event("Push Hook", {"object_kind": "push"}) == Ignored(
        "gitlab", "Push Hook", "Push Hook events are not used"
    )


@pytest.mark.parametrize(
    "path",
    ["object_attributes.last_commit.id", "object_attributes.iid", "project.path_with_namespace",
     "object_attributes.target_branch", "object_attributes.action"],
)  # fmt: skip
def test_gitlab_missing_field_is_named(path: str) -> None:
    payload = _without(gitlab_merge_request(), path)
    with pytest.raises(PayloadError, match=rf"^{path.replace('.', '[.]')} is missing$"):
        read_gitlab_event("Merge Request Hook", payload)


def test_json_is_read_as_json_reads_it_including_what_simdjson_refuses() -> None:
    # A lone surrogate escape: not valid Unicode, refused by simdjson, accepted by json.
    assert parse_json(b'{"title": "\\ud83d cut emoji", "n": 1}') == {
        "title": "\ud83d cut emoji",
        "n": 1,
    }
    # An integer beyond 64 bits.
    big = parse_json(b'{"n": 123456789012345678901234567890}')
    assert optional(big, "n", int) == 123456789012345678901234567890
    with pytest.raises(PayloadError, match=r"^the body is not valid JSON: Expecting"):
        parse_json(b'{"title": ')
    with pytest.raises(PayloadError, match=r"^the body is not valid JSON: .*utf-8"):
        parse_json(b'{"title": "\xff"}')
    with pytest.raises(PayloadError, match=r"^the body is not valid JSON: maximum recursion"):
        parse_json(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(PayloadError, match=r"^the body is not a JSON object$"):
        parse_json(b'"text"')


def test_fields_read_from_the_parsed_document_are_plain_python_values() -> None:
    payload = parse_json(b'{"a": {"b": [1, {"c": true}], "s": "x", "f": 1.5, "n": null}}')
    assert optional(payload, "a", dict) == {"b": [1, {"c": True}], "s": "x", "f": 1.5, "n": None}
    assert type(optional(payload, "a", dict)) is dict
    assert optional(payload, "a.b", list) == [1, {"c": True}]
    assert optional(payload, "a.s", str) == "x" and optional(payload, "a.n", str) is None
    assert optional(payload, "a.b.c", bool) is None  # not an object on the way: absent
    with pytest.raises(PayloadError, match=r'^a.s: expected a number, got "x"$'):
        optional(payload, "a.s", int)
    with pytest.raises(PayloadError, match=r'^a: expected a string, got \{"b": \[1, \{"c": true'):
        optional(payload, "a", str)
