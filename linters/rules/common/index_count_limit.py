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

## Options
- `max_indexes` (integer, default `5`): the most indexes per table.
"""

from __future__ import annotations

from collections.abc import Iterator

from linters.dialects import ALL
from linters.rule import Change, ChangeRule, LintedFile, Violation, table_key
from linters.rule_options import integer_option
from linters.sql.index_definitions import dropped_index_names, index_definitions
from linters.sql.node_spans import violation_at

RULE_ID = "index-count-limit"
_DEFAULT_MAX_INDEXES = 5


def check(change: Change) -> Iterator[tuple[LintedFile | None, Violation]]:
    #: Per table, the names of its indexes (None for unnamed ones).
    indexes: dict[str, list[str | None]] = {}
    reported: set[str] = set()
    for file in change.files:
        limit, note = integer_option(
            file.context, RULE_ID, "max_indexes", _DEFAULT_MAX_INDEXES, minimum=1
        )
        for statement in file.statements:
            for dropped in dropped_index_names(statement.expression):
                for names in indexes.values():
                    if dropped in names:
                        names.remove(dropped)
            for index in index_definitions(statement.expression):
                table = table_key(index.table)
                names = indexes.setdefault(table, [])
                names.append(index.name.name.lower() if index.name is not None else None)
                if len(names) > limit and table not in reported:
                    reported.add(table)
                    yield (
                        file,
                        violation_at(
                            statement,
                            index.anchor,
                            message=f"Keep table `{index.table.name}` to {limit} indexes "
                            f"(this change gives it {len(names)}){note}",
                            help="Merge indexes that share leading columns, or drop unused ones",
                        ),
                    )


RULE = ChangeRule(
    id=RULE_ID,
    severity=None,
    dialects=ALL,
    doc=__doc__ or "",
    check=check,
)
