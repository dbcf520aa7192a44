"""Each output format's shape: text, json, sarif (GitHub's required fields), github, gitlab."""

from __future__ import annotations

import json
from typing import Any

import pytest

from linters.finding import Finding, Severity, Span
from linters.reporters import FORMATS, Report, render
from linters.reporters.github import escape_data, escape_property

SOURCE = "CREATE TABLE users (id bigint);\n\tCREATE INDEX ix ON users (email);\nDROP TABLE x;\n"
FINDINGS = [
    Finding(
        "db/V2__add index.sql", Span(2, 2, 2, 33), "create-index-not-concurrently",
        Severity.ERROR, "Create index `ix` CONCURRENTLY", "Use CREATE INDEX CONCURRENTLY",
    ),
    Finding(
        "db/V2__add index.sql", Span(2, 2, 3, 13), "statements-after-lock", Severity.WARNING,
        "Move it, 100%: a, b", "Split the file",
    ),
    Finding("db/V3.sql", Span(1, 1, 1, 1), "parse-error", Severity.INFO, "Hm", "Look"),
]  # fmt: skip
REPORT = Report(
    FINDINGS,
    sources={"db/V2__add index.sql": SOURCE},
    titles={"create-index-not-concurrently": "Create indexes concurrently."},
    files_checked=5,
)


def test_text_is_compiler_like_with_the_source_underlined() -> None:
    out = render("text", REPORT)
    lines = out.splitlines()
    assert lines[0] == (
        "db/V2__add index.sql:2:2: create-index-not-concurrently Create index `ix` CONCURRENTLY"
    )
    assert lines[1:5] == [
        "  |",
        "2 | \tCREATE INDEX ix ON users (email);",
        "  | \t" + "^" * 32 + " error",
        "  = help: Use CREATE INDEX CONCURRENTLY",
    ]
    assert "3 | DROP TABLE x;" in out
    assert "  | ^^^^^^^^^^^^^" in out
    assert lines[-1] == "Found 1 error, 1 warning, 1 info in 2 files (5 files checked)."


def test_text_without_findings_says_so() -> None:
    assert render("text", Report([], files_checked=1)) == "No findings (1 file checked).\n"


def test_text_quotes_at_most_a_few_lines_of_a_long_statement() -> None:
    long = Finding("a.sql", Span(1, 1, 40, 2), "r", Severity.ERROR, "m", "h")
    source = "\n".join(f"line {n}" for n in range(1, 41))
    out = render("text", Report([long], sources={"a.sql": source}, files_checked=1))
    assert "4 | line 4" in out and "5 | line 5" not in out
    assert "... (36 more lines)" in out


def test_json_is_exactly_what_the_json_module_writes_with_an_indent_of_two() -> None:
    odd = Finding(
        'db/"quoted"\\V1__é.sql', Span(1, 1, 9, 80), "drop-table", Severity.WARNING,
        "Tab\there, newline\nthere, snowman \u2603, emoji \U0001f600", "Ctrl \x01 and \x7f",
        "DROP TABLE t;",
    )  # fmt: skip
    for findings in ([], FINDINGS, [*FINDINGS, odd]):
        expected = json.dumps([finding.to_dict() for finding in findings], indent=2) + "\n"
        assert render("json", Report(findings)) == expected


def test_json_is_an_array_of_findings_with_one_based_places() -> None:
    data = json.loads(render("json", REPORT))
    assert data[0] == {
        "path": "db/V2__add index.sql",
        "line": 2,
        "column": 2,
        "end_line": 2,
        "end_column": 33,
        "rule": "create-index-not-concurrently",
        "severity": "error",
        "message": "Create index `ix` CONCURRENTLY",
        "help": "Use CREATE INDEX CONCURRENTLY",
        "url": "https://schemabot.dev/rules/create-index-not-concurrently",
    }
    assert len(data) == 3


def _require(node: dict[str, Any], *keys: str) -> None:
    for key in keys:
        assert key in node and node[key] not in ("", None), f"missing {key} in {node}"


