"""SARIF 2.1.0, as GitHub code scanning accepts it (``github/codeql-action/upload-sarif``).

Every property GitHub lists as required is present, ``$schema`` included (an identifier:
nothing fetches it). SARIF regions end *after* their last character; our spans end *on* it,
hence ``+ 1``. Columns count Unicode code points, which the run declares in ``columnKind``.
The line hash GitHub tracks alerts by leaves the line number out, so an alert survives edits
above it.
"""

from __future__ import annotations

import json
from hashlib import sha256
from urllib.parse import quote

from linters.finding import Finding, Severity
from linters.reporters import Report

__all__ = ["LEVEL", "render"]

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _uri(path: str) -> str:
    return quote(path.replace("\\", "/").removeprefix("./"), safe="/")


def _result(finding: Finding, rule_index: int, occurrence: int) -> dict[str, object]:
    span = finding.span
    identity = sha256(f"{finding.rule}\0{finding.path}\0{finding.message}".encode())
    return {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": f"{finding.message}. {finding.help}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(finding.path)},
                    "region": {
                        "startLine": span.line,
                        "startColumn": span.column,
                        "endLine": span.end_line,
                        "endColumn": span.end_column + 1,
                    },
                }
            }
        ],
        "partialFingerprints": {
            "primaryLocationLineHash": f"{identity.hexdigest()[:16]}:{occurrence}"
        },
    }


def _rule(finding: Finding, title: str) -> dict[str, object]:
    return {
        "id": finding.rule,
        "name": finding.rule,
        "shortDescription": {"text": title},
        "fullDescription": {"text": f"{title} See {finding.url}"},
        "help": {"text": f"{title} {finding.url}", "markdown": f"[{title}]({finding.url})"},
        "helpUri": finding.url,
        "defaultConfiguration": {"level": LEVEL[finding.severity]},
    }


def render(report: Report) -> str:
    rules: dict[str, dict[str, object]] = {}
    results = []
    seen: dict[tuple[str, str, str], int] = {}
    for finding in report.findings:
        if finding.rule not in rules:
            rules[finding.rule] = _rule(finding, report.titles.get(finding.rule, finding.rule))
        identity = (finding.rule, finding.path, finding.message)
        occurrence = seen[identity] = seen.get(identity, 0) + 1
        results.append(_result(finding, list(rules).index(finding.rule), occurrence))
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "schemabot", "rules": list(rules.values())}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
