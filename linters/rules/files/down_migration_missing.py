"""Migration without a way back.

## What it does
Reports a golang-migrate `<version>_<name>.up.sql` without its `<version>_<name>.down.sql` (in
the change, on the base branch or among the directory's other files), and a dbmate file with a
`-- migrate:up` section but no `-- migrate:down` section. Off by default: select it where every
migration must be reversible. Flyway undo files (`U<version>__...`) are optional by design and
never asked for.

## Why is this bad?
When a rollout goes wrong, the quickest way back is the down migration. Without one, rolling
back means writing SQL under pressure, against production. golang-migrate's `down` stops at
the first version that has no down file.

## Example
```sql
-- db/000012_add_orders_status.up.sql, with no 000012_add_orders_status.down.sql
ALTER TABLE orders ADD COLUMN status text;
-- migrate down 1: "no migration found for version 12"
```

## Use instead
```sql
-- db/000012_add_orders_status.down.sql
ALTER TABLE orders DROP COLUMN status;
```
A migration that cannot be undone (it drops data) gets a down file that says so in a comment;
an empty down file counts as present. For dbmate, add the `-- migrate:down` line, even with
nothing under it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from linters.dialects import ALL
from linters.naming import MigrationNameError, has_dbmate_sections, parse_name, split_dbmate
from linters.rule import Change, ChangedFile, ChangeRule, Violation


def _down_versions(change: Change) -> set[tuple[str, tuple[int, ...]]]:
    """(directory, version) of every golang-migrate down file known to exist."""
    deleted = set(change.deleted_paths)
    paths = [file.path for file in change.files]
    paths += [*(change.base_files or {}), *change.other_paths]
    found = set()
    for path in paths:
        name = parse_name(posixpath.basename(path), "golang-migrate")
        if path in deleted or name is None or name.version_key is None:
            continue
        if name.direction == "down":
            found.add((posixpath.dirname(path), name.version_key))
    return found


def _lacks_down_section(file: ChangedFile) -> bool:
    if not has_dbmate_sections(file.source):
        return False
    try:
        return split_dbmate(file.source).down is None
    except MigrationNameError:
        return False  # a malformed dbmate file; the runner says what is wrong with it


def check(change: Change) -> Iterator[tuple[ChangedFile | None, Violation]]:
    downs = _down_versions(change)
    for file in change.files:
        name, filename = file.name, posixpath.basename(file.path)
        if name is not None and name.scheme == "golang-migrate" and name.direction == "up":
            key = (posixpath.dirname(file.path), name.version_key or ())
            if key not in downs:
                down = filename.removesuffix(".up.sql") + ".down.sql"
                yield (
                    file,
                    Violation(
                        message=f"Add `{down}` to undo `{filename}`",
                        help="The down file is the way back; if irreversible, say so in it",
                    ),
                )
        elif _lacks_down_section(file):
            yield (
                file,
                Violation(
                    message=f"Add a `-- migrate:down` section to `{filename}`",
                    help="The down section is the rollback path; it may stay empty if irreversible",
                ),
            )


RULE = ChangeRule(
    id="down-migration-missing",
    severity=None,
    dialects=ALL,
    doc=__doc__ or "",
    check=check,
)
