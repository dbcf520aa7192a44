"""Inline comments: the statement a finding is on, its fingerprint, the body, suggestions."""

from __future__ import annotations

from app.forges.diff import parse_patch
from app.review.anchors import FileStatements, Fingerprints
from app.review.comments import comment_body, fingerprint_in, suggestion_block, why_of
from app.review.placement import NO_DIFF, NOT_IN_DIFF, place_findings
from linters.engine import Source, lint
from linters.finding import Finding, Severity, Span
from tests.fakeforge.state import unified_patch

PATH = "db/migrations/V2__orders.sql"
SOURCE = """-- speeds up the order history page
CREATE INDEX ix_orders_customer ON orders (customer_id);

ALTER TABLE orders ADD COLUMN note text NOT NULL;
CREATE INDEX ix_a ON orders (a); CREATE INDEX ix_b ON orders (b);
CREATE INDEX ix_c
    ON orders (c);  -- the c column
"""


def _findings(source: str = SOURCE, rule: str | None = None) -> list[Finding]:
    found = lint([Source(PATH, source)], dialect="postgres")
    return [finding for finding in found if rule is None or finding.rule == rule]


def test_anchor_is_the_statement_with_its_lines() -> None:
    statements = FileStatements(SOURCE, "postgres")
    anchor = statements.anchor(Span(2, 1, 2, 10))
    assert anchor is not None
    assert anchor.text == "CREATE INDEX ix_orders_customer ON orders (customer_id)"
    assert (anchor.start_line, anchor.end_line, anchor.before, anchor.after) == (2, 2, "", ";")
    assert anchor.whole_lines
    multi = statements.anchor(Span(7, 5, 7, 10))
    assert multi is not None and (multi.start_line, multi.end_line) == (6, 7)
    assert multi.whole_lines and multi.after == ";  -- the c column"
    assert statements.anchor(Span(3, 1, 3, 1)) is None  # a blank line


def test_statements_sharing_a_line_are_not_whole_lines() -> None:
    statements = FileStatements(SOURCE, "postgres")
    first = statements.anchor(Span(5, 1, 5, 5))
    second = statements.anchor(Span(5, 34, 5, 40))
    assert first is not None and second is not None
    assert first.text == "CREATE INDEX ix_a ON orders (a)"
    assert second.text == "CREATE INDEX ix_b ON orders (b)"
    assert not first.whole_lines and not second.whole_lines


def test_fingerprint_ignores_line_numbers_and_whitespace() -> None:
    [before] = _findings(SOURCE, "create-index-not-concurrently")[:1]
    moved_source = "-- a new comment above\n\n" + SOURCE.replace(
        "ix_orders_customer ON", "ix_orders_customer\n   ON"
    )
    [after] = _findings(moved_source, "create-index-not-concurrently")[:1]
    assert after.span.line == before.span.line + 2

    def fingerprint(source: str, finding: Finding) -> str:
        return Fingerprints().of(finding, FileStatements(source, "postgres").anchor(finding.span))

    assert fingerprint(SOURCE, before) == fingerprint(moved_source, after)
    renamed = SOURCE.replace("ix_orders_customer", "ix_orders_by_customer")
    [changed] = _findings(renamed, "create-index-not-concurrently")[:1]
    assert fingerprint(renamed, changed) != fingerprint(SOURCE, before)


def test_the_same_statement_twice_gets_two_fingerprints() -> None:
    twice = "UPDATE orders SET note = 'x';\nUPDATE orders SET note = 'x';\n"
    findings = [f for f in _findings(twice) if f.span.line in (1, 2)]
    rules = {f.rule for f in findings}
    assert rules, "expected findings on the UPDATE statements"
    fingerprints = Fingerprints()
    statements = FileStatements(twice, "postgres")
    seen = [fingerprints.of(f, statements.anchor(f.span)) for f in findings]
    assert len(set(seen)) == len(seen)


def test_why_is_the_first_sentences_of_the_rule_docs() -> None:
    why = why_of("applied-migration-modified")
    assert why.startswith("A migration on the base branch has been, or is being, applied")
    assert why.count(". ") <= 1 and why.endswith(".")
    assert why_of("no-such-rule") == ""


def test_comment_body_names_rule_link_why_and_alternative() -> None:
    [finding] = _findings(SOURCE, "create-index-not-concurrently")[:1]
    body = comment_body(finding, "abc123")
    first_line = body.splitlines()[0]
    assert first_line == (
        "**[create-index-not-concurrently](https://schemabot.dev/rules/"
        f"create-index-not-concurrently)** (error): {finding.message}"
    )
    assert "`ix_orders_customer`" in finding.message
    assert f"**Why:** {why_of(finding.rule)}" in body
    assert f"**Instead:** {finding.help}" in body
    assert fingerprint_in(body) == "abc123"


