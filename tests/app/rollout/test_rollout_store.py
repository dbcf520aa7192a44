"""The rollout rows in the state store: one per commit, the lease, and the compare-and-set
that keeps a wake-up from being lost — on SQLite and on PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from app.store import Store
from app.store.rollout_records import now
from tests.app.rollout.conftest import Target

LEASE = timedelta(seconds=30)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_target: Callable[[], Target]
) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path}/state.db" if request.param == "sqlite" else postgres_target().url
    store = Store(url)
    store.upgrade()
    yield store
    store.close()


def create(store: Store, sha: str = "a" * 40, number: int | None = None) -> int:
    rollout, _ = store.rollouts.create(
        forge="github",
        repository="acme/shop",
        commit_sha=sha,
        branch="main",
        environments=["staging", "production"],
        pull_number=number,
        trigger="test",
    )
    return rollout.id


def test_one_rollout_per_commit_and_the_pull_request_is_learned_later(store: Store) -> None:
    first, change = store.rollouts.create(
        forge="github",
        repository="acme/shop",
        commit_sha="a" * 40,
        branch="main",
        environments=["staging", "production"],
        pull_number=None,
        trigger="push to main",
    )
    assert change == "created"
    again, change = store.rollouts.create(
        forge="github",
        repository="acme/shop",
        commit_sha="a" * 40,
        branch="main",
        environments=["staging", "production"],
        pull_number=7,
        trigger="pull request #7 merged",
    )
    assert (again.id, again.pull_number, again.trigger, change) == (
        first.id,
        7,
        "push to main",
        "attached",
    )
    _, change = store.rollouts.create(
        forge="github",
        repository="acme/shop",
        commit_sha="a" * 40,
        branch="main",
        environments=["staging"],
        pull_number=7,
        trigger="pull request #7 merged",
    )
    assert change is None
    assert [s.environment for s in store.rollouts.steps(first.id)] == ["staging", "production"]
    assert store.rollouts.for_pull_request("github", "acme/shop", 7) == store.rollouts.get(first.id)


def test_a_live_lease_is_exclusive_and_an_expired_one_is_taken_over(store: Store) -> None:
    rollout_id = create(store)
    assert store.rollouts.acquire(rollout_id, holder="one", ttl=timedelta(seconds=1)) is not None
    assert store.rollouts.acquire(rollout_id, holder="two", ttl=LEASE) is None
    time.sleep(1.1)  # "one" stopped renewing
    taken = store.rollouts.acquire(rollout_id, holder="two", ttl=LEASE)
    assert taken is not None and taken.lease_holder == "two"
    # The old holder finds out at its next renewal, and can change nothing any more.
    assert store.rollouts.renew(rollout_id, holder="one", ttl=LEASE) is None
    assert not store.rollouts.update(rollout_id, holder="one", status="failed")
    assert not store.rollouts.update_step(rollout_id, "staging", holder="one", status="failed")
    assert store.rollouts.update_step(rollout_id, "staging", holder="two", status="running")
    assert store.rollouts.renew(rollout_id, holder="two", ttl=LEASE) is not None


def test_parking_fails_when_a_wake_up_came_since_the_rollout_was_read(store: Store) -> None:
    rollout_id = create(store)
    read = store.rollouts.acquire(rollout_id, holder="job", ttl=LEASE)
    assert read is not None
    # An approval arrives while the job decides to wait for one.
    assert store.rollouts.wake(rollout_id) == read.wakes + 1
    parked = store.rollouts.update(
        rollout_id,
        holder="job",
        expect_wakes=read.wakes,
        release=True,
        status="waiting",
        waiting_for="approval",
    )
    assert not parked
    again = store.rollouts.get(rollout_id)
    assert again is not None
    assert (again.status, again.lease_holder) == ("queued", "job"), "still held: look again"
    assert store.rollouts.update(
        rollout_id,
        holder="job",
        expect_wakes=again.wakes,
        release=True,
        status="waiting",
        waiting_for="approval",
    )
    parked_record = store.rollouts.get(rollout_id)
    assert parked_record is not None and parked_record.lease_holder is None


def test_changes_from_outside_are_compare_and_set_on_the_status(store: Store) -> None:
    rollout_id = create(store)
    before = store.rollouts.get(rollout_id)
    assert before is not None
    assert store.rollouts.change_status(rollout_id, when=("failed",), status="queued") is None
    changed = store.rollouts.change_status(
        rollout_id, when=("queued", "waiting"), status="cancelled", cancel_requested_by="dev"
    )
    assert changed is not None
    assert (changed.status, changed.wakes) == ("cancelled", before.wakes + 1)


def test_a_sweep_finds_dead_holders_and_waits_that_are_over_once_per_round(store: Store) -> None:
    dead, soaking, approving = (
        create(store, "a" * 40),
        create(store, "b" * 40),
        create(store, "c" * 40),
    )
    store.rollouts.acquire(dead, holder="killed", ttl=timedelta(milliseconds=200))
    store.rollouts.update(dead, holder="killed", status="running")
    past = now() - timedelta(seconds=1)
    for rollout_id, waiting_for, until in ((soaking, "soak", past), (approving, "approval", None)):
        store.rollouts.acquire(rollout_id, holder="job", ttl=LEASE)
        store.rollouts.update(
            rollout_id,
            holder="job",
            release=True,
            status="waiting",
            waiting_for=waiting_for,
            wait_until=until,
        )
    time.sleep(0.3)
    throttle = timedelta(seconds=5)
    assert store.rollouts.due(throttle=throttle) == [dead, soaking]
    assert store.rollouts.wake(dead, throttle=throttle) is not None
    assert store.rollouts.wake(dead, throttle=throttle) is None, "another process woke it"
    assert store.rollouts.due(throttle=throttle) == [soaking]
