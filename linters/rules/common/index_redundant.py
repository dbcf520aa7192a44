"""Index duplicated by another index.

## What it does
Reports an index whose key columns are the same as, or a left prefix of, the key columns of
another index on the same table, both created by the files linted (by `CREATE INDEX`, PRIMARY
KEY, UNIQUE, MySQL `KEY` / `INDEX`, `ALTER TABLE ... ADD ...`) and both still there after the
last file. Compared only when both have the same access method and the same partial-index
predicate. A unique index is redundant only next to another unique index on exactly the same
columns (a shorter unique index enforces a stronger rule, so it stays). Of two identical
indexes the later one is reported. An index with `INCLUDE` columns the other one lacks is not
redundant. Indexes created by earlier migrations are not seen.

The files are replayed in order: `DROP INDEX`, `DROP CONSTRAINT`, `DROP COLUMN` and `DROP
TABLE` remove indexes, renames of tables, columns and indexes carry them along, and a
`CREATE TABLE` (without `IF NOT EXISTS`) starts its table afresh, as does an index named like
an earlier one (which can only replace it): the same constraint in a full-schema snapshot and
in the migration that first created it is one index, not two.

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

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import Change, ChangedFile, ChangeRule, Violation, span_from_plain
from linters.sql.index_catalog import IndexCatalog, LiveIndex, index_changes


def check(change: Change) -> Iterator[tuple[ChangedFile | None, Violation]]:
    catalog = IndexCatalog()
    for file in change.files:
        for changes in file.facts(index_changes):
            catalog.apply(file, changes)
    for indexes in catalog.tables.values():
        for index in indexes:
            covering = next(
                (other for other in indexes if other is not index and _covers(other, index)),
                None,
            )
            if covering is not None:
                yield index.file, _violation(index, covering)


def _covers(covering: LiveIndex, index: LiveIndex) -> bool:
    """Whether ``covering`` serves every query ``index`` serves, so ``index`` can go."""
    mine, other = index.fact, covering.fact
    if (mine["method"], mine["predicate"]) != (other["method"], other["predicate"]):
        return False
    if not set(mine["include"]) <= set(covering.keys) | set(other["include"]):
        return False
    if index.keys == covering.keys:
        if mine["unique"] and not other["unique"]:
            return False
        if mine["unique"] == other["unique"] and mine["primary"] == other["primary"]:
            return index.order > covering.order  # of two twins, the later one goes
        return not mine["primary"]  # a unique index next to the same primary key
    prefix = covering.keys[: len(index.keys)] == index.keys
    return prefix and not mine["unique"]


def _label(index: LiveIndex) -> str:
    fact = index.fact
    if fact["name"] is None and fact["primary"]:
        return f"the primary key of `{fact['table_name']}`"
    if index.names[0] is not None and index.names[0] != fact["name"]:
        return f"`{index.names[0]}`"  # renamed since
    return f"`{fact['label']}`"


def _violation(index: LiveIndex, covering: LiveIndex) -> Violation:
    keys = ", ".join(index.keys)
    what = "constraint" if index.fact["constraint"] else "index"
    return Violation(
        message=f"Drop {what} {_label(index)}: {_label(covering)} already covers ({keys})",
        help="Keep the longer index; the shorter one only adds write and storage cost",
        span=span_from_plain(index.fact["place"]),
    )


RULE = ChangeRule(
    id="index-redundant",
    severity=Severity.INFO,
    dialects=ALL,
    doc=__doc__ or "",
    facts=(index_changes,),
    check=check,
)
