"""GitHub adapter writes against the fake forge: one review with line/side comments, the 422
fallback, the summary comment edited in place, commit statuses."""

from __future__ import annotations

import pytest

from app.forges.base import CommitStatus, InlineComment, PullRequest
from app.forges.github import MAX_COMMENT_LENGTH, REVIEW_BODY, GitHub
from tests.fakeforge import FakeForge

REPO = "octo/shop"
MARKER = "<!-- schemabot:summary -->"

OLD_SQL = "".join(f"-- line {n}\n" for n in range(1, 21))
# Line 10 changes; lines 7-9 and 11-13 are the context GitHub shows around it.
NEW_SQL = OLD_SQL.replace("-- line 10\n", "CREATE INDEX ix ON t (c);\n")
ADDED_SQL = "CREATE TABLE t (\n  id int\n);\n"


@pytest.fixture
def pull(fake_forge: FakeForge, github: GitHub) -> PullRequest:
    fake_forge.add_repository(REPO, forge="github")
    fake_forge.add_pull_request(
        REPO,
        {"migrations/001.sql": (OLD_SQL, NEW_SQL), "migrations/002.sql": (None, ADDED_SQL)},
        forge="github",
    )
    read = github.pull_request(REPO, 1)
    fake_forge.clear_requests()
    return read


def test_post_review_sends_one_review_with_line_and_side(
    fake_forge: FakeForge, github: GitHub, pull: PullRequest
) -> None:
    added = InlineComment("migrations/002.sql", 1, "Name the primary key")
    changed = InlineComment("migrations/001.sql", 10, "Create the index CONCURRENTLY")
    context = InlineComment("migrations/001.sql", 12, "On a context line")
    spanning = InlineComment("migrations/002.sql", 3, "The whole statement", start_line=1)
    outside = InlineComment("migrations/001.sql", 2, "Not in the diff")
    unchanged_file = InlineComment("migrations/000.sql", 1, "Not in the pull request")

    review = github.post_review(pull, [added, changed, outside, context, spanning, unchanged_file])

    assert review.posted == (added, changed, context, spanning)
    assert review.refused == (outside, unchanged_file)
    posts = fake_forge.requests("POST", forge="github")
    assert [post.path for post in posts] == ["/api/v3/repos/octo/shop/pulls/1/reviews"]
    assert posts[0].body == {
        "body": REVIEW_BODY,
        "event": "COMMENT",
        "commit_id": pull.head_sha,
        "comments": [
            {
                "path": "migrations/002.sql",
                "body": "Name the primary key",
                "line": 1,
                "side": "RIGHT",
            },
            {
                "path": "migrations/001.sql",
                "body": "Create the index CONCURRENTLY",
                "line": 10,
                "side": "RIGHT",
            },
            {
                "path": "migrations/001.sql",
                "body": "On a context line",
                "line": 12,
                "side": "RIGHT",
            },
            {
                "path": "migrations/002.sql",
                "body": "The whole statement",
                "line": 3,
                "side": "RIGHT",
                "start_line": 1,
                "start_side": "RIGHT",
            },
        ],
    }
    assert len(fake_forge.reviews(REPO, 1)) == 1
    # Reads before the write: the changed files, no lookups of the commit or the pull request.
    assert [r.path for r in fake_forge.requests("GET")] == ["/api/v3/repos/octo/shop/pulls/1/files"]


def test_a_range_outside_one_hunk_becomes_a_comment_on_its_last_line(
    fake_forge: FakeForge, github: GitHub, pull: PullRequest
) -> None:
    comment = InlineComment("migrations/001.sql", 10, "From line 2 to 10", start_line=2)
    review = github.post_review(pull, [comment])
    assert review.posted == (InlineComment("migrations/001.sql", 10, "From line 2 to 10"),)
    sent = fake_forge.requests("POST", "/reviews")[0].body["comments"][0]
    assert "start_line" not in sent


