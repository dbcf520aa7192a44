"""GitLab Code Quality report: a JSON array GitLab shows in merge requests.

The fingerprint leaves the line number out, so a finding keeps its identity when lines above
it move, and GitLab can tell new findings from resolved ones between the base and the branch.
"""

from __future__ import annotations

import json
from hashlib import sha256

from linters.finding import Severity
from linters.reporters import Report

__all__ = ["render"]

SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}


def render(report: Report) -> str:
    issues = []
    seen: dict[tuple[str, str, str], int] = {}
    for finding in report.findings:
        identity = (finding.rule, finding.path, finding.message)
        occurrence = seen[identity] = seen.get(identity, -1) + 1
        fingerprint = sha256("\0".join([*identity, str(occurrence)]).encode()).hexdigest()
        issues.append(
            {
                "type": "issue",
                "description": finding.message,
                "check_name": finding.rule,
                "fingerprint": fingerprint,
                "severity": SEVERITY[finding.severity],
                "location": {
                    "path": finding.path,
                    "lines": {"begin": finding.span.line, "end": finding.span.end_line},
                },
            }
        )
    return json.dumps(issues, indent=2) + "\n"
