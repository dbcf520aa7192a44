"""Inline suppressions: ``-- schemabot:ignore rule-a, rule-b -- reason`` and friends.

Where a suppression applies (documented in docs/linter.md):

* ``schemabot:ignore`` written *inside* a statement, or *after* it on the line where it ends,
  applies to that statement; written on a line of its own (among the comments before a
  statement), it applies to the next statement. So both "on the statement's first line" and "on
  the line before" work, and a trailing comment never reaches the following statement.
* ``schemabot:ignore-file`` applies to the whole file, wherever it is written.
* No rule ids: every rule. Text after a second ``--`` is the reason.
* Squawk's ``squawk-ignore`` / ``squawk-ignore-file`` are honoured with Squawk's rule names
  mapped to ours, so a project moving from Squawk keeps its reviewed exceptions.
* Ids starting ``verified-`` name the findings of the service's shadow verification, which
  applies these same comments to them: the linter accepts such ids and never calls them unused
  (whether they silence something is only known once a shadow run has measured).

Only the standard library and light contracts: the engine finds suppressions when it parses a
file, the results are cached, and ``apply`` runs over the findings of the whole change (change
rules report into files too).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from linters.finding import Finding, Span

if TYPE_CHECKING:
    from linters.parse import Comment
    from linters.statement import Statement

__all__ = [
    "SQUAWK_RULES",
    "VERIFIED_PREFIX",
    "Suppression",
    "Unused",
    "apply",
    "find_suppressions",
]

#: The ids of the shadow verification's findings start so (never a lint rule's).
VERIFIED_PREFIX = "verified-"

_DIRECTIVE = re.compile(
    r"^\s*(?P<tool>schemabot:|squawk-)(?P<kind>ignore-file|ignore)(?![\w-])(?P<rest>.*)\Z",
    re.DOTALL,
)

#: Squawk's rule names (v2.x) and the schemabot rules that check the same thing.
SQUAWK_RULES: dict[str, tuple[str, ...]] = {
    "adding-field-with-default": ("add-column-volatile-default", "add-column-generated-stored"),
    "adding-foreign-key-constraint": ("add-foreign-key-validating",),
    "adding-not-nullable-field": ("set-not-null-scan",),
    "adding-required-field": ("add-column-required",),
    "adding-serial-primary-key-field": ("add-primary-key-locking",),
    "ban-alter-domain-with-add-constraint": ("domain-check-constraint",),
    "ban-char-field": ("avoid-char",),
    "ban-concurrent-index-creation-in-transaction": ("non-transactional-in-transaction",),
    "ban-create-domain-with-constraint": ("domain-check-constraint",),
    "ban-drop-column": ("drop-column",),
    "ban-drop-database": ("drop-database",),
    "ban-drop-not-null": ("drop-not-null",),
    "ban-drop-table": ("drop-table",),
    "ban-duplicate-column-assignments": ("duplicate-column",),
    "ban-truncate-cascade": ("cascade-drop",),
    "ban-uncommitted-transaction": ("transaction-not-committed",),
    "changing-column-type": ("change-column-type",),
    "constraint-missing-not-valid": (
        "add-check-validating",
        "add-foreign-key-validating",
        "validate-in-same-transaction",
    ),
    "disallowed-unique-constraint": ("add-unique-constraint-locking",),
    "identifier-too-long": ("identifier-too-long",),
    "prefer-bigint-over-int": ("prefer-bigint",),
    "prefer-bigint-over-smallint": ("prefer-bigint",),
    "prefer-identity": ("prefer-identity",),
    "prefer-repack": ("table-rewrite-command",),
    "prefer-robust-stmts": ("statement-not-idempotent", "non-transactional-file-not-single"),
    "prefer-text-field": ("prefer-text-over-varchar",),
    "prefer-timestamp-tz": ("prefer-timestamptz",),
    "prefer-timestamptz": ("prefer-timestamptz",),
    "renaming-column": ("rename-column",),
    "renaming-table": ("rename-table",),
    "require-concurrent-index-creation": ("create-index-not-concurrently",),
    "require-concurrent-index-deletion": ("drop-index-not-concurrently",),
    "require-concurrent-partition-detach": ("detach-partition-not-concurrently",),
    "require-concurrent-reindex": ("reindex-not-concurrently",),
    "require-enum-value-ordering": ("enum-value-unordered",),
    "require-lock-timeout": ("lock-timeout-missing",),
    "require-statement-timeout": ("statement-timeout-missing",),
    "require-table-schema": ("schema-unqualified",),
    "require-timeout-settings": ("lock-timeout-missing", "statement-timeout-missing"),
    "syntax-error": ("parse-error",),
    "transaction-nesting": ("transaction-control-in-wrapped-file",),
}


class Suppression(NamedTuple):
    """One ignore comment, resolved to the rules and statements it covers."""

    #: The comment itself: unused-suppression findings point here.
    span: Span
    file_wide: bool
    #: Rule ids (Squawk names already mapped); empty for "every rule".
    rules: tuple[str, ...]
    #: Names that are no rule id, each with the closest known id (or "").
    unknown: tuple[tuple[str, str], ...]
    reason: str | None
    #: The statements a statement-level suppression covers.
    targets: tuple[Span, ...] = ()
    #: The comment's text as written, for messages.
    text: str = ""


class Unused(NamedTuple):
    """What was wrong with a suppression, for the unused-suppression rule to report."""

    path: str
    suppression: Suppression
    #: Rule ids it names that suppressed nothing.
    unused_rules: tuple[str, ...] = ()
    #: A bare suppression that suppressed nothing.
    unused_all: bool = False
    #: It has no reason while one is required, so it suppressed nothing.
    missing_reason: bool = False
    #: Named rules that are not enabled in this run (a subset of unused_rules).
    not_enabled: tuple[str, ...] = ()


def _closest(name: str, known: Collection[str]) -> str:
    from difflib import get_close_matches

    close = get_close_matches(name, list(known), n=1)
    return close[0] if close else ""


def _contains(outer: Span, line: int, column: int) -> bool:
    return (outer.line, outer.column) <= (line, column) <= (outer.end_line, outer.end_column)


def _targets(comment: Comment, statements: Sequence[Statement]) -> tuple[Span, ...]:
    for statement in statements:
        inside = statement.start <= comment.start < statement.end
        trailing = statement.end <= comment.start and statement.span.end_line == comment.span.line
        if inside or trailing:
            return (statement.span,)
    following = [statement for statement in statements if statement.start > comment.start]
    return (following[0].span,) if following else ()


def find_suppressions(
    comments: Iterable[Comment], statements: Sequence[Statement], known: Collection[str]
) -> list[Suppression]:
    """The suppression comments of a file; ``known`` is every registered rule id."""
    found = []
    for comment in comments:
        match = _DIRECTIVE.match(comment.text)
        if match is None:
            continue
        names_text, _, reason = match["rest"].partition("--")
        rules: list[str] = []
        unknown: list[tuple[str, str]] = []
        for name in filter(None, re.split(r"[\s,]+", names_text.strip())):
            mapped = SQUAWK_RULES.get(name, ()) if match["tool"] == "squawk-" else (name,)
            registered = [r for r in mapped if r in known or r.startswith(VERIFIED_PREFIX)]
            if registered:
                rules.extend(rule for rule in registered if rule not in rules)
            else:
                unknown.append((name, "" if mapped != (name,) else _closest(name, known)))
        file_wide = match["kind"] == "ignore-file"
        found.append(
            Suppression(
                span=comment.span,
                file_wide=file_wide,
                rules=tuple(rules),
                unknown=tuple(unknown),
                reason=reason.strip() or None,
                targets=() if file_wide else _targets(comment, statements),
                text=comment.text.strip(),
            )
        )
    return found


def _covers(suppression: Suppression, finding: Finding) -> bool:
    # Naming only unknown rules must not turn into "every rule".
    named = suppression.rules or suppression.unknown
    if named and finding.rule not in suppression.rules:
        return False
    if suppression.file_wide:
        return True
    return any(_contains(t, finding.span.line, finding.span.column) for t in suppression.targets)


def apply(
    findings: Iterable[Finding],
    suppressions: Mapping[str, Sequence[Suppression]],
    *,
    require_reason: bool,
    enabled: Collection[str],
) -> tuple[list[Finding], list[Unused]]:
    """Drop suppressed findings; say which suppressions were unknown, unused or unjustified.

    ``suppressions`` maps a path to its file's suppressions; ``enabled`` names the rules that
    ran, to tell "suppressed nothing" from "its rule is not enabled here".
    """
    kept: list[Finding] = []
    used: dict[int, set[str]] = {}
    for finding in findings:
        suppressed = False
        for suppression in suppressions.get(finding.path, ()):
            if _covers(suppression, finding):
                used.setdefault(id(suppression), set()).add(finding.rule)
                # Without a required reason a suppression counts as used (so it is reported
                # once, for the reason) but does not hide the finding.
                suppressed = suppressed or not require_reason or suppression.reason is not None
        if not suppressed:
            kept.append(finding)
    problems: list[Unused] = []
    for path, file_suppressions in suppressions.items():
        for suppression in file_suppressions:
            hits = used.get(id(suppression), set())
            missing_reason = require_reason and suppression.reason is None
            unused_rules = tuple(
                rule
                for rule in suppression.rules
                if rule not in hits and not rule.startswith(VERIFIED_PREFIX)
            )
            unused_all = not suppression.rules and not suppression.unknown and not hits
            if missing_reason or unused_rules or unused_all or suppression.unknown:
                problems.append(
                    Unused(
                        path=path,
                        suppression=suppression,
                        unused_rules=unused_rules,
                        unused_all=unused_all,
                        missing_reason=missing_reason,
                        not_enabled=tuple(r for r in unused_rules if r not in enabled),
                    )
                )
    return kept, problems
