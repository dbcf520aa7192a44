"""GitLab adapter writes against the fake forge: positioned discussions, the summary note
edited in place, commit statuses."""

from __future__ import annotations

import dataclasses

import pytest

from app.forges.base import CommitStatus, InlineComment, PullRequest
from app.forges.gitlab import GitLab
from tests.fakeforge import FakeForge

REPO = "group/shop"
MARKER = "<!-- schemabot:summary -->"
OLD_SQL = "".join(f"-- line {n}\n" for n in range(1, 21))
# Two lines replace line 10: new 10-11 are added; new 12 is the old line 11 (context).
NEW_SQL = OLD_SQL.replace("-- line 10\n", "CREATE INDEX a ON t (c);\nCREATE INDEX b ON t (d);\n")


@pytest.fixture
def pull(fake_forge: FakeForge, gitlab: GitLab) -> PullRequest:
    fake_forge.add_repository(REPO, forge="gitlab")
    fake_forge.add_pull_request(
        REPO,
        {
            "migrations/001.sql": (OLD_SQL, NEW_SQL),
            "migrations/002.sql": (None, "CREATE TABLE t (id int);\n"),
            "migrations/renamed.sql": ("SELECT 1;\n", "SELECT 1;\nSELECT 2;\n"),
        },
        forge="gitlab",
        renamed={"migrations/renamed.sql": "migrations/before.sql"},
    )
    read = gitlab.pull_request(REPO, 1)
    fake_forge.clear_requests()
    return read


def positions(fake_forge: FakeForge) -> list[dict[str, object]]:
    return [r.body["position"] for r in fake_forge.requests("POST", "/discussions")]


def test_discussions_carry_positions_for_added_and_context_lines(
    fake_forge: FakeForge, gitlab: GitLab, pull: PullRequest
) -> None:
    added = InlineComment("migrations/001.sql", 11, "Create the index CONCURRENTLY")
    context = InlineComment("migrations/001.sql", 12, "On an unchanged line")
    new_file = InlineComment("migrations/002.sql", 1, "Name the primary key")
    renamed = InlineComment("migrations/renamed.sql", 2, "In a renamed file")
    outside = InlineComment("migrations/001.sql", 2, "Not in the diff")

    review = gitlab.post_review(pull, [added, context, outside, new_file, renamed])

    assert review.posted == (added, context, new_file, renamed)
    assert review.refused == (outside,)
    refs = {"base_sha": pull.base_sha, "start_sha": pull.start_sha, "head_sha": pull.head_sha}
    common = {"position_type": "text", **refs}
    assert positions(fake_forge) == [
        {
            **common,
            "new_path": "migrations/001.sql",
            "old_path": "migrations/001.sql",
            "new_line": 11,
        },
        {
            **common,
            "new_path": "migrations/001.sql",
            "old_path": "migrations/001.sql",
            "new_line": 12,
            "old_line": 11,
        },
        {
            **common,
            "new_path": "migrations/002.sql",
            "old_path": "migrations/002.sql",
            "new_line": 1,
        },
        {
            **common,
            "new_path": "migrations/renamed.sql",
            "old_path": "migrations/before.sql",
            "new_line": 2,
        },
    ]
    assert [r.body["body"] for r in fake_forge.requests("POST", "/discussions")] == [
        "Create the index CONCURRENTLY",
        "On an unchanged line",
        "Name the primary key",
        "In a renamed file",
    ]
    assert len(fake_forge.discussions(REPO, 1)) == 4
    # The merge request was not read again: the diff refs came with the PullRequest. Read:
    # its diffs, the bot's name and the notes (a comment the bot posted already is not posted).
    assert [r.path.split("?")[0] for r in fake_forge.requests("GET")] == [
        "/api/v4/projects/group%2Fshop/merge_requests/1/diffs",
        "/api/v4/user",
        "/api/v4/projects/group%2Fshop/merge_requests/1/notes",
    ]


