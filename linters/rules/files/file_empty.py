"""Migration file without statements.

## What it does
Reports a migration file that holds no SQL statement: it is empty, or only comments and
whitespace. For a dbmate file, the `-- migrate:up` section counts.

## Why is this bad?
It is almost always a mistake: a file committed before its content, or statements lost in a
merge. The runner still records the version as applied, so the change it was meant to carry
never runs anywhere, and nothing fails to tell you.

## Example
```sql
-- V7__add_orders_status.sql
-- TODO: add the status column
-- recorded as applied on every environment; the column never appears
```

## Use instead
```sql
-- V7__add_orders_status.sql
ALTER TABLE orders ADD COLUMN status text;
```
Or delete the file. A down file (`.down.sql`, Flyway `U`) may be empty on purpose, to mark its
migration irreversible: down files are exempt.
"""

from __future__ import annotations

from collections.abc import Iterator

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import FileRule, LintedFile, Violation


def check(file: LintedFile) -> Iterator[Violation]:
    if (file.name is not None and file.name.direction == "down") or file.up_statements:
        return
    filename = file.path.rsplit("/", 1)[-1]
    yield Violation(
        message=f"Add the statements of `{filename}`, or delete the empty file",
        help="An empty migration is recorded as applied although it changed nothing",
    )


RULE = FileRule(
    id="file-empty",
    severity=Severity.WARNING,
    dialects=ALL,
    doc=__doc__ or "",
    check=check,
)
