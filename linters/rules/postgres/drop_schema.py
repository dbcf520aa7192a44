"""Schema dropped in a migration.

## What it does
Reports `DROP SCHEMA` on PostgreSQL. (In MySQL and MariaDB a schema is a database:
drop-database reports it there.)

## Why is this bad?
A schema holds tables, views, functions and types. Dropping it loses the data of all of them,
and with `CASCADE` it also drops everything else that depends on them, without listing what.
Code still running against the old version of the schema fails at once.

## Example
```sql
DROP SCHEMA reporting CASCADE;
-- every table in reporting is gone, with its rows; dashboards querying it now fail
```

## Use instead
```sql
-- after a backup, and once no code uses them, drop the objects one by one:
DROP VIEW reporting.daily_totals;
DROP TABLE reporting.events;
DROP SCHEMA reporting;  -- fails if anything is left, which is the point
```
Exempt: a schema created earlier in the same file.
"""

from __future__ import annotations

from collections.abc import Iterator

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import FileRule, LintedFile, Violation
from linters.sql.ddl_targets import dropped_names
from linters.sql.statement_order import created_earlier_in_file


def check(file: LintedFile) -> Iterator[Violation]:
    for statement in file.statements:
        for name in dropped_names(statement, "SCHEMA"):
            if not created_earlier_in_file(statement, file.context, "SCHEMA", name):
                yield Violation(
                    message=f"Do not drop schema `{name}` in a migration",
                    help="Back up, then drop its objects explicitly once no code uses them",
                    statement=statement,
                )


# A file rule reading words: sqlglot cannot parse ``DROP SCHEMA a, b``, and a parse-error
# suppression must not hide a dropped schema.
RULE = FileRule(
    id="drop-schema",
    severity=Severity.ERROR,
    dialects=POSTGRES,
    doc=__doc__ or "",
    check=check,
)
