"""Retries with backoff and rate limits, and write pacing, without real sleeping."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from app.forges.base import ForgeError, RateLimited
from app.forges.retry import RetryPolicy, WritePacer, repeatable, with_retries


class Failing:
    """A call that raises the given errors in turn, then returns ``"done"``."""

    def __init__(self, *errors: ForgeError) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def policy(sleeps: list[float], **overrides: float) -> RetryPolicy:
    settings: dict[str, float] = {"tries": 4, "base_delay": 0.5, "max_delay": 1.5}
    settings |= overrides
    return RetryPolicy(
        tries=int(settings["tries"]),
        base_delay=settings["base_delay"],
        max_delay=settings["max_delay"],
        max_rate_limit_wait=settings.get("max_rate_limit_wait", 120.0),
        sleep=sleeps.append,
    )


def test_retryable_errors_back_off_doubling_up_to_the_cap() -> None:
    sleeps: list[float] = []
    call = Failing(*(ForgeError("502", status=502, retryable=True) for _ in range(3)))
    assert policy(sleeps).run(call, what="read") == "done"
    assert call.calls == 4
    assert sleeps == [0.5, 1.0, 1.5]


def test_a_rate_limit_waits_what_the_forge_asked() -> None:
    sleeps: list[float] = []
    call = Failing(RateLimited("slow down", retry_after=7.0, status=403))
    assert policy(sleeps).run(call, what="write") == "done"
    assert sleeps == [7.0]


def test_a_non_retryable_error_is_raised_at_once() -> None:
    sleeps: list[float] = []
    call = Failing(ForgeError("not found", status=404))
    with pytest.raises(ForgeError, match="not found") as raised:
        policy(sleeps).run(call, what="read")
    assert raised.value.status == 404
    assert call.calls == 1
    assert sleeps == []


def test_giving_up_names_what_the_tries_and_the_last_reason() -> None:
    sleeps: list[float] = []
    call = Failing(*(ForgeError(f"answer {n}", status=502, retryable=True) for n in range(5)))
    with pytest.raises(ForgeError) as raised:
        policy(sleeps, tries=3).run(call, what="read pull request o/r#1")
    assert str(raised.value) == "read pull request o/r#1: gave up after 3 tries: answer 2"
    assert raised.value.status == 502
    assert call.calls == 3
    assert len(sleeps) == 2


def test_giving_up_on_a_rate_limit_keeps_the_wait_for_the_caller() -> None:
    call = Failing(*(RateLimited("limited", retry_after=2.0, status=429) for _ in range(3)))
    with pytest.raises(RateLimited) as raised:
        policy([], tries=2).run(call, what="write")
    assert raised.value.retry_after == 2.0
    assert "gave up after 2 tries" in str(raised.value)


def test_a_wait_longer_than_allowed_is_reported_not_slept() -> None:
    sleeps: list[float] = []
    call = Failing(RateLimited("primary limit", retry_after=1800.0, status=403))
    with pytest.raises(RateLimited, match="asked to wait 1800 s") as raised:
        policy(sleeps, max_rate_limit_wait=60.0).run(call, what="read")
    assert raised.value.retry_after == 1800.0
    assert sleeps == []
    assert call.calls == 1


def test_with_retries_refuses_zero_tries() -> None:
    with pytest.raises(ValueError, match="tries"):
        with_retries(Failing(), what="x", tries=0, base_delay=0, max_delay=0, max_rate_limit_wait=0)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_writes_are_spaced_from_the_end_of_the_previous_write() -> None:
    clock = FakeClock()
    pacer = WritePacer(1.0, clock=clock, sleep=clock.sleep)
    with pacer.write():
        clock.now += 0.25  # the first write takes a quarter second
    clock.now += 0.5  # half a second passes before the next write
    with pacer.write():
        pass
    with pacer.write():
        pass
    assert clock.sleeps == [0.5, 1.0]


def test_a_write_after_a_long_pause_does_not_wait() -> None:
    clock = FakeClock()
    pacer = WritePacer(1.0, clock=clock, sleep=clock.sleep)
    with pacer.write():
        pass
    clock.now += 5
    with pacer.write():
        pass
    assert clock.sleeps == []


def test_writes_from_several_threads_are_serial_and_spaced() -> None:
    pacer = WritePacer(0.05)
    spans: list[tuple[float, float]] = []

    def write() -> None:
        with pacer.write():
            start = time.monotonic()
            time.sleep(0.01)
            spans.append((start, time.monotonic()))

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    spans.sort()
    gaps = [later[0] - earlier[1] for earlier, later in itertools.pairwise(spans)]
    assert len(gaps) == 3
    assert all(gap >= 0.049 for gap in gaps), gaps


def test_a_negative_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        WritePacer(-1)


def test_a_repeatable_write_asks_whether_it_was_made_before_each_retry() -> None:
    writes: list[int] = []
    asked: list[int] = []

    def write() -> None:
        writes.append(len(writes))
        if len(writes) == 1:  # made, but its answer is lost
            raise ForgeError("timed out", retryable=True)

    def done() -> bool:
        asked.append(len(writes))
        return bool(writes)

    attempt = repeatable(write, done=done)
    with_retries(
        attempt, what="write", tries=3, base_delay=0, max_delay=0, max_rate_limit_wait=0,
        sleep=lambda _: None,
    )  # fmt: skip
    assert writes == [0] and asked == [1]
