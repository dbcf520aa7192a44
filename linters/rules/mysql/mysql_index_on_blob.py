"""Index on a BLOB or TEXT column.

## What it does
Reports a primary, unique or ordinary index (not FULLTEXT, which is meant for TEXT) whose key
includes a `TINYTEXT`/`TEXT`/`MEDIUMTEXT`/`LONGTEXT` or `*BLOB` column: in `CREATE TABLE`,
`ALTER TABLE ... ADD INDEX/UNIQUE/PRIMARY KEY`, and `CREATE INDEX`. The column's type has to be
visible in the change (the same statement, or the statement that created or added the column);
for columns the change does not define the rule stays quiet. New tables are not exempt.

## Why is this bad?
InnoDB cannot index a whole BLOB/TEXT value. Without a prefix length MySQL refuses the
statement ("BLOB/TEXT column used in key specification without a key length"), and so does
MariaDB for a primary key; MariaDB silently shortens an ordinary index to a 768-character
prefix, and backs a UNIQUE one with a hidden hash column (10.4+). With a prefix (`body(100)`)
the index holds only the first characters: it is large, cannot cover queries, cannot enforce
uniqueness of the whole value, and sorts only by the prefix.

## Example
```sql
CREATE TABLE pages (
    id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
    url text NOT NULL,
    UNIQUE KEY ux_pages_url (url(255))
    -- unique on the first 255 characters only: two long URLs sharing them collide
);
```

## Use instead
Index a fixed-size hash of the value (or use a `VARCHAR` short enough to index whole):
```sql
CREATE TABLE pages (
    id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
    url text NOT NULL,
    url_hash binary(32) AS (UNHEX(SHA2(url, 256))) STORED,
    UNIQUE KEY ux_pages_url_hash (url_hash)
);
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlglot import exp

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
from linters.sql.index_definitions import created_indexes
from linters.sql.mysql_alter import alter_table
from linters.sql.mysql_catalog import replay, table_changes
from linters.sql.mysql_column import BLOB_TYPES
from linters.sql.object_names import qualified_name
from linters.statement import Statement

_BLOB_TYPE_NAMES = frozenset(kind.value for kind in BLOB_TYPES)


def indexed_columns(file: LintedFile) -> list[list[Any]]:
    """``[statement index, observation]`` for each statement that creates indexes: its table,
    the indexes (label, kind, parts as [column, prefix]) and the types of the columns the
    statement itself defines (the catalog does not know them yet)."""
    found: list[list[Any]] = []
    for statement in file.up_statements:
        created = created_indexes(statement)
        if created is None:
            continue
        table, indexes = created
        observation = {
            "table": table_key(table),
            "name": qualified_name(table),
            "indexes": [
                [index.label, index.kind, [[part.column, part.prefix] for part in index.parts]]
                for index in indexes
                if index.kind not in ("FULLTEXT", "SPATIAL")
            ],
            "own_types": _own_types(statement),
            "at": plain_span(statement.span),
        }
        found.append([statement.index, observation])
    return found


def _own_types(statement: Statement) -> dict[str, str | None]:
    expression = statement.expression
    if isinstance(expression, exp.Create) and isinstance(expression.this, exp.Schema):
        columns = [e for e in expression.this.expressions if isinstance(e, exp.ColumnDef)]
    elif (alter := alter_table(statement)) is not None:
        columns = alter.added_columns() + [c.definition for c in alter.changed_columns()]
    else:
        columns = []
    types = {}
    for column in columns:
        kind = column.args.get("kind")
        types[column.name.lower()] = kind.this.value if isinstance(kind, exp.DataType) else None
    return types


def _consequence(kind: str, prefix: int | None, dialect: str) -> str:
    if prefix is not None:
        return f"only its first {prefix} characters are indexed"
    if dialect != "mariadb" or kind == "PRIMARY":
        return "the server refuses it without a prefix length"
    if kind == "UNIQUE":
        return "MariaDB builds a hidden hash for it, no use for sorting or ranges"
    return "MariaDB silently indexes only a prefix"


def check(change: Change) -> Iterator[tuple[ChangedFile | None, Violation]]:
    for file, created, catalog in replay(change, indexed_columns):
        own: dict[str, str | None] = created["own_types"]
        facts = catalog.table(created["table"])
        for label, kind, parts in created["indexes"]:
            for column, prefix in parts:
                if column is None:
                    continue
                known = facts.column(column) if facts else None
                blob = own.get(column.lower(), known.type if known else None)
                if blob not in _BLOB_TYPE_NAMES:
                    continue
                yield (
                    file,
                    Violation(
                        message=f"Do not index {blob} column `{column}` of `{created['name']}` in "
                        f"`{label}`: " + _consequence(kind, prefix, change.dialect),
                        help="Index a generated hash column, e.g. "
                        "binary(32) AS (UNHEX(SHA2(col, 256))) STORED, or a short VARCHAR",
                        span=span_from_plain(created["at"]),
                    ),
                )
                break


RULE = ChangeRule(
    id="mysql-index-on-blob",
    severity=Severity.WARNING,
    dialects=MYSQL,
    doc=__doc__ or "",
    facts=(table_changes, indexed_columns),
    check=check,
)
