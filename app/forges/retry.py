"""How the adapters stay within the forges' limits: writes spaced apart, calls retried.

Every forge call goes through :func:`with_retries`, so the review job sees either a result or
one final :class:`ForgeError` naming the reason. The clients' own retries are switched off in
the adapters (PyGithub's urllib3 ``Retry``, python-gitlab's 429 and transient retries), so a
call is never retried twice over nor sleeps for minutes behind our back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from app.forges.base import ForgeError, RateLimited

__all__ = ["RetryPolicy", "WritePacer", "repeatable", "with_retries"]

T = TypeVar("T")


def with_retries(
    call: Callable[[], T],
    *,
    what: str,
    tries: int,
    base_delay: float,
    max_delay: float,
    max_rate_limit_wait: float,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``call`` until it succeeds, a non-retryable error occurs, or ``tries`` are used.

    Retryable errors wait ``base_delay`` doubled after each failure, at most ``max_delay``; a
    rate limit waits what the forge asked for (``retry_after``). A forge asking for more than
    ``max_rate_limit_wait`` (a primary limit resetting in half an hour) is not waited for: the
    caller gets the :class:`RateLimited` at once and can report it or reschedule.
    """
    if tries < 1:
        raise ValueError("tries must be at least 1")
    for attempt in range(1, tries + 1):
        try:
            return call()
        except ForgeError as error:
            if not error.retryable:
                raise
            if attempt == tries:
                raise _gave_up(error, what=what, tries=tries) from error
            if isinstance(error, RateLimited):
                if error.retry_after > max_rate_limit_wait:
                    raise RateLimited(
                        f"{what}: {error} (asked to wait {error.retry_after:.0f} s, more than"
                        f" {max_rate_limit_wait:.0f} s)",
                        retry_after=error.retry_after,
                        status=error.status,
                    ) from error
                delay = error.retry_after
            else:
                delay = min(max_delay, base_delay * 2 ** (attempt - 1))
            sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def _gave_up(error: ForgeError, *, what: str, tries: int) -> ForgeError:
    message = f"{what}: gave up after {tries} tries: {error}"
    if isinstance(error, RateLimited):
        return RateLimited(message, retry_after=error.retry_after, status=error.status)
    return ForgeError(message, status=error.status, retryable=True)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retry settings of one adapter; tests pass tiny delays and a recording ``sleep``."""

    tries: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0
    #: GitHub asks for at least 60 s after a secondary limit; a reset further away than this is
    #: reported instead of slept through (a job holding a worker for an hour helps nobody).
    max_rate_limit_wait: float = 120.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def run(self, call: Callable[[], T], *, what: str) -> T:
        return with_retries(
            call,
            what=what,
            tries=self.tries,
            base_delay=self.base_delay,
            max_delay=self.max_delay,
            max_rate_limit_wait=self.max_rate_limit_wait,
            sleep=self.sleep,
        )


def repeatable(write: Callable[[], object], *, done: Callable[[], bool]) -> Callable[[], None]:
    """``write`` for a retry loop: every attempt after the first asks ``done`` first, so that a
    write whose answer was lost (a timeout after the forge made it) is not made twice."""
    attempts = 0

    def attempt() -> None:
        nonlocal attempts
        attempts += 1
        if attempts > 1 and done():
            return
        write()

    return attempt


class WritePacer:
    """Serialises writes and spaces them ``interval`` seconds apart; reads are not paced.

    GitHub asks for serial content-creating requests at least one second apart. Jobs share an
    adapter from several threads, so the spacing is kept here under a lock rather than by
    PyGithub's ``seconds_between_writes``, whose bookkeeping is not thread-safe. The interval
    runs from the end of one write to the start of the next, as PyGithub measures it.
    """

    def __init__(
        self,
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if interval < 0:
            raise ValueError("interval must not be negative")
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._last_write_end: float | None = None

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._lock:
            if self._last_write_end is not None:
                wait = self._last_write_end + self.interval - self._clock()
                if wait > 0:
                    self._sleep(wait)
            try:
                yield
            finally:
                self._last_write_end = self._clock()
