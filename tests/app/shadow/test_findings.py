"""Verified findings merge with lint findings: one finding per problem and statement."""

from __future__ import annotations

import re

import pytest

from app.shadow.findings import VERIFIED_RULES, merge_findings, unsuppressed
from linters.finding import Finding, Severity, Span
from linters.registry import RULES

PATH = "db/migrations/V3__change.sql"


def finding(rule: str, line: int, end_line: int | None = None, path: str = PATH) -> Finding:
    span = Span(line, 1, end_line or line, 10)
    return Finding(path, span, rule, Severity.WARNING, f"{rule} here", "do better")


def test_a_lint_finding_of_the_same_meaning_on_the_same_statement_replaces_the_verified_one() -> (
    None
):
    static = [finding("change-column-type", 2)]
    verified = [finding("verified-table-rewrite", 2), finding("verified-access-exclusive-lock", 2)]
    merged = merge_findings(static, verified)
    # change-column-type covers both: it is about the rewrite and its exclusive lock.
    assert [(f.rule, f.span.line) for f in merged] == [("change-column-type", 2)]


def test_a_lint_finding_inside_a_multi_line_statement_covers_it() -> None:
    merged = merge_findings(
        [finding("set-not-null-scan", 5)], [finding("verified-access-exclusive-lock", 4, 6)]
    )
    assert [f.rule for f in merged] == ["set-not-null-scan"]


@pytest.mark.parametrize(
    ("static", "why"),
    [
        (finding("drop-column", 2), "another meaning: a breaking change, not the lock"),
        (finding("set-not-null-scan", 3), "another statement"),
        (finding("set-not-null-scan", 2, path="db/migrations/V4__x.sql"), "another file"),
    ],
)
def test_a_verified_finding_stays_when_no_lint_finding_says_the_same_there(
    static: Finding, why: str
) -> None:
    verified = finding("verified-access-exclusive-lock", 2)
    assert verified in merge_findings([static], [verified]), why


def test_verified_findings_are_placed_by_file_and_line_among_the_lint_findings() -> None:
    static = [
        finding("lock-timeout-missing", 1),
        finding("drop-column", 4),
        finding("file-too-large", 1, path="db/migrations/V4__x.sql"),
    ]
    verified = [
        finding("verified-access-exclusive-lock", 2),
        finding("verified-apply-failure", 9, path="db/migrations/V5__y.sql"),
    ]
    merged = merge_findings(static, verified)
    assert [(f.path[-8:], f.span.line, f.rule) for f in merged] == [
        ("ange.sql", 1, "lock-timeout-missing"),
        ("ange.sql", 2, "verified-access-exclusive-lock"),
        ("ange.sql", 4, "drop-column"),
        ("4__x.sql", 1, "file-too-large"),
        ("5__y.sql", 9, "verified-apply-failure"),
    ]


def test_every_verified_rule_is_documented_like_a_lint_rule_and_names_real_rules() -> None:
    sections = ["## What it does", "## Why is this bad?", "## Example", "## Use instead"]
    for rule_id, rule in VERIFIED_RULES.items():
        assert re.fullmatch(r"verified(-[a-z]+)+", rule_id)
        assert rule_id not in RULES, "a verified id must not collide with a lint rule"
        positions = [rule.doc.find(section) for section in sections]
        assert -1 not in positions and positions == sorted(positions), rule_id
        assert rule.title.endswith(".")
        unknown = rule.same_meaning - set(RULES)
        assert not unknown, f"{rule_id} names lint rules that do not exist: {unknown}"


SOURCE = """CREATE TABLE t (id bigint);
-- schemabot:ignore verified-table-rewrite -- reviewed: t is empty in production
ALTER TABLE t ALTER COLUMN id TYPE text;
ALTER TABLE t ALTER COLUMN id TYPE varchar(10);  -- schemabot:ignore change-column-type -- ok
-- schemabot:ignore verified-access-exclusive-lock
ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0;
"""


def _kept(findings: list[Finding], *, require_reason: bool = False) -> list[tuple[str, int]]:
    kept = unsuppressed(findings, {PATH: SOURCE}, "postgres", require_reason=require_reason)
    return [(f.rule, f.span.line) for f in kept]


def test_a_suppression_naming_a_verified_id_drops_that_finding_on_its_statement_only() -> None:
    findings = [
        finding("verified-table-rewrite", 3),
        finding("verified-access-exclusive-lock", 3),
        finding("verified-table-rewrite", 4),
    ]
    # Line 3's comment names the rewrite only; line 4's names a lint rule: both stay there.
    assert _kept(findings) == [
        ("verified-access-exclusive-lock", 3),
        ("verified-table-rewrite", 4),
    ]


def test_a_suppression_without_the_required_reason_does_not_silence() -> None:
    findings = [finding("verified-access-exclusive-lock", 6)]
    assert _kept(findings) == []
    assert _kept(findings, require_reason=True) == [("verified-access-exclusive-lock", 6)]


def test_findings_of_a_file_without_its_text_stay() -> None:
    other = finding("verified-apply-failure", 1, path="db/migrations/V9__other.sql")
    assert unsuppressed([other], {PATH: SOURCE}, "postgres", require_reason=False) == [other]