def test_github_suggestion_replaces_the_statement_lines() -> None:
    statements = FileStatements(SOURCE, "postgres")
    anchor = statements.anchor(Span(6, 1, 6, 5))
    assert anchor is not None
    suggestion = "CREATE INDEX CONCURRENTLY ix_c\n    ON orders (c)"
    block = suggestion_block("github", anchor, suggestion, anchor.end_line)
    assert block == (
        "```suggestion\nCREATE INDEX CONCURRENTLY ix_c\n    ON orders (c);  -- the c column\n```"
    )


def test_gitlab_suggestion_counts_lines_above_the_commented_line() -> None:
    anchor = FileStatements(SOURCE, "postgres").anchor(Span(6, 1, 6, 5))
    assert anchor is not None
    block = suggestion_block("gitlab", anchor, "CREATE INDEX CONCURRENTLY ix_c ON orders (c)", 7)
    assert block is not None
    assert block.splitlines()[0] == "```suggestion:-1+0"
    assert suggestion_block("bitbucket", anchor, "x", 7) is None


def test_suggestion_fence_outgrows_backticks_inside() -> None:
    source = "CREATE INDEX ix ON t (a);\n"
    anchor = FileStatements(source, "postgres").anchor(Span(1, 1, 1, 1))
    assert anchor is not None
    block = suggestion_block("github", anchor, "CREATE INDEX CONCURRENTLY ```x``` ON t (a)", 1)
    assert block is not None and block.startswith("````suggestion\n") and block.endswith("\n````")


def test_placement_inline_summary_and_earlier() -> None:
    base = "-- speeds up the order history page\n"
    patch = unified_patch(base, SOURCE)
    findings = _findings()
    placed = place_findings(
        findings,
        sources={PATH: SOURCE},
        diffs={PATH: parse_patch(patch)},
        commented=set(),
        forge="github",
        dialect="postgres",
    )
    assert placed and all(item.placement == "inline" for item in placed)
    index = next(
        item
        for item in placed
        if item.finding.rule == "create-index-not-concurrently" and item.finding.span.line == 2
    )
    assert index.comment is not None
    assert (index.comment.path, index.comment.line, index.comment.start_line) == (PATH, 2, None)
    assert "```suggestion\nCREATE INDEX CONCURRENTLY ix_orders_customer" in index.comment.body
    # Statements sharing line 5: commented, but without a suggestion.
    shared = [item for item in placed if item.finding.span.line == 5]
    assert shared and all(
        "```suggestion" not in (i.comment.body if i.comment else "") for i in shared
    )

    again = place_findings(
        findings,
        sources={PATH: SOURCE},
        diffs={PATH: parse_patch(patch)},
        commented={index.fingerprint},
        forge="github",
        dialect="postgres",
    )
    assert [i.placement for i in again].count("earlier") == 1
    assert next(i for i in again if i.fingerprint == index.fingerprint).placement == "earlier"


def test_placement_outside_the_diff_goes_to_the_summary() -> None:
    old = "CREATE INDEX ix_orders_customer ON orders (customer_id);\n" + "-- note\n" * 6
    new = old + "ALTER TABLE orders ADD COLUMN note text NOT NULL;\n"
    findings = _findings(new)
    placed = place_findings(
        findings,
        sources={PATH: new},
        diffs={PATH: parse_patch(unified_patch(old, new))},  # line 8 is new, 5-7 context
        commented=set(),
        forge="github",
        dialect="postgres",
    )
    places = {(i.finding.span.line, i.placement, i.note) for i in placed}
    assert {line for line, _, _ in places} == {1, 8}
    assert {(line, place) for line, place, _ in places if line == 8} == {(8, "inline")}
    assert {(place, note) for line, place, note in places if line == 1} == {
        ("summary", NOT_IN_DIFF)
    }
    no_patch = place_findings(
        findings,
        sources={PATH: new},
        diffs={PATH: parse_patch(None)},
        commented=set(),
        forge="github",
        dialect="postgres",
    )
    assert {(i.placement, i.note) for i in no_patch} == {("summary", NO_DIFF)}


def test_severity_words_in_body() -> None:
    finding = Finding(PATH, Span(1, 1, 1, 1), "file-empty", Severity.WARNING, "Fill it", "Add SQL")
    assert "(warning): Fill it" in comment_body(finding, "f")
