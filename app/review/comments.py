"""What an inline review comment says: the rule, what is wrong, why, and what to do instead.

A comment is read by the author of the migration in the middle of a diff, so it is short: the
rule id linked to its docs page, the finding's message (which names the table, column or index),
one or two sentences of why from the rule's docs, the safe alternative, and, when the fix is
mechanical and the statement has its lines to itself, a suggestion the author can apply with one
click.
"""

from __future__ import annotations

import re
from functools import cache

from app.review.anchors import Anchor
from app.shadow.findings import VERIFIED_RULES
from linters.finding import Finding
from linters.registry import RULES

__all__ = [
    "comment_body",
    "finding_marker",
    "fingerprint_in",
    "suggestion_block",
    "why_of",
]

_WHY_SECTION = re.compile(
    r"^## Why is this bad\?\s*\n(?P<body>.*?)(?:\n\s*\n|\n## |\Z)", re.M | re.S
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`*(])")
#: Sentences of "why" quoted from the rule's docs: enough to convince, short enough to read.
WHY_SENTENCES = 2
#: The marker hidden in each inline comment, with the finding's fingerprint.
FINDING_MARKER = "<!-- schemabot:finding {fingerprint} -->"
_FINDING_MARKER = re.compile(r"<!-- schemabot:finding (?P<fingerprint>[0-9a-f]+) -->")


@cache
def why_of(rule_id: str) -> str:
    """The first sentences of the rule's "Why is this bad?" section, on one line."""
    rule = RULES.get(rule_id) or VERIFIED_RULES.get(rule_id)
    if rule is None:
        return ""
    found = _WHY_SECTION.search(rule.doc)
    if found is None:
        return ""
    paragraph = " ".join(found["body"].split())
    return " ".join(_SENTENCE_END.split(paragraph)[:WHY_SENTENCES])


def _fence(text: str) -> str:
    """A code fence longer than any backtick run inside ``text``."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def suggestion_block(forge: str, anchor: Anchor, suggestion: str, comment_line: int) -> str | None:
    """A suggestion replacing the statement's lines; None when the forge has no such syntax.

    GitHub replaces exactly the lines the comment covers (``start_line``..``line``). GitLab
    replaces ``-A+B`` lines around the line its discussion sits on: the adapters place a
    comment's discussion on its last line, so the statement's lines are ``A`` above and none below.
    """
    replacement = anchor.replaced_by(suggestion)
    fence = _fence(replacement)
    if forge == "github":
        opening = f"{fence}suggestion"
    elif forge == "gitlab":
        opening = f"{fence}suggestion:-{comment_line - anchor.start_line}+0"
    else:
        return None
    return f"{opening}\n{replacement}\n{fence}"


def finding_marker(fingerprint: str) -> str:
    return FINDING_MARKER.format(fingerprint=fingerprint)


def fingerprint_in(body: str) -> str | None:
    """The fingerprint a comment carries: the forge may hand back a comment it moved to
    another line, so comments are matched to findings by it, not by position."""
    found = _FINDING_MARKER.search(body)
    return found["fingerprint"] if found else None


def comment_body(finding: Finding, fingerprint: str, suggestion: str | None = None) -> str:
    parts = [
        f"**[{finding.rule}]({finding.url})** ({finding.severity.value}): {finding.message}",
    ]
    why = why_of(finding.rule)
    if why:
        parts.append(f"**Why:** {why}")
    parts.append(f"**Instead:** {finding.help}")
    if suggestion:
        parts.append(suggestion)
    parts.append(finding_marker(fingerprint))
    return "\n\n".join(parts)
