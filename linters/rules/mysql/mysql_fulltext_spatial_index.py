"""FULLTEXT or SPATIAL index added to an existing table.

## What it does
Reports `ALTER TABLE ... ADD FULLTEXT|SPATIAL [INDEX]` and `CREATE FULLTEXT|SPATIAL INDEX` on a
table that existed before this change.

## Why is this bad?
Unlike ordinary secondary indexes, FULLTEXT and SPATIAL indexes cannot be built with concurrent
writes: MySQL and MariaDB refuse `LOCK=NONE` for them ("Fulltext index creation requires a
lock") and hold `LOCK=SHARED`, so every insert and update waits for the whole build. The first
FULLTEXT index of an InnoDB table also rebuilds the table to add its hidden `FTS_DOC_ID`
column.

## Example
```sql
ALTER TABLE articles ADD FULLTEXT INDEX ft_articles_body (title, body);
-- LOCK=SHARED: writes to articles wait for the whole build (and a table rebuild)
```

## Use instead
Build it with gh-ost or pt-online-schema-change, which copy the table in the background, or in
a quiet period with a short `lock_wait_timeout`. A table meant to get a FULLTEXT index can be
created with it (or with an `FTS_DOC_ID BIGINT UNSIGNED NOT NULL AUTO_INCREMENT` column and a
unique `FTS_DOC_ID_INDEX`), so that adding it later needs no rebuild.

Exempt: tables created earlier in the same change.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.index_definitions import created_indexes
from linters.sql.object_names import qualified_name
from linters.statement import Statement


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    expression = statement.expression
    if isinstance(expression, exp.Create) and isinstance(expression.this, exp.Schema):
        return
    created = created_indexes(statement)
    if created is None or context.is_new_table(created[0]):
        return
    table = qualified_name(created[0])
    for index in created[1]:
        if index.kind in ("FULLTEXT", "SPATIAL"):
            yield Violation(
                message=f"Do not add {index.kind} index `{index.label}` to existing table "
                f"`{table}` in place: writes are blocked while it builds",
                help="Build it with gh-ost or pt-online-schema-change, or in a quiet period "
                "with a short lock_wait_timeout",
            )


RULE = StatementRule(
    id="mysql-fulltext-spatial-index",
    severity=Severity.WARNING,
    dialects=MYSQL,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    check=check,
)
