"""Which lines of a file's unified diff can carry an inline comment.

Forges only accept inline comments on lines shown in the pull request's diff: GitHub refuses
the whole review (422) if one comment is elsewhere, GitLab refuses the discussion (400). So the
adapters read each file's ``patch`` first and send only comments on lines it shows.

GitLab also needs to know what a line is: an added line is positioned by ``new_line`` alone, an
unchanged context line by both ``old_line`` and ``new_line``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["DiffLines", "parse_patch"]

_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True, slots=True)
class DiffLines:
    """The new-side lines of one file's diff, by kind, with the hunk each belongs to."""

    #: New-side numbers of added lines.
    added: frozenset[int] = frozenset()
    #: New-side number -> old-side number of each unchanged line the diff shows as context.
    context: dict[int, int] = field(default_factory=dict)
    #: New-side number -> index of its hunk (0-based), for added and context lines.
    hunk_of: dict[int, int] = field(default_factory=dict)

    @property
    def commentable(self) -> frozenset[int]:
        """New-side lines a comment may be placed on."""
        return frozenset(self.hunk_of)

    def can_comment(self, line: int, start_line: int | None = None) -> bool:
        """Whether a comment on ``line`` (or on ``start_line``..``line``) lies in one hunk."""
        hunk = self.hunk_of.get(line)
        if hunk is None:
            return False
        if start_line is None or start_line == line:
            return True
        return start_line < line and self.hunk_of.get(start_line) == hunk

    def old_line(self, new_line: int) -> int | None:
        """The old-side number of an unchanged context line; None for an added line."""
        return self.context.get(new_line)


def parse_patch(patch: str | None) -> DiffLines:
    """Read a unified diff of one file (a GitHub ``patch`` or a GitLab ``diff``).

    File headers (``diff --git``, ``---``, ``+++``) are skipped; ``\\ No newline at end of
    file`` markers take no line number. A blank line inside a hunk counts as a context line:
    some tools strip the single space that marks an empty context line.
    """
    added: set[int] = set()
    context: dict[int, int] = {}
    hunk_of: dict[int, int] = {}
    if not patch:
        return DiffLines()
    hunk = -1
    old = new = 0
    old_left = new_left = 0
    for text in patch.splitlines():
        header = _HUNK_HEADER.match(text)
        if header:
            hunk += 1
            old, old_count, new, new_count = (
                int(header.group(1)),
                int(header.group(2) or 1),
                int(header.group(3)),
                int(header.group(4) or 1),
            )
            old_left, new_left = old_count, new_count
            continue
        if old_left <= 0 and new_left <= 0:
            continue  # between hunks: file headers or trailing text
        marker = text[:1]
        if marker == "+":
            added.add(new)
            hunk_of[new] = hunk
            new += 1
            new_left -= 1
        elif marker == "-":
            old += 1
            old_left -= 1
        elif marker in (" ", ""):
            context[new] = old
            hunk_of[new] = hunk
            old += 1
            new += 1
            old_left -= 1
            new_left -= 1
        # "\" (no newline at end of file) belongs to the line before it and takes no number.
    return DiffLines(added=frozenset(added), context=context, hunk_of=hunk_of)
