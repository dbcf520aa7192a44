"""Two migrations with the same version.

## What it does
Reports a migration file of the change whose version is also used by another migration of the
same directory and the same direction: another file of the change, a file on the base branch, or
another file known to be in the directory. Versions compare as numbers (`V1.10` is not `V1.1`,
`V1.0` is `V1`). An up/down pair (`12_x.up.sql` and `12_x.down.sql`, Flyway `V12` and `U12`)
shares its version by design and is not reported.

## Why is this bad?
The version is the migration's identity in the runner's history. With two files of the same
version the order between them is arbitrary, and the runner refuses to run, or applies one and
records the other as applied too. It happens most often when two pull requests each take the
next free number and both are merged.

## Example
```sql
-- db/V12__add_orders_status.sql (merged yesterday)
-- db/V12__add_users_team.sql (this pull request): same version 12
ALTER TABLE users ADD COLUMN team_id bigint;
```

## Use instead
```sql
-- db/V13__add_users_team.sql: the next free version
ALTER TABLE users ADD COLUMN team_id bigint;
```
The file already on the base branch keeps its version; the new one is reported. Between two new
files, the one that sorts first keeps it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from linters.dialects import ALL
from linters.finding import Severity
from linters.naming import MigrationName, parse_name
from linters.rule import Change, ChangedFile, ChangeRule, Violation

#: (directory, version key, direction): files that would share one slot in the history.
Slot = tuple[str, tuple[int, ...], str]


def _slot(path: str, name: MigrationName | None) -> Slot | None:
    if name is None or name.version_key is None:
        return None
    return posixpath.dirname(path), name.version_key, name.direction


def check(change: Change) -> Iterator[tuple[ChangedFile | None, Violation]]:
    changed = {file.path: file for file in change.files}
    deleted = set(change.deleted_paths)
    naming = change.config.naming
    #: Slot -> paths, those already merged first.
    holders: dict[Slot, list[str]] = {}
    known = [*(change.base_files or {}), *change.other_paths]
    for path in sorted(set(known) - set(changed) - deleted):
        slot = _slot(path, parse_name(posixpath.basename(path), naming))
        if slot is not None:
            holders.setdefault(slot, []).append(path)
    base = change.base_files or {}
    for path in sorted(changed, key=lambda path: (path not in base, path)):
        file = changed[path]
        slot = _slot(path, file.name)
        if slot is None:
            continue
        owners = holders.setdefault(slot, [])
        if owners and file.name is not None:
            yield file, _violation(path, file.name, owners[0])
        owners.append(path)


def _violation(path: str, name: MigrationName, owner: str) -> Violation:
    return Violation(
        message=(
            f"Renumber `{posixpath.basename(path)}`: version {name.version} is also used by "
            f"`{posixpath.basename(owner)}`"
        ),
        help="Give the migration the next free version",
    )


RULE = ChangeRule(
    id="version-duplicate",
    severity=Severity.ERROR,
    dialects=ALL,
    doc=__doc__ or "",
    check=check,
)
