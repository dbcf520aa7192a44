"""Verified findings: what a shadow run measured, as findings of the same shape as the linter's,
so the review places and comments them the same way.

A verified finding adds nothing when a lint rule already says the same of the same statement
(``VerifiedRule.same_meaning``): then only the lint finding is kept. One that a
``-- schemabot:ignore <id> -- <reason>`` comment of its file silences is dropped, as the linter
drops a lint finding (``unsuppressed``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.shadow.results import ShadowReport
from app.shadow.rules import (
    verified_access_exclusive_lock,
    verified_apply_failure,
    verified_table_rewrite,
)
from app.shadow.verified_rule import VerifiedRule
from linters.dialects import Dialect
from linters.finding import Finding
from linters.parse import parse_file
from linters.suppression import Suppression, apply, find_suppressions

__all__ = ["VERIFIED_RULES", "merge_findings", "unsuppressed", "verified_findings"]

VERIFIED_RULES: dict[str, VerifiedRule] = {
    rule.id: rule
    for rule in (
        verified_access_exclusive_lock.RULE,
        verified_apply_failure.RULE,
        verified_table_rewrite.RULE,
    )
}


def verified_findings(report: ShadowReport) -> list[Finding]:
    """Every verified rule's findings on the report, in statement order."""
    findings = [finding for rule in VERIFIED_RULES.values() for finding in rule.check(report)]
    return sorted(findings, key=lambda finding: (finding.path, finding.span.line))


def unsuppressed(
    findings: Iterable[Finding],
    sources: Mapping[str, str],
    dialect: Dialect,
    *,
    require_reason: bool,
) -> list[Finding]:
    """The verified ``findings`` that no suppression comment of their file (``sources``: path
    -> text) silences, by the linter's own rules: a comment naming the finding's id, or no id
    at all, on its statement or the line before, or ``ignore-file``; with ``require_reason``
    only one that gives a reason. Comments naming lint rules only leave them be."""
    findings = list(findings)
    suppressions: dict[str, list[Suppression]] = {}
    for path in {finding.path for finding in findings}:
        if path in sources:
            parsed = parse_file(sources[path], dialect)
            suppressions[path] = find_suppressions(
                parsed.comments, parsed.statements, VERIFIED_RULES
            )
    if not suppressions:
        return findings
    kept, _ = apply(findings, suppressions, require_reason=require_reason, enabled=VERIFIED_RULES)
    return kept


def _covers(static: Finding, verified: Finding) -> bool:
    """The lint finding is on the verified finding's statement and means the same."""
    rule = VERIFIED_RULES.get(verified.rule)
    if rule is None or static.rule not in rule.same_meaning or static.path != verified.path:
        return False
    return verified.span.line <= static.span.line <= verified.span.end_line


def merge_findings(static: Iterable[Finding], verified: Iterable[Finding]) -> list[Finding]:
    """The lint findings in their order, each verified one that no lint finding covers placed
    after the last finding of its file on or above its line (at the end for another file)."""
    merged = list(static)
    lint = list(merged)
    for finding in verified:
        if any(_covers(other, finding) for other in lint):
            continue
        at = len(merged)
        same_file = [i for i, other in enumerate(merged) if other.path == finding.path]
        if same_file:
            before = [i for i in same_file if merged[i].span.line <= finding.span.line]
            at = before[-1] + 1 if before else same_file[0]
        merged.insert(at, finding)
    return merged