def test_nothing_commentable_means_no_write(
    fake_forge: FakeForge, github: GitHub, pull: PullRequest
) -> None:
    outside = InlineComment("migrations/001.sql", 1, "Not in the diff")
    review = github.post_review(pull, [outside])
    assert review.posted == ()
    assert review.refused == (outside,)
    assert fake_forge.requests("POST") == []


def test_a_422_review_is_split_until_the_refused_comment_is_alone(
    fake_forge: FakeForge, github: GitHub, pull: PullRequest
) -> None:
    comments = [InlineComment("migrations/001.sql", line, f"on {line}") for line in range(7, 14)]
    # GitHub refuses line 12 although the patch shows it (its diff moved on, say).
    fake_forge.repository(REPO, forge="github").pulls[1].unresolvable.add(
        ("migrations/001.sql", 12)
    )

    review = github.post_review(pull, comments)

    assert review.refused == (comments[5],)
    assert review.posted == tuple(comments[:5] + comments[6:])
    reviewed = [c["line"] for r in fake_forge.reviews(REPO, 1) for c in r["comments"]]
    assert sorted(reviewed) == [7, 8, 9, 10, 11, 13]  # each accepted comment exactly once
    attempts = fake_forge.requests("POST", "/reviews")
    assert len(attempts) < len(comments) + 1  # halving, not one write per comment
    assert [a.status for a in attempts].count(422) >= 2


def test_a_review_whose_answer_was_lost_is_not_posted_again(
    fake_forge: FakeForge, github: GitHub, pull: PullRequest
) -> None:
    # GitHub made the review, but its answer never arrived: the retry finds it made.
    fake_forge.fail_next("/pulls/1/reviews", status=502, method="POST", lost_answer=True)
    comment = InlineComment("migrations/001.sql", 11, "Create the index CONCURRENTLY")
    assert github.post_review(pull, [comment]).posted == (comment,)
    assert len(fake_forge.requests("POST", "/pulls/1/reviews")) == 1
    assert len(fake_forge.reviews(REPO, 1)) == 1
    assert len(fake_forge.requests("GET", "/pulls/1/comments")) == 1


def test_a_review_that_failed_is_posted_by_the_retry(
    fake_forge: FakeForge, github: GitHub, pull: PullRequest
) -> None:
    fake_forge.fail_next("/pulls/1/reviews", status=502, method="POST")
    comment = InlineComment("migrations/001.sql", 11, "Create the index CONCURRENTLY")
    assert github.post_review(pull, [comment]).posted == (comment,)
    assert len(fake_forge.requests("POST", "/pulls/1/reviews")) == 2
    assert [r["comments"][0]["body"] for r in fake_forge.reviews(REPO, 1)] == [comment.body]


def test_a_review_refused_for_another_reason_than_422_is_an_error(
    fake_forge: FakeForge, github: GitHub, pull: PullRequest
) -> None:
    fake_forge.fail_next("/reviews", status=404, body={"message": "Not Found"})
    with pytest.raises(Exception, match="404"):
        github.post_review(pull, [InlineComment("migrations/002.sql", 1, "x")])


def test_upsert_creates_then_edits_the_same_comment(
    fake_forge: FakeForge, github: GitHub, pull: PullRequest
) -> None:
    first = github.upsert_comment(REPO, 1, marker=MARKER, body=f"{MARKER}\n3 problems")
    second = github.upsert_comment(REPO, 1, marker=MARKER, body=f"{MARKER}\nall fixed")

    assert first == second
    comments = fake_forge.comments(REPO, 1, forge="github")
    assert [c["body"] for c in comments] == [f"{MARKER}\nall fixed"]
    assert comments[0]["author"] == FakeForge.BOT
    assert first.endswith(f"#issuecomment-{comments[0]['id']}")
    writes = [(r.method, r.path) for r in fake_forge.requests() if r.method != "GET"]
    assert writes == [
        ("POST", "/api/v3/repos/octo/shop/issues/1/comments"),
        ("PATCH", f"/api/v3/repos/octo/shop/issues/comments/{comments[0]['id']}"),
    ]


