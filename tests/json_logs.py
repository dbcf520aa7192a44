"""The events a process logged, read from its JSON log lines (``SCHEMABOT_LOG_FORMAT=json``)."""

from __future__ import annotations

import json

__all__ = ["logged_events"]


def logged_events(stderr: str) -> list[str]:
    """The ``event`` of every JSON line, in order; other lines (a traceback) are skipped, a
    line that starts like JSON but does not parse fails the test."""
    return [json.loads(line)["event"] for line in stderr.splitlines() if line.startswith("{")]
