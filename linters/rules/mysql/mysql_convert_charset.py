"""Table or column converted to another character set in place.

## What it does
Reports, on a table that existed before this change:
- `ALTER TABLE ... CONVERT TO CHARACTER SET ...`;
- `MODIFY` / `CHANGE` of a column with `CHARACTER SET x`, unless this change shows the column
  already had character set `x` (a MODIFY that states a character set is taken as a conversion);
- `MODIFY` / `CHANGE` with only `COLLATE y`, when this change shows the column had another
  character set than `y` implies.

A collation change within the same character set, and `ALTER TABLE ... DEFAULT CHARACTER SET`
(which changes only the default for columns added later), are not reported: MySQL and MariaDB
do them without copying the table.

## Why is this bad?
Changing the character set of existing data re-encodes every value: MySQL and MariaDB support
only `ALGORITHM=COPY` for it, so the whole table is copied with concurrent writes blocked, and
indexes on the converted columns are rebuilt. Values that do not fit the new character set are
mangled or fail the statement.

## Example
```sql
ALTER TABLE comments CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
-- comments is copied row by row, writes blocked until the end
```

## Use instead
Convert big tables with gh-ost or pt-online-schema-change, which copy in the background and
switch tables atomically:
```sql
-- gh-ost --alter="CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci" --table=comments
```
Exempt: tables created earlier in the same change.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL
from linters.finding import Severity
from linters.rule import Change, ChangeRule, LintedFile, Violation
from linters.sql.mysql_alter import AlterTable, alter_table
from linters.sql.mysql_catalog import TableFacts, replay
from linters.sql.mysql_column import charset_of, collation_of
from linters.sql.node_spans import span_of

_HELP = "Convert with gh-ost or pt-online-schema-change, which do not block writes"


def _converted_table_to(alter: AlterTable) -> str | None:
    words = alter.clause_words
    for i in range(len(words) - 3):
        if words[i : i + 2] == ("CONVERT", "TO"):
            after = words[i + 2 : i + 5]
            if after[:2] == ("CHARACTER", "SET") and len(after) == 3:
                return after[2].lower()
            if after[:1] == ("CHARSET",) and len(after) > 1:
                return after[1].lower()
    return None


def _column_conversions(
    alter: AlterTable, facts: TableFacts | None
) -> Iterator[tuple[exp.ColumnDef, str]]:
    """(new definition, new character set) for each MODIFY/CHANGE that re-encodes a column."""
    for changed in alter.changed_columns():
        old = facts.column(changed.old_name) if facts else None
        old_charset = old.charset if old else None
        stated = charset_of(changed.definition)
        collation = collation_of(changed.definition)
        implied = collation.split("_", 1)[0] if collation else None
        if stated is not None and stated != old_charset:
            yield changed.definition, stated
        elif stated is None and implied and old_charset and implied != old_charset:
            yield changed.definition, implied


def check(change: Change) -> Iterator[tuple[LintedFile | None, Violation]]:
    for file, statement, catalog in replay(change):
        alter = alter_table(statement)
        facts = catalog.table(alter.table) if alter is not None else None
        if alter is None or (facts is not None and facts.created_in_change):
            continue
        converted = _converted_table_to(alter)
        if converted is not None:
            yield (
                file,
                Violation(
                    message=f"Do not convert table `{alter.table_name}` to {converted} in place: "
                    "it is copied with writes blocked",
                    help=_HELP,
                    statement=statement,
                ),
            )
        for column, charset in _column_conversions(alter, facts):
            yield (
                file,
                Violation(
                    message=f"Do not convert column `{column.name}` of `{alter.table_name}` to "
                    f"{charset} in place: the table is copied with writes blocked",
                    help=_HELP,
                    statement=statement,
                    span=span_of(statement, column),
                ),
            )


RULE = ChangeRule(
    id="mysql-convert-charset",
    severity=Severity.ERROR,
    dialects=MYSQL,
    doc=__doc__ or "",
    check=check,
)
