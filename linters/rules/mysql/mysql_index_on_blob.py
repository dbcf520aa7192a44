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

from sqlglot import exp

from linters.dialects import MYSQL
from linters.finding import Severity
from linters.rule import Change, ChangeRule, LintedFile, Violation
from linters.sql.mysql_alter import alter_table
from linters.sql.mysql_catalog import Catalog, replay
from linters.sql.mysql_column import BLOB_TYPES
from linters.sql.mysql_index import IndexDefinition, IndexPart, created_indexes
from linters.sql.object_names import qualified_name
from linters.statement import Statement


def _own_columns(statement: Statement) -> dict[str, exp.ColumnDef]:
    """Columns the statement itself defines, which the catalog does not know yet."""
    expression = statement.expression
    if isinstance(expression, exp.Create) and isinstance(expression.this, exp.Schema):
        columns = [e for e in expression.this.expressions if isinstance(e, exp.ColumnDef)]
    elif (alter := alter_table(statement)) is not None:
        columns = alter.added_columns() + [c.definition for c in alter.changed_columns()]
    else:
        columns = []
    return {column.name.lower(): column for column in columns}


def _blob_type(
    part: IndexPart, own: dict[str, exp.ColumnDef], table: exp.Table, catalog: Catalog
) -> str | None:
    if part.column is None:
        return None
    definition = own.get(part.column.lower())
    if definition is None:
        facts = catalog.table(table)
        column = facts.column(part.column) if facts else None
        definition = column.definition if column else None
    kind = definition.args.get("kind") if definition is not None else None
    if isinstance(kind, exp.DataType) and kind.this in BLOB_TYPES:
        return str(kind.this.value)
    return None


def _consequence(index: IndexDefinition, part: IndexPart, dialect: str) -> str:
    if part.prefix is not None:
        return f"only its first {part.prefix} characters are indexed"
    if dialect != "mariadb" or index.kind == "PRIMARY":
        return "the server refuses it without a prefix length"
    if index.kind == "UNIQUE":
        return "MariaDB builds a hidden hash for it, no use for sorting or ranges"
    return "MariaDB silently indexes only a prefix"


def check(change: Change) -> Iterator[tuple[LintedFile | None, Violation]]:
    for file, statement, catalog in replay(change):
        created = created_indexes(statement)
        if created is None:
            continue
        table, indexes = created
        own = _own_columns(statement)
        for index in indexes:
            if index.kind in ("FULLTEXT", "SPATIAL"):
                continue
            for part in index.parts:
                blob = _blob_type(part, own, table, catalog)
                if blob is None:
                    continue
                yield (
                    file,
                    Violation(
                        message=f"Do not index {blob} column `{part.column}` of "
                        f"`{qualified_name(table)}` in `{index.label}`: "
                        + _consequence(index, part, file.context.dialect),
                        help="Index a generated hash column, e.g. "
                        "binary(32) AS (UNHEX(SHA2(col, 256))) STORED, or a short VARCHAR",
                        statement=statement,
                    ),
                )
                break


RULE = ChangeRule(
    id="mysql-index-on-blob",
    severity=Severity.WARNING,
    dialects=MYSQL,
    doc=__doc__ or "",
    check=check,
)
