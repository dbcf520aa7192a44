"""The SQL a review's findings point at, read from the forge at the reviewed commit.

A review row keeps each finding's place (file, lines) but not the file's text, and the files
live in the forge. The review page shows the statement next to each finding, so the files
are read here at the head commit: immutable, hence cached for as long as the app runs (within
a bound), and read with a time limit so a slow forge leaves the page without excerpts rather
than without an answer.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from app.config import Config
from app.forges import Forge, create_forges

__all__ = ["EXCERPT_MAX_LINES", "ReviewSources", "ReviewSourcesDep", "SourceLine"]

#: A statement longer than this is cut in the excerpt (the finding's first lines matter most).
EXCERPT_MAX_LINES = 40
#: Files kept in memory: reviews are read again while a pull request is discussed.
CACHED_FILES = 256
#: How long a page waits for the forge before it shows findings without their SQL.
READ_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class SourceLine:
    line: int
    text: str


class ReviewSources:
    def __init__(self, config: Config, *, read_seconds: float = READ_SECONDS) -> None:
        self._config = config
        self._read_seconds = read_seconds
        self._forges: dict[str, Forge] | None = None
        self._files: OrderedDict[tuple[str, str, str, str], list[str] | None] = OrderedDict()

    def _forge(self, name: str) -> Forge | None:
        if self._forges is None:
            self._forges = create_forges(self._config)
        return self._forges.get(name)

    async def files(
        self, *, forge: str, repository: str, ref: str, paths: Iterable[str]
    ) -> dict[str, list[str]]:
        """Each readable file's lines; files that cannot be read now are left out."""
        wanted = sorted(set(paths))
        try:
            results = await asyncio.wait_for(
                asyncio.gather(*(self._file(forge, repository, ref, path) for path in wanted)),
                self._read_seconds,
            )
        except TimeoutError:
            return {}
        return {path: lines for path, lines in zip(wanted, results, strict=True) if lines}

    async def _file(
        self, forge_name: str, repository: str, ref: str, path: str
    ) -> list[str] | None:
        key = (forge_name, repository, ref, path)
        if key in self._files:
            self._files.move_to_end(key)
            return self._files[key]
        try:
            forge = self._forge(forge_name)
            text = (
                await asyncio.to_thread(forge.read_file, repository, path, ref)
                if forge is not None
                else None
            )
        except Exception:  # a forge that fails now is retried at the next page view
            return None
        lines = text.splitlines() if text is not None else None
        self._files[key] = lines
        while len(self._files) > CACHED_FILES:
            self._files.popitem(last=False)
        return lines


def excerpt(lines: list[str], first: int, last: int) -> list[SourceLine]:
    """Lines ``first``..``last`` (1-based, inclusive), at most ``EXCERPT_MAX_LINES``."""
    start = max(first, 1)
    end = min(max(last, start), len(lines), start + EXCERPT_MAX_LINES - 1)
    return [SourceLine(number, lines[number - 1]) for number in range(start, end + 1)]


def _review_sources(request: Request) -> ReviewSources:
    sources: ReviewSources | None = getattr(request.app.state, "review_sources", None)
    if sources is None:
        sources = ReviewSources(request.app.state.services.config)
        request.app.state.review_sources = sources
    return sources


ReviewSourcesDep = Annotated[ReviewSources, Depends(_review_sources)]
