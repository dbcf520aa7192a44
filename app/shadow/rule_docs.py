"""The verified rules' pages, generated from their docstrings into ``docs/shadow.md``.

``docs/rules/`` belongs to the linter's generator (which removes pages of rules it does not
know), so the verified rules live in the shadow run's own guide, between two markers.
Regenerate after changing a rule: ``.venv/bin/python -m app.shadow.rule_docs`` (``--check``
only tells whether the page is current; tests run it).
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

from app.shadow.findings import VERIFIED_RULES
from app.shadow.verified_rule import VerifiedRule

__all__ = ["DOC_PATH", "REGENERATE", "render", "rule_page", "stale"]

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "shadow.md"
REGENERATE = ".venv/bin/python -m app.shadow.rule_docs"
BEGIN = f"<!-- Verified rules: generated from app/shadow/rules by `{REGENERATE}`; do not edit. -->"
END = "<!-- End of the generated verified rules. -->"


def rule_page(rule: VerifiedRule) -> str:
    """The rule's page under the guide's ``## Verified rules``: its id a level-3 heading, its
    sections level 4."""
    lines = inspect.cleandoc(rule.doc).splitlines()
    body = "\n".join(f"##{line}" if line.startswith("## ") else line for line in lines[1:])
    return (
        f"### {rule.id}\n\n{rule.title}\n\n"
        f"Default severity: {rule.severity.value}. Dialects: PostgreSQL, MariaDB. "
        f"Since {rule.since}.\n{body.rstrip()}\n"
    )


def render(text: str) -> str:
    """``text`` (the guide) with the generated part between the markers replaced."""
    head, found, rest = text.partition(BEGIN)
    if not found:
        raise ValueError(f"{DOC_PATH.name} has no line {BEGIN!r}")
    _, found, tail = rest.partition(END)
    if not found:
        raise ValueError(f"{DOC_PATH.name} has no line {END!r}")
    pages = "\n".join(rule_page(rule) for _, rule in sorted(VERIFIED_RULES.items()))
    return f"{head}{BEGIN}\n\n{pages}\n{END}{tail}"


def stale(path: Path = DOC_PATH) -> bool:
    text = path.read_text(encoding="utf-8")
    return render(text) != text


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        if stale():
            sys.stderr.write(f"{DOC_PATH.name} is stale: run {REGENERATE}\n")
            sys.exit(1)
        sys.exit(0)
    DOC_PATH.write_text(render(DOC_PATH.read_text(encoding="utf-8")), encoding="utf-8")
