"""Character offsets in a file as 1-based lines and columns."""

from __future__ import annotations

import re
from bisect import bisect_right

from linters.finding import Span

__all__ = ["LineIndex"]

_NEWLINE = re.compile(r"\n")


class LineIndex:
    """Turns character offsets into 1-based lines and columns (a line ends after ``\\n``)."""

    __slots__ = ("_starts",)

    def __init__(self, source: str) -> None:
        self._starts = [0, *(match.end() for match in _NEWLINE.finditer(source))]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def next_line(self, offset: int) -> int | None:
        """Where the line after the one holding ``offset`` starts; None on the last line."""
        line = bisect_right(self._starts, offset)
        return self._starts[line] if line < len(self._starts) else None

    def span(self, start: int, end: int) -> Span:
        """The span of ``source[start:end]``; its end is the last character, inclusive."""
        line, column = self.position(start)
        end_line, end_column = self.position(max(end - 1, start))
        return Span(line, column, end_line, end_column)
