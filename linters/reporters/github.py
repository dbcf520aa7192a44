"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

``::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=RULE::MESSAGE``. GitHub reads
``col``/``endColumn`` only for a single-line range, so they are left out for longer ones.
"""

from __future__ import annotations

from linters.finding import Finding, Severity
from linters.reporters import Report

__all__ = ["escape_data", "escape_property", "render"]

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(finding: Finding) -> str:
    span = finding.span
    properties = [("file", finding.path), ("line", str(span.line))]
    if span.line == span.end_line:
        properties.append(("col", str(span.column)))
    properties.append(("endLine", str(span.end_line)))
    if span.line == span.end_line:
        properties.append(("endColumn", str(span.end_column)))
    properties.append(("title", finding.rule))
    joined = ",".join(f"{name}={escape_property(value)}" for name, value in properties)
    message = escape_data(f"{finding.message}\n{finding.help}\n{finding.url}")
    return f"::{_COMMAND[finding.severity]} {joined}::{message}"


def render(report: Report) -> str:
    return "".join(_command(finding) + "\n" for finding in report.findings)