def test_a_comment_the_bot_posted_already_is_counted_posted_not_posted_again(
    fake_forge: FakeForge, gitlab: GitLab, pull: PullRequest
) -> None:
    first = InlineComment("migrations/001.sql", 11, "Create the index CONCURRENTLY")
    second = InlineComment("migrations/001.sql", 12, "On an unchanged line")
    assert gitlab.post_review(pull, [first]).posted == (first,)
    # Someone else's note with the very text of the second comment does not count.
    for n in range(120):  # the bot's note is found past the first page
        fake_forge.add_comment(REPO, 1, f"note {n}", forge="gitlab", author="alice")
    fake_forge.add_comment(REPO, 1, "On an unchanged line", forge="gitlab", author="eve")

    review = gitlab.post_review(pull, [first, second])

    assert review.posted == (first, second) and review.refused == ()
    bodies = [r.body["body"] for r in fake_forge.requests("POST", "/discussions")]
    assert bodies == ["Create the index CONCURRENTLY", "On an unchanged line"]


def test_a_discussion_whose_answer_was_lost_is_not_posted_again(
    fake_forge: FakeForge, gitlab: GitLab, pull: PullRequest
) -> None:
    fake_forge.fail_next("/merge_requests/1/discussions", status=502, lost_answer=True)
    comment = InlineComment("migrations/001.sql", 11, "Create the index CONCURRENTLY")
    assert gitlab.post_review(pull, [comment]).posted == (comment,)
    assert len(fake_forge.requests("POST", "/discussions")) == 1
    assert len(fake_forge.discussions(REPO, 1)) == 1


def test_a_multi_line_comment_is_placed_on_its_last_line(
    fake_forge: FakeForge, gitlab: GitLab, pull: PullRequest
) -> None:
    comment = InlineComment("migrations/001.sql", 11, "Both indexes", start_line=10)
    assert gitlab.post_review(pull, [comment]).posted == (comment,)
    assert positions(fake_forge)[0]["new_line"] == 11


def test_a_400_for_one_discussion_refuses_only_that_one(
    fake_forge: FakeForge, gitlab: GitLab, pull: PullRequest
) -> None:
    fake_forge.repository(REPO, forge="gitlab").pulls[1].unresolvable.add(
        ("migrations/001.sql", 12)
    )
    comments = [InlineComment("migrations/001.sql", line, f"on {line}") for line in (10, 12, 13)]

    review = gitlab.post_review(pull, comments)

    assert review.posted == (comments[0], comments[2])
    assert review.refused == (comments[1],)
    assert [r.status for r in fake_forge.requests("POST", "/discussions")] == [201, 400, 201]


def test_a_pull_request_without_diff_refs_is_read_again(
    fake_forge: FakeForge, gitlab: GitLab, pull: PullRequest
) -> None:
    bare = dataclasses.replace(pull, start_sha=None)  # as a webhook payload would give it
    review = gitlab.post_review(bare, [InlineComment("migrations/002.sql", 1, "x")])
    assert len(review.posted) == 1
    reads = [r.path for r in fake_forge.requests("GET")]
    assert reads[0] == "/api/v4/projects/group%2Fshop/merge_requests/1"


def test_upsert_creates_then_edits_the_same_note(
    fake_forge: FakeForge, gitlab: GitLab, pull: PullRequest
) -> None:
    first = gitlab.upsert_comment(REPO, 1, marker=MARKER, body=f"{MARKER}\n3 problems")
    second = gitlab.upsert_comment(REPO, 1, marker=MARKER, body=f"{MARKER}\nall fixed")

    (note,) = fake_forge.comments(REPO, 1, forge="gitlab")
    assert note["body"] == f"{MARKER}\nall fixed"
    assert note["author"] == FakeForge.BOT
    assert first == second == f"{fake_forge.url}/{REPO}/-/merge_requests/1#note_{note['id']}"
    writes = [(r.method, r.path) for r in fake_forge.requests() if r.method != "GET"]
    assert writes == [
        ("POST", "/api/v4/projects/group%2Fshop/merge_requests/1/notes"),
        ("PUT", f"/api/v4/projects/group%2Fshop/merge_requests/1/notes/{note['id']}"),
    ]


