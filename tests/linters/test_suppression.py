"""Inline suppressions, checked through the engine with parse-error as the rule that fires."""

from __future__ import annotations

from linters.config import config_from_table
from linters.engine import Source, lint
from linters.finding import Finding
from linters.parse import parse_file
from linters.registry import RULES
from linters.suppression import SQUAWK_RULES, find_suppressions

BROKEN = "CREAT TABLE orders (id bigint);"


def _lint(sql: str, **table: object) -> list[Finding]:
    config = config_from_table({"select": ["parse-error", "unused-suppression"], **table})
    return lint([Source("V2__change.sql", sql)], dialect="postgres", config=config)


def _rules(findings: list[Finding]) -> list[tuple[str, int]]:
    return [(finding.rule, finding.span.line) for finding in findings]


def test_without_suppression_the_finding_stands() -> None:
    assert _rules(_lint(BROKEN)) == [("parse-error", 1)]


def test_suppression_on_the_line_before() -> None:
    assert _lint(f"-- schemabot:ignore parse-error -- vendor syntax\n{BROKEN}\n") == []


def test_suppression_on_the_same_line() -> None:
    assert _lint(f"{BROKEN}  -- schemabot:ignore parse-error -- vendor syntax\n") == []


def test_suppression_above_other_comments_of_the_statement() -> None:
    sql = f"-- schemabot:ignore parse-error -- vendor syntax\n-- Orders.\n\n{BROKEN}\n"
    assert _lint(sql) == []


def test_suppression_inside_a_multi_line_statement() -> None:
    sql = "CREAT TABLE orders (\n  id bigint  -- schemabot:ignore parse-error -- vendor\n);\n"
    assert _lint(sql) == []


def test_block_comment_suppression() -> None:
    assert _lint(f"/* schemabot:ignore parse-error -- vendor syntax */\n{BROKEN}\n") == []


def test_suppression_covers_only_its_statement() -> None:
    sql = f"-- schemabot:ignore parse-error -- vendor syntax\n{BROKEN}\n{BROKEN}\n"
    assert _rules(_lint(sql)) == [("parse-error", 3)]


def test_trailing_suppression_does_not_reach_the_next_statement() -> None:
    sql = f"SELECT 1;  -- schemabot:ignore parse-error -- why\n{BROKEN}\n"
    assert _rules(_lint(sql)) == [("unused-suppression", 1), ("parse-error", 2)]


def test_file_wide_suppression_anywhere() -> None:
    sql = f"{BROKEN}\nSELECT 1;\n{BROKEN}\n-- schemabot:ignore-file parse-error -- generated\n"
    assert _lint(sql) == []


def test_bare_suppression_hides_every_rule_of_the_statement() -> None:
    assert _lint(f"-- schemabot:ignore\n{BROKEN}\n") == []


def test_unknown_rule_id_is_reported_with_a_suggestion_and_suppresses_nothing() -> None:
    findings = _lint(f"-- schemabot:ignore parse-eror -- typo\n{BROKEN}\n")
    assert _rules(findings) == [("unused-suppression", 1), ("parse-error", 2)]
    assert findings[0].message == (
        "Remove the unknown rule id `parse-eror` from the suppression (did you mean `parse-error`?)"
    )


def test_unused_suppression_is_reported_at_the_comment() -> None:
    findings = _lint("SELECT 1;\n\n   -- schemabot:ignore parse-error -- old\nSELECT 2;\n")
    assert _rules(findings) == [("unused-suppression", 3)]
    assert findings[0].span.column == 4
    assert findings[0].message == "Remove the unused suppression of `parse-error`"


def test_unused_suppression_names_a_rule_that_is_not_enabled() -> None:
    findings = _lint("-- schemabot:ignore parse-error -- old\nSELECT 1;\n", ignore=["parse-error"])
    assert [f.message for f in findings] == [
        "Remove the unused suppression of `parse-error`; not enabled here: `parse-error`"
    ]


def test_reason_required_suppression_without_reason_does_not_suppress() -> None:
    findings = _lint(
        f"-- schemabot:ignore parse-error\n{BROKEN}\n", require_suppression_reason=True
    )
    assert _rules(findings) == [("unused-suppression", 1), ("parse-error", 2)]
    assert findings[0].message.startswith("Give the suppression `schemabot:ignore parse-error`")


def test_reason_required_suppression_with_reason_suppresses() -> None:
    sql = f"-- schemabot:ignore parse-error -- vendor syntax\n{BROKEN}\n"
    assert _lint(sql, require_suppression_reason=True) == []


def test_unused_suppression_can_be_switched_off() -> None:
    findings = _lint(
        "-- schemabot:ignore parse-error -- old\nSELECT 1;\n",
        severity={"unused-suppression": "off"},
    )
    assert findings == []


def test_squawk_ignore_is_mapped_to_our_rules() -> None:
    assert _lint(f"-- squawk-ignore syntax-error\n{BROKEN}\n") == []
    assert _lint(f"-- squawk-ignore-file syntax-error\n{BROKEN}\n") == []


def test_unknown_squawk_name_is_reported_without_a_suggestion() -> None:
    findings = _lint("-- squawk-ignore ban-everything\nSELECT 1;\n")
    assert [f.message for f in findings] == [
        "Remove the unknown rule id `ban-everything` from the suppression"
    ]


def test_directive_must_start_the_comment() -> None:
    assert _rules(_lint(f"-- see schemabot:ignore parse-error\n{BROKEN}\n")) == [("parse-error", 2)]


def test_find_suppressions_reads_ids_reason_and_targets() -> None:
    sql = "-- schemabot:ignore a-rule parse-error, unused-suppression -- because\nSELECT 1;\n"
    parsed = parse_file(sql, "postgres")
    (found,) = find_suppressions(parsed.comments, parsed.statements, RULES)
    assert found.rules == ("parse-error", "unused-suppression")
    assert found.unknown == (("a-rule", ""),)
    assert found.reason == "because"
    assert found.targets == (parsed.statements[0].span,)
    assert not found.file_wide


def test_squawk_mapping_points_at_registered_rules() -> None:
    targets = {rule for rules in SQUAWK_RULES.values() for rule in rules}
    missing = sorted(targets - set(RULES))
    # Rules are added by several people; the mapping must never name an id nobody ships.
    assert missing == [], f"Squawk names map to unregistered rule ids: {missing}"


def test_a_verified_id_is_left_to_the_shadow_run_neither_unknown_nor_unused() -> None:
    sql = f"-- schemabot:ignore verified-table-rewrite -- reviewed\n{BROKEN}\n"
    # The suppression names no lint rule that ran: the lint finding stands, and nothing is
    # reported about the comment (only a shadow run knows whether it silences something).
    assert _rules(_lint(sql)) == [("parse-error", 2)]
    parsed = parse_file(sql, "postgres")
    (suppression,) = find_suppressions(parsed.comments, parsed.statements, RULES)
    assert suppression.rules == ("verified-table-rewrite",)
    assert suppression.unknown == ()
