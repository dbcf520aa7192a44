"""JSON: an array of findings, 1-based lines and columns (end inclusive)."""

from __future__ import annotations

import json

from linters.reporters import Report

__all__ = ["render"]


def render(report: Report) -> str:
    return json.dumps([finding.to_dict() for finding in report.findings], indent=2) + "\n"
