"""Path ids of the REST API: positive and 32-bit, as the store's integer keys are.

A larger number names nothing, and would overflow SQLite's integer binding (a 500) if it
reached a query, so it is refused with a 422 before.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

__all__ = ["MAX_ID", "ReviewIdPath", "RolloutIdPath", "parse_id"]

MAX_ID = 2**31 - 1

RolloutIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="The rollout's id")]
ReviewIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="The review's id")]


def parse_id(text: str) -> int | None:
    """An id from a dashboard URL, or None: people get a 404 page, not a validation error."""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None