def test_upsert_finds_its_note_past_the_first_page_among_others(
    fake_forge: FakeForge, gitlab: GitLab, pull: PullRequest
) -> None:
    for n in range(120):
        fake_forge.add_comment(REPO, 1, f"note {n}", forge="gitlab", author="alice")
    system = fake_forge.add_comment(
        REPO, 1, f"changed the description {MARKER}", forge="gitlab", author="bob", system=True
    )
    quoted = fake_forge.add_comment(REPO, 1, f"> {MARKER}", forge="gitlab", author="eve")
    ours = gitlab.upsert_comment(REPO, 1, marker=MARKER, body=f"{MARKER}\nfirst")
    fake_forge.clear_requests()

    again = gitlab.upsert_comment(REPO, 1, marker=MARKER, body=f"{MARKER}\nsecond")

    assert again == ours
    assert len(fake_forge.requests("GET", "/merge_requests/1/notes")) == 2
    assert [r.method for r in fake_forge.requests() if r.method != "GET"] == ["PUT"]
    assert system["body"] == f"changed the description {MARKER}"
    assert quoted["body"] == f"> {MARKER}"
    assert len(fake_forge.comments(REPO, 1, forge="gitlab")) == 123


def test_reply_posts_a_new_note(fake_forge: FakeForge, gitlab: GitLab, pull: PullRequest) -> None:
    gitlab.reply(REPO, 1, "Approved.")
    gitlab.reply(REPO, 1, "Approved.")
    assert [n["body"] for n in fake_forge.comments(REPO, 1, forge="gitlab")] == ["Approved."] * 2


@pytest.mark.parametrize(
    ("state", "sent"),
    [("pending", "pending"), ("success", "success"), ("failure", "failed"), ("error", "failed")],
)
def test_set_status_maps_the_state(
    fake_forge: FakeForge, gitlab: GitLab, pull: PullRequest, state: str, sent: str
) -> None:
    status = CommitStatus(state, "schemabot/lint", "2 problems", "https://bot.example/r/1")  # type: ignore[arg-type]
    gitlab.set_status(REPO, pull.head_sha, status)
    (post,) = fake_forge.requests("POST")
    assert post.path == f"/api/v4/projects/group%2Fshop/statuses/{pull.head_sha}"
    assert post.body == {
        "state": sent,
        "name": "schemabot/lint",
        "description": "2 problems",
        "target_url": "https://bot.example/r/1",
    }


def test_setting_the_state_a_status_already_has_is_not_an_error(
    fake_forge: FakeForge, gitlab: GitLab, pull: PullRequest
) -> None:
    pending = CommitStatus("pending", "schemabot/lint", "linting")
    gitlab.set_status(REPO, pull.head_sha, pending)
    gitlab.set_status(REPO, pull.head_sha, pending)
    gitlab.set_status(REPO, pull.head_sha, CommitStatus("success", "schemabot/lint", "clean"))
    assert [r.status for r in fake_forge.requests("POST")] == [201, 400, 201]
    (stored,) = fake_forge.statuses(REPO, forge="gitlab")
    assert stored["status"] == "success"


def test_a_long_status_description_is_cut_to_255(
    fake_forge: FakeForge, gitlab: GitLab, pull: PullRequest
) -> None:
    gitlab.set_status(REPO, pull.head_sha, CommitStatus("failure", "schemabot/lint", "z" * 400))
    (stored,) = fake_forge.statuses(REPO, forge="gitlab")
    assert len(stored["description"]) == 255
    assert stored["description"].endswith("…")
