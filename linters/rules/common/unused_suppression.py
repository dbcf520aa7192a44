"""Suppression comment that suppresses nothing.

## What it does
Reports a `-- schemabot:ignore` (or `-- schemabot:ignore-file`) comment that names an unknown
rule id, that suppressed no finding, or that has no reason while the configuration requires one
(`require_suppression_reason = true`).

## Why is this bad?
A suppression is a reviewed exception. Once the statement it covered changes, or the rule is
renamed, a stale suppression silently hides the *next* problem on that statement. A misspelled
rule id suppresses nothing at all, and the author believes the exception is in place. A
suppression without a reason leaves the next reviewer guessing whether the risk was understood.

## Example
```sql
-- schemabot:ignore drop-tabel -- legacy table, empty since 2023
DROP TABLE legacy_events;  -- the typo means drop-table still fires

-- schemabot:ignore create-index-not-concurrently -- small table
CREATE INDEX CONCURRENTLY ix_users_email ON users (email);  -- nothing left to suppress
```

## Use instead
```sql
-- schemabot:ignore drop-table -- legacy table, empty since 2023
DROP TABLE legacy_events;

CREATE INDEX CONCURRENTLY ix_users_email ON users (email);
```

## Notes
This rule runs after every other rule of the change, since it needs their findings; it cannot be
suppressed inline. Disable it in the configuration (`severity."unused-suppression" = "off"`).
Squawk's `-- squawk-ignore` comments are checked too, with Squawk's rule names mapped to ours.
Ids starting `verified-` name the shadow run's findings: they are never reported here, since
only a shadow run knows whether such a suppression silenced something.
"""

from __future__ import annotations

from collections.abc import Iterator

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import FileRule, LintedFile, Violation
from linters.suppression import Unused


def check(file: LintedFile) -> Iterator[Violation]:
    # The engine calls ``report`` once every other rule has run: unused means "matched no
    # finding of the whole change", which no single file can tell.
    return iter(())


def _names(rules: tuple[str, ...]) -> str:
    return ", ".join(f"`{rule}`" for rule in rules)


def report(unused: Unused) -> Iterator[Violation]:
    suppression = unused.suppression
    if unused.missing_reason:
        yield Violation(
            message=f"Give the suppression `{suppression.text}` a reason",
            help="Write why the finding is acceptable after a second `--`: "
            "`-- schemabot:ignore rule-id -- why`",
            span=suppression.span,
        )
        return
    for name, closest in suppression.unknown:
        hint = f" (did you mean `{closest}`?)" if closest else ""
        yield Violation(
            message=f"Remove the unknown rule id `{name}` from the suppression{hint}",
            help="List rule ids as `schemabot rules` prints them",
            span=suppression.span,
        )
    if unused.unused_rules:
        not_enabled = (
            f"; not enabled here: {_names(unused.not_enabled)}" if unused.not_enabled else ""
        )
        yield Violation(
            message=f"Remove the unused suppression of {_names(unused.unused_rules)}{not_enabled}",
            help="Delete the rule id from the comment, or the comment if nothing is left",
            span=suppression.span,
        )
    if unused.unused_all:
        yield Violation(
            message=f"Remove the unused suppression `{suppression.text}`",
            help="Delete the comment: no finding is left for it to suppress",
            span=suppression.span,
        )


RULE = FileRule(
    id="unused-suppression",
    severity=Severity.WARNING,
    dialects=ALL,
    doc=__doc__ or "",
    check=check,
)
