"""Verified findings: what a shadow run measured, as findings of the same shape as the linter's,
so the review places and comments them the same way.

A verified finding adds nothing when a lint rule already says the same of the same statement
(``VerifiedRule.same_meaning``): then only the lint finding is kept.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.shadow.results import ShadowReport
from app.shadow.rules import (
    verified_access_exclusive_lock,
    verified_apply_failure,
    verified_table_rewrite,
)
from app.shadow.verified_rule import VerifiedRule
from linters.finding import Finding

__all__ = ["VERIFIED_RULES", "merge_findings", "verified_findings"]

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
