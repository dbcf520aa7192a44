"""Database dropped in a migration.

## What it does
Reports `DROP DATABASE`, and MySQL/MariaDB's synonym `DROP SCHEMA`.

## Why is this bad?
Every table, row and grant of the database is gone at once, with no undo: restoring means a
backup and downtime. A migration runs unattended on every environment in turn, so a statement
meant for a scratch database also reaches production.

## Example
```sql
DROP DATABASE legacy_reporting;
-- every table of legacy_reporting is gone, on every environment the rollout reaches
```

## Use instead
Drop databases by hand, after a backup, outside the migration history. Migrations change the
schema of a database; they do not remove it.
```sql
-- no migration: an operator runs this once, on the one server meant, after a backup
DROP DATABASE legacy_reporting;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import FileRule, LintedFile, Violation
from linters.sql.ddl_targets import dropped_names


def check(file: LintedFile) -> Iterator[Violation]:
    # In MySQL and MariaDB a schema is a database; PostgreSQL schemas are drop-schema's.
    kinds = (
        ("DATABASE", "SCHEMA") if file.context.dialect in ("mysql", "mariadb") else ("DATABASE",)
    )
    for statement in file.statements:
        for kind in kinds:
            names = dropped_names(statement, kind)
            if names:
                yield Violation(
                    message=f"Do not drop database `{', '.join(names)}` in a migration",
                    help="Drop databases by hand after a backup, outside the migration history",
                    statement=statement,
                )


# A file rule, not a statement rule: it reads words, so it also sees the statements sqlglot
# cannot parse (``DROP DATABASE x WITH (FORCE)``), which a parse-error suppression might hide.
RULE = FileRule(
    id="drop-database",
    severity=Severity.ERROR,
    dialects=ALL,
    doc=__doc__ or "",
    check=check,
)
