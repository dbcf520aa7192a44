"""Where each finding is reported: inline on its lines, or in the summary only.

Forges take inline comments only on lines their diff shows (GitHub refuses a whole review for
one comment elsewhere), so a finding on a line the pull request did not change, or in a file
without a diff (deleted, binary, too large), goes to the summary. A finding already commented
on at an earlier push is not commented again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from app.forges.base import InlineComment
from app.forges.diff import DiffLines
from app.review.anchors import Anchor, FileStatements, Fingerprints
from app.review.comments import comment_body, suggestion_block
from linters.dialects import Dialect
from linters.finding import Finding

__all__ = ["PlacedFinding", "Placement", "place_findings"]

#: inline: commented now; earlier: commented at an earlier push; summary: in the summary only.
Placement = Literal["inline", "earlier", "summary"]

NOT_IN_DIFF = "not on a line this pull request changes"
NO_DIFF = "the forge shows no diff of the file (too large or binary)"
NOT_A_CHANGED_FILE = "about a file this pull request does not add or change"
WHOLE_CHANGE = "about the change as a whole"


@dataclass(frozen=True, slots=True)
class PlacedFinding:
    finding: Finding
    fingerprint: str
    placement: Placement
    #: The comment to post (placement "inline").
    comment: InlineComment | None = None
    #: Why a finding is in the summary only.
    note: str = ""

    def moved_to_summary(self, note: str) -> PlacedFinding:
        return PlacedFinding(self.finding, self.fingerprint, "summary", None, note)

    def to_dict(self) -> dict[str, Any]:
        """As the review page (and the store) keeps it."""
        return {
            **self.finding.to_dict(),
            "fingerprint": self.fingerprint,
            "placement": self.placement,
            "note": self.note,
        }


def place_findings(
    findings: list[Finding],
    *,
    sources: Mapping[str, str],
    diffs: Mapping[str, DiffLines],
    commented: set[str],
    forge: str,
    dialect: Dialect,
) -> list[PlacedFinding]:
    """Decide each finding's place, in the order given. ``sources`` are the files' text at the
    head commit, ``diffs`` their commentable lines, ``commented`` the fingerprints already
    commented on this pull request."""
    statements: dict[str, FileStatements] = {}
    fingerprints = Fingerprints()
    placed: list[PlacedFinding] = []
    for finding in findings:
        anchor = None
        source = sources.get(finding.path)
        if source is not None:
            if finding.path not in statements:
                statements[finding.path] = FileStatements(source, dialect)
            anchor = statements[finding.path].anchor(finding.span)
        fingerprint = fingerprints.of(finding, anchor)
        if fingerprint in commented:
            placed.append(PlacedFinding(finding, fingerprint, "earlier"))
            continue
        diff = diffs.get(finding.path)
        comment = None
        if diff is not None:
            comment = _inline(finding, fingerprint, anchor, diff, forge)
        if comment is None:
            placed.append(
                PlacedFinding(finding, fingerprint, "summary", note=_why_not(finding, diff))
            )
        else:
            placed.append(PlacedFinding(finding, fingerprint, "inline", comment))
    return placed


def _why_not(finding: Finding, diff: DiffLines | None) -> str:
    if not finding.path:
        return WHOLE_CHANGE
    if diff is None:
        return NOT_A_CHANGED_FILE  # a merged migration this pull request deletes, for one
    return NOT_IN_DIFF if diff.hunk_of else NO_DIFF


def _inline(
    finding: Finding, fingerprint: str, anchor: Anchor | None, diff: DiffLines, forge: str
) -> InlineComment | None:
    path, start, end = finding.path, finding.span.line, finding.span.end_line
    if anchor is not None and finding.suggestion is not None and _can_suggest(finding, anchor):
        first, last = anchor.start_line, anchor.end_line
        if diff.can_comment(last, first if first < last else None):
            block = suggestion_block(forge, anchor, finding.suggestion, last)
            return InlineComment(
                path,
                last,
                comment_body(finding, fingerprint, block),
                start_line=first if first < last else None,
            )
    body = comment_body(finding, fingerprint)
    if diff.can_comment(end, start if start < end else None):
        return InlineComment(path, end, body, start_line=start if start < end else None)
    if diff.can_comment(start):
        return InlineComment(path, start, body)
    return None


def _can_suggest(finding: Finding, anchor: Anchor) -> bool:
    """The finding lies in one statement that has its lines to itself, and the fix changes it."""
    inside = anchor.start_line <= finding.span.line and finding.span.end_line <= anchor.end_line
    return inside and anchor.whole_lines and finding.suggestion != anchor.text
