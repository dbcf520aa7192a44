"""The state store on SQLite and on PostgreSQL: schema upgrades, dedupe, jobs, audit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.store import Store, StoreUnavailable


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/state/schemabot.db"
    else:
        url = request.getfixturevalue("postgres_url")
    store = Store(url)
    store.upgrade()
    yield store
    store.close()


def test_upgrade_is_idempotent(store: Store) -> None:
    store.upgrade()
    store.upgrade()
    store.ping()


def test_a_delivery_is_recorded_once(store: Store) -> None:
    assert store.deliveries.record(forge="github", key="hook-1:abc", event="pull_request")
    assert not store.deliveries.record(forge="github", key="hook-1:abc", event="pull_request")
    assert store.deliveries.record(forge="github", key="hook-2:abc", event="pull_request")
    assert store.deliveries.record(forge="gitlab", key="hook-1:abc", event="pull_request")


def test_a_forgotten_delivery_is_new_again(store: Store) -> None:
    assert store.deliveries.record(forge="github", key="hook-1:abc", event="pull_request")
    assert store.deliveries.record(forge="gitlab", key="hook-1:abc", event="pull_request")
    store.deliveries.forget(forge="github", key="hook-1:abc")
    store.deliveries.forget(forge="github", key="never-seen")  # nothing to undo: no error
    assert store.deliveries.record(forge="github", key="hook-1:abc", event="pull_request")
    # Only that forge's delivery was forgotten.
    assert not store.deliveries.record(forge="gitlab", key="hook-1:abc", event="pull_request")


def test_a_job_id_is_queued_once_and_claimed_once(store: Store) -> None:
    assert store.jobs.add(job_id="review:1", kind="review", payload={"n": 1}, max_tries=3)
    assert not store.jobs.add(job_id="review:1", kind="review", payload={"n": 2}, max_tries=3)
    claimed = store.jobs.claim_next()
    assert claimed is not None
    assert (claimed.id, claimed.payload, claimed.attempts) == ("review:1", {"n": 1}, 1)
    assert store.jobs.claim_next() is None
    store.jobs.finish("review:1")
    assert not store.jobs.add(job_id="review:1", kind="review", payload={}, max_tries=3)
    job = store.jobs.get("review:1")
    assert job is not None and job.status == "done"


def test_jobs_left_running_by_a_dead_process_are_queued_again(store: Store) -> None:
    store.jobs.add(job_id="a", kind="probe", payload={}, max_tries=3)
    assert store.jobs.claim_next() is not None
    assert store.jobs.requeue_interrupted() == 1
    again = store.jobs.claim_next()
    assert again is not None and again.attempts == 2


def test_audit_entries_read_back_newest_first(store: Store) -> None:
    store.audit.record(actor="alice", action="approve", subject="rollout:1", detail={"env": "prod"})
    store.audit.record(actor="bob", action="retry", subject="rollout:1")
    store.audit.record(actor="carol", action="approve", subject="rollout:2")
    entries = store.audit.entries(subject="rollout:1")
    assert [(e.actor, e.action) for e in entries] == [("bob", "retry"), ("alice", "approve")]
    assert entries[1].detail == {"env": "prod"}


def test_replicas_upgrading_at_once_do_not_collide(postgres_url: str) -> None:
    errors: list[BaseException] = []

    def start() -> None:
        try:
            Store(postgres_url).upgrade()
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_an_unreachable_store_says_so_without_the_password() -> None:
    store = Store("postgresql://someone:hunter2@127.0.0.1:1/nowhere")
    with pytest.raises(StoreUnavailable) as raised:
        store.upgrade()
    assert "hunter2" not in str(raised.value)
    assert "someone:***@127.0.0.1:1" in str(raised.value)
