"""New migration numbered below migrations already merged.

## What it does
Reports a migration file the change adds whose version is lower than the highest version of
the same directory on the base branch. Without a base to compare with (plain `schemabot lint`),
the rule stays quiet. Repeatable (`R__`) and down files are not ordered and are not reported; the
same version as a merged file is `version-duplicate`.

If your runner is configured to allow out-of-order migrations, lower the severity:
`severity = { version-out-of-order = "warning" }`.

## Why is this bad?
Environments that already applied the later versions have to run an older version after newer
ones. The runner refuses that by default ("out-of-order migrations") and the rollout stops; with
out-of-order allowed, environments end up with histories in different orders, and a migration
written against an older schema runs against a newer one. It happens when a branch was opened
before another one merged.

## Example
```sql
-- base branch: V14__add_users_team.sql, V15__index_users_team.sql
-- this pull request, branched before V14 was merged:
-- V14_1__add_orders_status.sql: version 14.1 is below 15
ALTER TABLE orders ADD COLUMN status text;
```

## Use instead
```sql
-- rebase on the base branch, then number after the highest version:
-- V16__add_orders_status.sql
ALTER TABLE orders ADD COLUMN status text;
```
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from linters.dialects import ALL
from linters.finding import Severity
from linters.naming import MigrationName, parse_name
from linters.rule import Change, ChangedFile, ChangeRule, Violation


def _highest_merged(change: Change) -> dict[str, tuple[tuple[int, ...], str]]:
    """Directory -> the highest up version on the base branch and its file name."""
    deleted = set(change.deleted_paths)
    highest: dict[str, tuple[tuple[int, ...], str]] = {}
    for path in change.base_files or {}:
        filename = posixpath.basename(path)
        name = parse_name(filename, change.config.naming)
        if path in deleted or name is None or name.version_key is None or name.direction != "up":
            continue
        directory = posixpath.dirname(path)
        if directory not in highest or highest[directory][0] < name.version_key:
            highest[directory] = (name.version_key, filename)
    return highest


def check(change: Change) -> Iterator[tuple[ChangedFile | None, Violation]]:
    if change.base_files is None:
        return
    highest = _highest_merged(change)
    for file in change.files:
        name = file.name
        if file.path in change.base_files or name is None or name.version_key is None:
            continue
        merged = highest.get(posixpath.dirname(file.path))
        if name.direction == "up" and merged is not None and name.version_key < merged[0]:
            yield file, _violation(file.path, name, merged[1])


def _violation(path: str, name: MigrationName, highest: str) -> Violation:
    return Violation(
        message=(
            f"Renumber `{posixpath.basename(path)}` after `{highest}`: version {name.version} "
            "is below a migration already merged"
        ),
        help="Rebase on the base branch and give the migration the next free version",
    )


RULE = ChangeRule(
    id="version-out-of-order",
    severity=Severity.ERROR,
    dialects=ALL,
    doc=__doc__ or "",
    check=check,
)
