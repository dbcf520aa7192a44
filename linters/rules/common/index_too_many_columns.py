"""Index with too many key columns.

## What it does
Reports a non-unique B-tree index with more than `max_columns` key columns, whether created with
`CREATE INDEX`, declared in `CREATE TABLE` (MySQL `KEY` / `INDEX`) or added with `ALTER TABLE ...
ADD INDEX`. Exempt: unique indexes, primary keys and unique constraints (their columns are what
must be unique); columns in `INCLUDE (...)` (they are not part of the key); GIN, GiST, BRIN,
FULLTEXT and SPATIAL indexes, whose columns work differently.

## Why is this bad?
A B-tree helps a query through its leading columns; a fifth or sixth key column rarely narrows
the search further but makes every entry wider, so every insert and update of those columns
writes a bigger index, the index takes more memory and disk, and its build on a large table
takes longer. Such indexes are usually written for one query and then outlive it.

## Example
```sql
-- wide entries on every write, for a lookup the first two columns already narrow down
CREATE INDEX orders_search_ix ON orders (shop_id, status, created_at, currency, channel);
```

## Use instead
```sql
CREATE INDEX orders_shop_status_ix ON orders (shop_id, status) INCLUDE (created_at);
```

## References
- [strong_migrations: Best practices](https://github.com/ankane/strong_migrations#best-practices)
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.rule_options import IntegerOption
from linters.sql.index_definitions import statement_indexes
from linters.sql.node_spans import violation_at
from linters.statement import Statement

RULE_ID = "index-too-many-columns"
MAX_COLUMNS = IntegerOption(
    RULE_ID, "max_columns", 3, "The most key columns a non-unique index may have.", minimum=1
)


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    limit = MAX_COLUMNS.value(context.config)
    for index in statement_indexes(statement):
        if index.unique or index.method not in ("btree", "hash") or len(index.keys) <= limit:
            continue
        yield violation_at(
            statement,
            index.anchor,
            message=f"Reduce index `{index.label}` to {limit} key columns "
            f"(it has {len(index.keys)})",
            help="Keep the most selective leading columns; move the rest to INCLUDE or drop them",
        )


RULE = StatementRule(
    id=RULE_ID,
    severity=Severity.INFO,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Create, exp.Alter),
    check=check,
    options=(MAX_COLUMNS,),
)
