"""Migration already on the base branch edited, renamed or deleted.

## What it does
Compares the change with the migration files of the base branch (the branch the pull request
merges into) and reports a file that exists there with different content (edited), a new file
with exactly the content of a base file (renamed or copied), and a base file the change deletes.
Without a base to compare with (plain `schemabot lint`), the rule stays quiet.

## Why is this bad?
A migration on the base branch has been, or is being, applied somewhere. Editing it changes
nothing on those environments, which silently diverge from new ones built from the edited
file; and the runner checks every applied file's checksum and halts the rollout on a
mismatch, or on an applied file that vanished. A renamed file looks new and runs again.

## Example
```sql
-- V3__create_users.sql, merged last week, edited in this pull request:
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);  -- NOT NULL added
-- production already has users without NOT NULL; the rollout halts on the checksum
```

## Use instead
```sql
-- V9__users_email_not_null.sql: a new migration carries the change
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
```
Exempt: Flyway repeatable migrations (`R__*.sql`, re-applied whenever they change, by design)
and down files (`.down.sql`, Flyway `U`), which the runner does not checksum. A dbmate file is
one file for both directions: an edit of its `-- migrate:down` section alone is reported too.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterator

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import Change, ChangedFile, ChangeRule, Violation


def _digests(file: ChangedFile) -> set[str]:
    """The file's sha256, with and without the byte order mark the engine strips."""
    return {
        hashlib.sha256(text.encode("utf-8")).hexdigest()
        for text in (file.source, "\ufeff" + file.source)
    }


def _exempt(file: ChangedFile) -> bool:
    return file.name is not None and file.name.direction in ("repeatable", "down")


def check(change: Change) -> Iterator[tuple[ChangedFile | None, Violation]]:
    base = change.base_files
    if base is None:
        return
    base_path_by_digest = {digest: path for path, digest in base.items()}
    for file in change.files:
        if _exempt(file):
            continue
        digests = _digests(file)
        if file.path in base and base[file.path] not in digests:
            yield file, _edited(file.path)
        elif file.path not in base:
            copied = [base_path_by_digest[d] for d in digests if d in base_path_by_digest]
            if copied:
                yield file, _copied(copied[0], file.path)
    for path in change.deleted_paths:
        if path in base:
            yield None, _deleted(path)


def _edited(path: str) -> Violation:
    return Violation(
        message=f"Revert the edit of `{_name(path)}`: environments may have applied it",
        help="Leave merged migrations as they are; put the change in a new migration",
    )


def _copied(original: str, path: str) -> Violation:
    return Violation(
        message=(
            f"Keep `{_name(original)}` as it is: `{_name(path)}` has its content and would "
            "run it again"
        ),
        help="Do not rename or copy merged migrations; write a new migration instead",
    )


def _deleted(path: str) -> Violation:
    return Violation(
        message=f"Restore `{path}`: environments may have applied it",
        help="Leave merged migrations in place: the runner halts when an applied file is gone",
    )


def _name(path: str) -> str:
    return posixpath.basename(path)


RULE = ChangeRule(
    id="applied-migration-modified",
    severity=Severity.ERROR,
    dialects=ALL,
    doc=__doc__ or "",
    check=check,
)
