"""The shape of a verified rule: like a lint rule, with a stable id, a default severity and its
docs page in the module docstring, but its check reads what a shadow run measured."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from app.shadow.results import ShadowReport
from linters.finding import Finding, Severity

__all__ = ["VerifiedCheck", "VerifiedRule"]

VerifiedCheck = Callable[[ShadowReport], Iterable[Finding]]


@dataclass(frozen=True)
class VerifiedRule:
    #: Stable kebab-case id, ``verified-`` first; never reused for another meaning.
    id: str
    severity: Severity
    #: The module docstring: the rule's docs page.
    doc: str
    check: VerifiedCheck
    #: Lint rules that already say the same of the same statement: with one of them on it, the
    #: verified finding would be a duplicate.
    same_meaning: frozenset[str] = frozenset()
    since: str = "0.1.0"

    @property
    def title(self) -> str:
        return self.doc.strip().splitlines()[0].strip()
