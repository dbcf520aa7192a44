"""Too many indexes on one table.

## What it does
Counts the indexes a change gives each table, primary key and unique constraints included, and
reports the statement that takes a table past `max_indexes`. Indexes dropped again in the
change are not counted. Off by default: a team policy. Only indexes created by the linted
change are seen: for a table created in the change the count is exact, for an existing table it
is the number this change adds.

## Why is this bad?
Every index is written on every insert, on every delete, and on updates of its columns; it
takes disk, cache and vacuum work, and slows down every later migration that rewrites the
table. Past a handful, new indexes tend to overlap the old ones rather than serve new queries.

## Example
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, shop_id bigint, user_id bigint, status text,
                     created_at timestamptz, number text UNIQUE);
CREATE INDEX orders_shop_ix ON orders (shop_id);
CREATE INDEX orders_user_ix ON orders (user_id);
CREATE INDEX orders_status_ix ON orders (status);
CREATE INDEX orders_created_ix ON orders (created_at);  -- the sixth index on orders
```

## Use instead
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, shop_id bigint, user_id bigint, status text,
                     created_at timestamptz, number text UNIQUE);
CREATE INDEX orders_shop_status_created_ix ON orders (shop_id, status, created_at);
CREATE INDEX orders_user_ix ON orders (user_id);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from linters.dialects import ALL
from linters.rule import Change, ChangedFile, ChangeRule, Violation, span_from_plain
from linters.rule_options import IntegerOption
from linters.sql.index_catalog import IndexCatalog, index_changes

RULE_ID = "index-count-limit"
MAX_INDEXES = IntegerOption(RULE_ID, "max_indexes", 5, "The most indexes per table.", minimum=1)


def check(change: Change) -> Iterator[tuple[ChangedFile | None, Violation]]:
    limit = MAX_INDEXES.value(change.config)
    catalog = IndexCatalog()
    reported: set[str] = set()
    for file in change.files:
        for changes in file.facts(index_changes):
            for index in catalog.apply(file, changes):
                # Indexes of one statement are counted one at a time, in order.
                count = sum(1 for i in catalog.indexes(index.table) if i.order <= index.order)
                if count > limit and index.table not in reported:
                    reported.add(index.table)
                    yield (
                        file,
                        Violation(
                            message=f"Keep table `{index.fact['table_name']}` to {limit} indexes "
                            f"(this change gives it {count})",
                            help="Merge indexes that share leading columns, or drop unused ones",
                            span=span_from_plain(index.fact["place"]),
                        ),
                    )


RULE = ChangeRule(
    id=RULE_ID,
    severity=None,
    dialects=ALL,
    doc=__doc__ or "",
    facts=(index_changes,),
    check=check,
    options=(MAX_INDEXES,),
)
