"""JSON: an array of findings, 1-based lines and columns (end inclusive).

The text is exactly ``json.dumps(findings, indent=2)``, written out here because the standard
library falls back to its pure-Python encoder whenever ``indent`` is set: twice as slow, and the
report is written after every worker has finished, with one core.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii

from linters.reporters import Report

__all__ = ["render"]


def _value(value: object) -> str:
    if value.__class__ is str:
        return encode_basestring_ascii(value)
    if value.__class__ is int:
        return str(value)
    return json.dumps(value)


def render(report: Report) -> str:
    if not report.findings:
        return "[]\n"
    #: Each key as it starts its line, encoded once.
    keys: dict[str, str] = {}
    items = []
    for finding in report.findings:
        fields = []
        for key, value in finding.to_dict().items():
            line = keys.get(key)
            if line is None:
                line = keys[key] = f"    {encode_basestring_ascii(key)}: "
            fields.append(line + _value(value))
        items.append("  {\n" + ",\n".join(fields) + "\n  }")
    return "[\n" + ",\n".join(items) + "\n]\n"
