"""Job ids: derived from the event, and always within the jobs table's 200 characters."""

from __future__ import annotations

from app.jobs import MAX_JOB_ID, job_id


def test_a_short_id_is_the_parts_joined() -> None:
    assert job_id("review", "github", "acme/shop", "7") == "review:github:acme/shop:7"


def test_a_long_id_is_hashed_stably_and_stays_distinct() -> None:
    deep = "/".join(["group"] * 40) + "/shop"
    long_id = job_id("review", "gitlab", deep, "7", "a" * 40, "main")
    assert long_id.startswith("review:") and len(long_id) <= MAX_JOB_ID
    assert long_id == job_id("review", "gitlab", deep, "7", "a" * 40, "main")
    assert long_id != job_id("review", "gitlab", deep, "8", "a" * 40, "main")
