"""Migration file name that the runner cannot read.

## What it does
Reports a migration file whose name does not follow the configured naming scheme (`naming` in
the `[lint]` configuration), or, with `naming = "auto"`, follows none of them or not the one
the other migrations of its directory follow. The schemes:

- Flyway: `V<version>__<description>.sql`, `U<version>__<description>.sql` (undo),
  `R__<description>.sql` (repeatable); versions like `1`, `1.2`, `1_2`.
- golang-migrate: `<version>_<name>.up.sql` and `<version>_<name>.down.sql`.
- dbmate and plain: `<version>_<name>.sql` (dbmate files carry `-- migrate:up` / `-- migrate:down`).

## Why is this bad?
A runner reads the version, and with it the order, from the file name. A file it cannot read is
skipped without a word, or rejected at rollout time, or (with a name from another scheme) run in
the wrong order. The change it carries is silently not applied.

## Example
```sql
-- db/migrations/add_orders_status.sql: no version, the runner never applies it
ALTER TABLE orders ADD COLUMN status text;
```

## Use instead
```sql
-- db/migrations/V12__add_orders_status.sql
ALTER TABLE orders ADD COLUMN status text;
```
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from linters.dialects import ALL
from linters.finding import Severity
from linters.naming import parse_name
from linters.rule import Change, ChangedFile, ChangeRule, Violation

_EXAMPLES = {
    "flyway": "V<version>__<description>.sql",
    "golang-migrate": "<version>_<name>.up.sql",
    "dbmate": "<version>_<name>.sql",
    "plain": "<version>_<name>.sql",
    "auto": "V<version>__<description>.sql",
}
#: Names that look alike: auto mode reads a dbmate file as plain.
_ALIKE = {"plain": "dbmate", "dbmate": "plain"}


def _directory_schemes(change: Change) -> dict[str, set[str]]:
    """Schemes of the migrations already in each directory (base branch, unchanged files)."""
    changed = {file.path for file in change.files}
    paths = [*(change.base_files or {}), *change.other_paths]
    schemes: dict[str, set[str]] = {}
    for path in paths:
        name = parse_name(posixpath.basename(path))
        if path not in changed and name is not None:
            schemes.setdefault(posixpath.dirname(path), set()).add(name.scheme)
    return schemes


def check(change: Change) -> Iterator[tuple[ChangedFile | None, Violation]]:
    naming = change.config.naming
    directory_schemes = _directory_schemes(change)
    for file in change.files:
        filename = posixpath.basename(file.path)
        used = directory_schemes.get(posixpath.dirname(file.path), set())
        expected = naming if naming != "auto" else (next(iter(used)) if len(used) == 1 else naming)
        if file.name is None:
            scheme = "a migration naming scheme" if expected == "auto" else f"the {expected} scheme"
            yield (
                file,
                Violation(
                    message=f"Rename `{filename}` to {scheme}, e.g. `{_EXAMPLES[expected]}`",
                    help="The runner skips or mis-orders a file whose version it cannot read",
                ),
            )
        elif expected not in ("auto", file.name.scheme, _ALIKE.get(file.name.scheme)):
            yield (
                file,
                Violation(
                    message=(
                        f"Rename `{filename}` to the {expected} scheme the other migrations of its "
                        f"directory use, e.g. `{_EXAMPLES[expected]}`"
                    ),
                    help="One directory, one naming scheme: the runner orders files by it",
                ),
            )


RULE = ChangeRule(
    id="file-name-invalid",
    severity=Severity.ERROR,
    dialects=ALL,
    doc=__doc__ or "",
    check=check,
)
