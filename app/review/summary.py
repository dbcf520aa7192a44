"""The one summary comment per pull request, found again by its hidden marker on every push.

It says, in this order: the verdict (the errors block), the findings per file (those commented
inline and those that could not be), and the plan. It must fit the forge's comment limit, so
long file sections are cut with a note pointing to the review page, which lists everything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from app.review.placement import PlacedFinding
from linters.finding import Severity

__all__ = ["SUMMARY_MARKER", "SummaryFacts", "counts_text", "render_summary"]

SUMMARY_MARKER = "<!-- schemabot:summary -->"
#: GitHub's comment limit is 65,536 characters (GitLab's is larger): one size for both, with
#: room for what the forge adds.
MAX_SUMMARY_CHARACTERS = 65_000

_PLACEMENT_TEXT = {
    "inline": "commented inline",
    "earlier": "commented at an earlier push",
}


@dataclass(frozen=True, slots=True)
class SummaryFacts:
    head_sha: str
    base_branch: str
    #: Migration files reviewed, in migration order.
    files: Sequence[str]
    review_url: str
    plan: str
    #: Findings earlier reviews of this pull request reported (0 for the first review).
    earlier_findings: int = 0
    #: Problems of the repository's ``.schemabot.toml`` (then the server's rules alone apply).
    config_problems: Sequence[str] = ()
    #: The shadow run's section (``app.shadow.report``); empty without a shadow server.
    shadow: str = ""


def counts_text(placed: Sequence[PlacedFinding]) -> str:
    """``2 errors, 1 warning`` (severities in order, zero counts left out)."""
    counts = Counter(item.finding.severity for item in placed)
    parts = []
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        count = counts[severity]
        if count:
            noun = {"error": "error", "warning": "warning", "info": "note"}[severity.value]
            parts.append(f"{count} {noun}{'s' if count > 1 else ''}")
    return ", ".join(parts)


def _cell(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ").replace("|", "\\|")


def _row(item: PlacedFinding) -> str:
    finding = item.finding
    where = _PLACEMENT_TEXT.get(item.placement) or item.note or "in this summary only"
    return (
        f"| {finding.span.line} | {finding.severity.value} | [{finding.rule}]({finding.url}) "
        f"| {_cell(finding.message)} | {where} |"
    )


def _file_section(path: str, items: list[PlacedFinding], limit: int | None) -> str:
    lines = [f"#### `{path}`" if path else "#### The change as a whole"]
    shown = items if limit is None else items[:limit]
    if not shown:
        lines.append(f"_{len(items)} findings in this file: see the review page._")
        return "\n".join(lines)
    lines.append("| Line | Severity | Rule | Finding | |")
    lines.append("|---:|---|---|---|---|")
    lines.extend(_row(item) for item in shown)
    if len(shown) < len(items):
        lines.append("")
        lines.append(f"_{len(items) - len(shown)} more in this file: see the review page._")
    return "\n".join(lines)


def _verdict(placed: Sequence[PlacedFinding], facts: SummaryFacts) -> str:
    errors = sum(item.finding.severity is Severity.ERROR for item in placed)
    if errors:
        return (
            f"**Verdict: blocked.** {errors} error{'s' if errors > 1 else ''} must be fixed "
            "before merging (or, for a reviewed exception, suppressed next to the statement with "
            "`-- schemabot:ignore <rule> -- <reason>`)."
        )
    if placed:
        return "**Verdict: no errors.** The findings below are worth a look but do not block."
    if facts.earlier_findings:
        return "**Verdict: all clear.** The findings of earlier pushes are fixed."
    return "**Verdict: all clear.** No findings."


def _header(placed: Sequence[PlacedFinding], facts: SummaryFacts) -> str:
    counts = counts_text(placed) or "no findings"
    files = len(facts.files)
    lines = [
        SUMMARY_MARKER,
        f"### schemabot: {counts} in {files} migration file{'s' if files != 1 else ''}",
        "",
        f"Reviewed `{facts.head_sha[:12]}` against `{facts.base_branch}`. "
        f"[Review details]({facts.review_url})",
        "",
        _verdict(placed, facts),
    ]
    if facts.config_problems:
        lines.append("")
        lines.append(
            f"`.schemabot.toml` on `{facts.base_branch}` was not used (the server's rules apply):"
        )
        lines.extend(f"- {_cell(problem)}" for problem in facts.config_problems[:10])
    return "\n".join(lines)


def render_summary(
    placed: Sequence[PlacedFinding],
    facts: SummaryFacts,
    *,
    max_characters: int = MAX_SUMMARY_CHARACTERS,
) -> str:
    """The summary's markdown; file sections are cut to fit ``max_characters``."""
    by_file: dict[str, list[PlacedFinding]] = {}
    for item in placed:
        by_file.setdefault(item.finding.path, []).append(item)
    header, plan = _header(placed, facts), facts.plan
    budget = max_characters - len(header) - len(facts.shadow) - len(plan) - 200
    largest = max((len(items) for items in by_file.values()), default=0)
    limit: int | None = None
    sections = [_file_section(path, items, limit) for path, items in by_file.items()]
    while sum(len(section) + 2 for section in sections) > budget and largest > 0:
        # Halve the rows every file may show until everything fits.
        largest //= 2
        limit = largest
        sections = [_file_section(path, items, limit) for path, items in by_file.items()]
    kept: list[str] = []
    used = 0
    for section in sections:
        if used + len(section) + 2 > budget:
            kept.append(f"_{len(sections) - len(kept)} more files: see the review page._")
            break
        kept.append(section)
        used += len(section) + 2
    return "\n\n".join([header, *kept, *([facts.shadow] if facts.shadow else []), plan])
