"""The runner's session timeouts, from durations as people write them ("5s", "15min", "2h")."""

from __future__ import annotations

from typing import NamedTuple

from app import durations
from app.migrations.errors import UsageError

__all__ = ["Timeouts", "parse_duration"]


def parse_duration(text: str) -> float:
    """Seconds in ``text``; a bare number is seconds. "0" turns a timeout off."""
    try:
        return durations.parse_duration(text).total_seconds()
    except ValueError:
        raise UsageError(f"not a duration: {text!r} (write e.g. 500ms, 5s, 15min, 2h)") from None


class Timeouts(NamedTuple):
    """Limits for the migration statements (not for the runner's own lock wait), in seconds.

    None leaves the server's setting alone.
    """

    lock_timeout: float | None = None
    statement_timeout: float | None = None

    @classmethod
    def parse(cls, lock_timeout: str | None, statement_timeout: str | None) -> Timeouts:
        return cls(
            parse_duration(lock_timeout) if lock_timeout else None,
            parse_duration(statement_timeout) if statement_timeout else None,
        )
