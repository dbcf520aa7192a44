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
from typing import Any

from linters.dialects import MYSQL
from linters.finding import Severity
from linters.rule import (
    Change,
    ChangedFile,
    ChangeRule,
    LintedFile,
    Violation,
    plain_span,
    span_from_plain,
    table_key,
)
from linters.sql.mysql_alter import AlterTable, alter_table
from linters.sql.mysql_catalog import replay, table_changes
from linters.sql.mysql_column import charset_of, collation_of
from linters.sql.node_spans import span_of

_HELP = "Convert with gh-ost or pt-online-schema-change, which do not block writes"


def conversions(file: LintedFile) -> list[list[Any]]:
    """``[statement index, observation]`` for each ALTER TABLE: the character set the whole
    table is converted to, and each MODIFY/CHANGE with the character set it states or implies
    (to compare with the column's old one)."""
    found: list[list[Any]] = []
    for statement in file.up_statements:
        alter = alter_table(statement)
        if alter is None:
            continue
        columns = []
        for changed in alter.changed_columns():
            collation = collation_of(changed.definition)
            columns.append(
                [
                    changed.old_name,
                    changed.definition.name,
                    charset_of(changed.definition),
                    collation.split("_", 1)[0] if collation else None,
                    plain_span(span_of(statement, changed.definition)),
                ]
            )
        observation = {
            "table": table_key(alter.table),
            "name": alter.table_name,
            "converted_to": _converted_table_to(alter),
            "columns": columns,
            "at": plain_span(statement.span),
        }
        found.append([statement.index, observation])
    return found


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


def check(change: Change) -> Iterator[tuple[ChangedFile | None, Violation]]:
    for file, alter, catalog in replay(change, conversions):
        facts = catalog.table(alter["table"])
        if facts is not None and facts.created_in_change:
            continue
        if alter["converted_to"] is not None:
            yield (
                file,
                Violation(
                    message=f"Do not convert table `{alter['name']}` to {alter['converted_to']} in "
                    "place: it is copied with writes blocked",
                    help=_HELP,
                    span=span_from_plain(alter["at"]),
                ),
            )
        for old_name, name, stated, implied, place in alter["columns"]:
            old = facts.column(old_name) if facts else None
            old_charset = old.charset if old else None
            if stated is not None and stated != old_charset:
                charset = stated
            elif stated is None and implied and old_charset and implied != old_charset:
                charset = implied
            else:
                continue
            yield (
                file,
                Violation(
                    message=f"Do not convert column `{name}` of `{alter['name']}` to {charset} in "
                    "place: the table is copied with writes blocked",
                    help=_HELP,
                    span=span_from_plain(place or alter["at"]),
                ),
            )


RULE = ChangeRule(
    id="mysql-convert-charset",
    severity=Severity.ERROR,
    dialects=MYSQL,
    doc=__doc__ or "",
    facts=(table_changes, conversions),
    check=check,
)
