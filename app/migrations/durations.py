"""Durations as people write them in environment config ("5s", "15min", "2h")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.migrations.errors import UsageError

__all__ = ["Timeouts", "parse_duration"]

_DURATION = re.compile(r"^\s*(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>ms|s|sec|m|min|h|d)?\s*$")
_SECONDS_PER_UNIT = {
    "ms": 0.001, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0,
}  # fmt: skip


def parse_duration(text: str) -> float:
    """Seconds in ``text``; a bare number is seconds. "0" turns a timeout off."""
    match = _DURATION.match(text)
    if match is None:
        raise UsageError(f"not a duration: {text!r} (write e.g. 500ms, 5s, 15min, 2h)")
    return float(match["amount"]) * _SECONDS_PER_UNIT[match["unit"] or "s"]


@dataclass(frozen=True, slots=True)
class Timeouts:
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