def test_upsert_with_the_same_text_writes_nothing(
    fake_forge: FakeForge, github: GitHub, pull: PullRequest
) -> None:
    github.upsert_comment(REPO, 1, marker=MARKER, body=f"{MARKER}\nsame")
    github.upsert_comment(REPO, 1, marker=MARKER, body=f"{MARKER}\nsame")
    assert len([r for r in fake_forge.requests() if r.method != "GET"]) == 1


def test_upsert_finds_its_comment_past_the_first_page_and_ignores_quotes(
    fake_forge: FakeForge, github: GitHub, pull: PullRequest
) -> None:
    for n in range(150):
        fake_forge.add_comment(REPO, 1, f"comment {n}", forge="github", author="alice")
    quoted = fake_forge.add_comment(REPO, 1, f"> {MARKER} quoted", forge="github", author="eve")
    ours = github.upsert_comment(REPO, 1, marker=MARKER, body=f"{MARKER}\nfirst")
    fake_forge.clear_requests()

    again = github.upsert_comment(REPO, 1, marker=MARKER, body=f"{MARKER}\nsecond")

    assert again == ours
    pages = fake_forge.requests("GET", "/issues/1/comments")
    assert len(pages) == 2
    assert [r.method for r in fake_forge.requests() if r.method != "GET"] == ["PATCH"]
    assert quoted["body"] == f"> {MARKER} quoted"  # someone else's comment is left alone
    assert len(fake_forge.comments(REPO, 1, forge="github")) == 152


def test_a_body_over_the_limit_is_cut_with_a_note_and_keeps_its_marker(
    fake_forge: FakeForge, github: GitHub, pull: PullRequest
) -> None:
    body = "x" * 70_000 + MARKER
    github.upsert_comment(REPO, 1, marker=MARKER, body=body)
    (stored,) = fake_forge.comments(REPO, 1, forge="github")
    assert len(stored["body"]) <= MAX_COMMENT_LENGTH
    assert "truncated" in stored["body"]
    assert MARKER in stored["body"]
    # Found again by the marker: the next run edits, it does not post a second summary.
    github.upsert_comment(REPO, 1, marker=MARKER, body=body + "!")
    assert len(fake_forge.comments(REPO, 1, forge="github")) == 1


def test_reply_posts_a_new_comment(
    fake_forge: FakeForge, github: GitHub, pull: PullRequest
) -> None:
    github.reply(REPO, 1, "Approved for staging.")
    github.reply(REPO, 1, "Approved for staging.")
    assert [c["body"] for c in fake_forge.comments(REPO, 1, forge="github")] == [
        "Approved for staging."
    ] * 2


@pytest.mark.parametrize("state", ["pending", "success", "failure", "error"])
def test_set_status_posts_a_commit_status(
    fake_forge: FakeForge, github: GitHub, pull: PullRequest, state: str
) -> None:
    status = CommitStatus(state, "schemabot/lint", "2 problems", "https://bot.example/r/1")  # type: ignore[arg-type]
    github.set_status(REPO, pull.head_sha, status)
    (post,) = fake_forge.requests("POST")
    assert post.path == f"/api/v3/repos/octo/shop/statuses/{pull.head_sha}"
    assert post.body == {
        "state": state,
        "context": "schemabot/lint",
        "description": "2 problems",
        "target_url": "https://bot.example/r/1",
    }
    assert fake_forge.statuses(REPO, forge="github")[-1]["state"] == state


def test_a_long_status_description_is_cut_to_140(
    fake_forge: FakeForge, github: GitHub, pull: PullRequest
) -> None:
    github.set_status(REPO, pull.head_sha, CommitStatus("failure", "schemabot/lint", "y" * 300))
    (stored,) = fake_forge.statuses(REPO, forge="github")
    assert len(stored["description"]) == 140
    assert stored["description"].endswith("…")
    assert "target_url" not in fake_forge.requests("POST")[0].body
