"""Text for people, compiler style: ``path:line:col: rule-id message``, the offending lines
with the range underlined, the safer alternative, and a summary line."""

from __future__ import annotations

from collections import Counter

from linters.finding import Finding, Severity
from linters.reporters import Report

__all__ = ["render"]

#: A statement can span hundreds of lines; its first lines are enough to recognise it.
MAX_QUOTED_LINES = 4


def _underline(line: str, start: int, end: int) -> str:
    """Carets under ``line[start:end]`` (0-based), at least one."""
    prefix = "".join("\t" if char == "\t" else " " for char in line[:start])
    return prefix + "^" * max(1, min(end, len(line)) - start)


def _snippet(finding: Finding, lines: list[str]) -> list[str]:
    span = finding.span
    last = min(span.end_line, len(lines), span.line + MAX_QUOTED_LINES - 1)
    if span.line > len(lines):
        return []
    width = len(str(last))
    gutter = " " * width
    out = [f"{gutter} |"]
    for number in range(span.line, last + 1):
        line = lines[number - 1]
        start = span.column - 1 if number == span.line else len(line) - len(line.lstrip())
        end = span.end_column if number == span.end_line else len(line)
        out.append(f"{number:>{width}} | {line}")
        label = f" {finding.severity.value}" if number == span.line else ""
        out.append(f"{gutter} | {_underline(line, start, end)}{label}")
    if last < span.end_line:
        out.append(f"{gutter} | ... ({span.end_line - last} more lines)")
    return out


def _summary(report: Report) -> str:
    def files(count: int) -> str:
        return f"{count} file{'s' if count != 1 else ''}"

    checked = f"{files(report.files_checked)} checked"
    if not report.findings:
        return f"No findings ({checked})."
    counts = Counter(finding.severity for finding in report.findings)
    parts = []
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        if counts[severity]:
            noun = {"error": "error", "warning": "warning", "info": "info"}[severity.value]
            plural = "s" if counts[severity] != 1 and severity != Severity.INFO else ""
            parts.append(f"{counts[severity]} {noun}{plural}")
    with_findings = len({finding.path for finding in report.findings})
    return f"Found {', '.join(parts)} in {files(with_findings)} ({checked})."


def render(report: Report) -> str:
    out: list[str] = []
    split: dict[str, list[str]] = {}
    for finding in report.findings:
        span = finding.span
        out.append(f"{finding.path}:{span.line}:{span.column}: {finding.rule} {finding.message}")
        if finding.path not in split:
            # Lines as the spans count them: "\n" only (str.splitlines knows more breaks).
            text = report.sources.get(finding.path, "")
            split[finding.path] = [line.removesuffix("\r") for line in text.split("\n")]
        snippet = _snippet(finding, split[finding.path])
        out.extend(snippet)
        indent = snippet[0][: snippet[0].index("|")] if snippet else ""
        out.append(f"{indent}= help: {finding.help}")
        out.append("")
    out.append(_summary(report))
    return "\n".join(out) + "\n"
