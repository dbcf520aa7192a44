"""Index duplicated by another index.

## What it does
Reports an index whose key columns are the same as, or a left prefix of, the key columns of
another index on the same table, both created in this change (by `CREATE INDEX`, PRIMARY KEY,
UNIQUE, MySQL `KEY` / `INDEX`, `ALTER TABLE ... ADD ...`), and not dropped again. Compared
only when both have the same access method and the same partial-index predicate. A unique index
is redundant only next to another unique index on exactly the same columns (a shorter unique
index enforces a stronger rule, so it stays). Of two identical indexes the later one is
reported. An index with `INCLUDE` columns the other one lacks is not redundant. Indexes created
by earlier migrations are not seen.

## Why is this bad?
The longer index serves every query the shorter one serves (`(a, b)` answers `WHERE a = ?`).
The redundant one still costs on every insert, every update of its columns and every delete,
takes disk and cache, and adds a build (and its lock) to the migration.

## Example
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, shop_id bigint, status text);
CREATE INDEX orders_shop_ix ON orders (shop_id);  -- orders_shop_status_ix already covers it
CREATE INDEX orders_shop_status_ix ON orders (shop_id, status);
```

## Use instead
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, shop_id bigint, status text);
CREATE INDEX orders_shop_status_ix ON orders (shop_id, status);
```
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import Change, ChangeRule, LintedFile, Violation, table_key
from linters.sql.index_definitions import IndexDefinition, dropped_index_names, index_definitions
from linters.sql.node_spans import violation_at
from linters.statement import Statement


@dataclass(frozen=True)
class _Created:
    file: LintedFile
    statement: Statement
    index: IndexDefinition

    @property
    def name(self) -> str | None:
        return self.index.name.name.lower() if self.index.name is not None else None


def check(change: Change) -> Iterator[tuple[LintedFile | None, Violation]]:
    created: list[_Created] = []
    for file in change.files:
        for statement in file.statements:
            for index in index_definitions(statement.expression):
                created.append(_Created(file, statement, index))
            for dropped in dropped_index_names(statement.expression):
                created = [item for item in created if item.name != dropped]
    for position, item in enumerate(created):
        for other_position, other in enumerate(created):
            if other_position != position and _makes_redundant(
                item, position, other, other_position
            ):
                yield item.file, _violation(item, other)
                break


def _makes_redundant(item: _Created, position: int, other: _Created, other_position: int) -> bool:
    index, covering = item.index, other.index
    if table_key(index.table) != table_key(covering.table):
        return False
    if (index.method, index.predicate) != (covering.method, covering.predicate):
        return False
    if not set(index.include) <= set(covering.keys) | set(covering.include):
        return False
    if index.keys == covering.keys:
        if index.unique and not covering.unique:
            return False
        if index.unique == covering.unique and index.primary == covering.primary:
            return position > other_position  # of two twins, the later one goes
        return not index.primary  # a unique index next to the same primary key
    prefix = covering.keys[: len(index.keys)] == index.keys
    return prefix and not index.unique


def _violation(item: _Created, other: _Created) -> Violation:
    keys = ", ".join(item.index.keys)
    return violation_at(
        item.statement,
        item.index.anchor,
        message=f"Drop index `{item.index.label}`: `{other.index.label}` already covers ({keys})",
        help="Keep the longer index; the shorter one only adds write and storage cost",
    )


RULE = ChangeRule(
    id="index-redundant",
    severity=Severity.INFO,
    dialects=ALL,
    doc=__doc__ or "",
    check=check,
)