def test_sarif_has_every_field_github_code_scanning_requires() -> None:
    log = json.loads(render("sarif", REPORT))
    _require(log, "$schema", "version", "runs")
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    _require(run, "tool", "results")
    driver = run["tool"]["driver"]
    _require(driver, "name", "rules")
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == ["create-index-not-concurrently", "statements-after-lock", "parse-error"]
    for rule in driver["rules"]:
        _require(rule, "id", "shortDescription", "fullDescription", "help", "helpUri")
        _require(rule["shortDescription"], "text")
        _require(rule["fullDescription"], "text")
        _require(rule["help"], "text")
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert driver["rules"][0]["shortDescription"]["text"] == "Create indexes concurrently."
    assert [result["level"] for result in run["results"]] == ["error", "warning", "note"]
    for index, result in enumerate(run["results"]):
        _require(result, "ruleId", "message", "locations", "partialFingerprints")
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        _require(result["message"], "text")
        physical = result["locations"][0]["physicalLocation"]
        _require(physical["artifactLocation"], "uri")
        region = physical["region"]
        _require(region, "startLine", "startColumn", "endLine", "endColumn")
        assert all(isinstance(value, int) and value >= 1 for value in region.values())
        span = FINDINGS[index].span
        # SARIF's endColumn is the column after the region; ours is the last one.
        assert region == {
            "startLine": span.line,
            "startColumn": span.column,
            "endLine": span.end_line,
            "endColumn": span.end_column + 1,
        }
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "db/V2__add%20index.sql"


def test_sarif_fingerprints_do_not_depend_on_the_line() -> None:
    moved = Finding("a.sql", Span(9, 1, 9, 5), "r", Severity.ERROR, "m", "h")
    first = Finding("a.sql", Span(2, 1, 2, 5), "r", Severity.ERROR, "m", "h")

    def fingerprint(finding: Finding) -> str:
        log = json.loads(render("sarif", Report([finding])))
        return str(log["runs"][0]["results"][0]["partialFingerprints"])

    assert fingerprint(moved) == fingerprint(first)


def test_github_commands_escape_data_and_properties() -> None:
    lines = render("github", REPORT).splitlines()
    assert lines[0] == (
        "::error file=db/V2__add index.sql,line=2,col=2,endLine=2,endColumn=33,"
        "title=create-index-not-concurrently::Create index `ix` CONCURRENTLY%0A"
        "Use CREATE INDEX CONCURRENTLY%0Ahttps://schemabot.dev/rules/create-index-not-concurrently"
    )
    # A multi-line range: GitHub reads columns only on one line, so they are left out.
    assert lines[1].startswith(
        "::warning file=db/V2__add index.sql,line=2,endLine=3,title=statements-after-lock::"
        "Move it, 100%25: a, b%0A"
    )
    assert lines[2].startswith("::notice file=db/V3.sql,line=1,col=1,")
    assert escape_data("a%b\r\nc") == "a%25b%0D%0Ac"
    assert escape_property("x:y,z%\n") == "x%3Ay%2Cz%25%0A"


def test_github_property_with_comma_and_colon_in_the_path() -> None:
    odd = Finding("a,b:c.sql", Span(1, 1, 1, 1), "r", Severity.ERROR, "m", "h")
    assert render("github", Report([odd])).startswith("::error file=a%2Cb%3Ac.sql,line=1,")


def test_gitlab_code_quality_issues() -> None:
    issues = json.loads(render("gitlab", REPORT))
    assert [issue["severity"] for issue in issues] == ["critical", "major", "info"]
    for issue, finding in zip(issues, FINDINGS, strict=True):
        assert issue["description"] == finding.message
        assert issue["check_name"] == finding.rule
        assert issue["location"] == {
            "path": finding.path,
            "lines": {"begin": finding.span.line, "end": finding.span.end_line},
        }
        assert len(issue["fingerprint"]) == 64
    assert len({issue["fingerprint"] for issue in issues}) == 3


def test_gitlab_fingerprints_are_stable_and_tell_repeats_apart() -> None:
    twice = [FINDINGS[2], FINDINGS[2]]
    first = json.loads(render("gitlab", Report(twice)))
    again = json.loads(render("gitlab", Report(twice)))
    assert [i["fingerprint"] for i in first] == [i["fingerprint"] for i in again]
    assert first[0]["fingerprint"] != first[1]["fingerprint"]


@pytest.mark.parametrize("format_name", FORMATS)
def test_every_format_renders_an_empty_report(format_name: str) -> None:
    assert isinstance(render(format_name, Report([])), str)


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        render("xml", REPORT)
