"""Output formats of ``schemabot lint``: one module per format, each with ``render(report)``.

Reporters import only the standard library and ``linters.finding``: the CLI's warm (cached)
path renders findings without loading sqlglot or the rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module

from linters.finding import Finding

__all__ = ["FORMATS", "Report", "render"]

FORMATS = ("text", "json", "sarif", "github", "gitlab")


@dataclass(frozen=True)
class Report:
    """What a reporter may show: the findings and what it needs to describe them."""

    findings: Sequence[Finding]
    #: Each linted file's text (path -> text): the text format quotes the offending lines.
    sources: Mapping[str, str] = field(default_factory=dict)
    #: One-line title of each rule that has findings (rule id -> title), for SARIF.
    titles: Mapping[str, str] = field(default_factory=dict)
    #: How many files were checked, for summaries.
    files_checked: int = 0


def render(format_name: str, report: Report) -> str:
    if format_name not in FORMATS:
        raise ValueError(f"unknown format {format_name!r}; expected one of {', '.join(FORMATS)}")
    module = import_module(f"linters.reporters.{format_name}")
    text: str = module.render(report)
    return text
