"""Reviews and comment claims in the state store, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.store import CommentClaim, PullRequestRef, Store

PR = PullRequestRef("github", "acme/shop", 7)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/state.db"
    else:
        url = request.getfixturevalue("postgres_url")
    store = Store(url)
    store.upgrade()
    yield store
    store.close()


def test_a_review_is_found_again_by_its_commits(store: Store) -> None:
    first = store.reviews.start(PR, head_sha="h1", base_sha="b1")
    store.reviews.finish(first, state="failure", description="1 error", findings=[{"rule": "x"}])
    again = store.reviews.start(PR, head_sha="h1", base_sha="b1")
    assert again == first
    record = store.reviews.get(first)
    assert record is not None
    # Found again means running again, with what the last run stored until it finishes.
    assert (record.state, record.findings) == ("running", [{"rule": "x"}])
    retargeted = store.reviews.start(PR, head_sha="h1", base_sha="b2")
    pushed = store.reviews.start(PR, head_sha="h2", base_sha="b1")
    other = store.reviews.start(
        PullRequestRef("gitlab", "acme/shop", 7), head_sha="h1", base_sha="b1"
    )
    assert len({first, retargeted, pushed, other}) == 4
    assert [r.id for r in store.reviews.of_pull_request(PR)] == [first, retargeted, pushed]


def test_finish_keeps_what_it_is_not_given(store: Store) -> None:
    review = store.reviews.start(PR, head_sha="h1", base_sha="b1")
    store.reviews.finish(
        review,
        state="failure",
        description="2 errors",
        findings=[{"rule": "a"}],
        files=["db/V1__a.sql"],
        summary_url="https://example/1",
    )
    store.reviews.finish(review, state="error", description="could not finish", error="boom")
    record = store.reviews.get(review)
    assert record is not None
    assert (record.state, record.error, record.files, record.summary_url) == (
        "error",
        "boom",
        ["db/V1__a.sql"],
        "https://example/1",
    )
    assert store.reviews.get(review + 1000) is None


def _claims(*fingerprints: str) -> list[CommentClaim]:
    return [CommentClaim(fp, "db/V1__a.sql", 3, "rule-x") for fp in fingerprints]


def test_a_fingerprint_is_claimed_once_per_pull_request(store: Store) -> None:
    review = store.reviews.start(PR, head_sha="h1", base_sha="b1")
    assert store.reviews.claim_comments(PR, review_id=review, claims=_claims("f1", "f2")) == {
        "f1",
        "f2",
    }
    assert store.reviews.claim_comments(PR, review_id=review, claims=_claims("f2", "f3")) == {"f3"}
    other = PullRequestRef("github", "acme/shop", 8)
    assert store.reviews.claim_comments(other, review_id=review, claims=_claims("f1")) == {"f1"}
    assert store.reviews.commented(PR) == {"f1", "f2", "f3"}
    store.reviews.release_comments(PR, ["f2", "missing"])
    store.reviews.release_comments(PR, [])
    assert store.reviews.commented(PR) == {"f1", "f3"}
    assert store.reviews.commented(other) == {"f1"}


def test_concurrent_claims_give_each_fingerprint_to_one_caller(store: Store) -> None:
    review = store.reviews.start(PR, head_sha="h1", base_sha="b1")
    fingerprints = [f"f{i}" for i in range(40)]
    won: list[set[str]] = []
    barrier = threading.Barrier(4)

    def claim() -> None:
        barrier.wait()
        won.append(
            store.reviews.claim_comments(PR, review_id=review, claims=_claims(*fingerprints))
        )

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(fp for claimed in won for fp in claimed) == sorted(fingerprints)
