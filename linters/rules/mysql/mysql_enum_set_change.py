"""ENUM or SET column changed other than by appending members.

## What it does
Reports `MODIFY` / `CHANGE` of an ENUM or SET column on an existing table when the new member
list does not simply extend the old one at the end: a member removed, renamed, reordered or
inserted before existing ones, an ENUM passing 255 members, or a SET passing 8, 16, 24 or 32
members (its storage grows from 1 to 2, 3, 4 or 8 bytes).

The old member list has to be known: from the CREATE TABLE, or an earlier ADD/MODIFY of the
column, in the same change. When the change does not show the old definition the rule stays
quiet, since a MODIFY alone does not tell what it changes.

## Why is this bad?
Appending members at the end keeps every stored index number valid, so MySQL and MariaDB change
only the metadata (`ALGORITHM=INSTANT`). Anything else changes the column type: the table is
copied with concurrent writes blocked, and rows holding a removed member fail the copy in strict
mode or silently become `''` in non-strict mode.

## Example
```sql
-- orders.status was ENUM('new', 'paid', 'shipped')
ALTER TABLE orders MODIFY status ENUM('new', 'pending', 'paid', 'shipped') NOT NULL;
-- 'pending' inserted in the middle: orders is copied, writes blocked until the end
```

## Use instead
```sql
ALTER TABLE orders MODIFY status ENUM('new', 'paid', 'shipped', 'pending') NOT NULL,
    ALGORITHM=INSTANT;
```
To remove a member, first move the rows off it, then rebuild with gh-ost or
pt-online-schema-change. Exempt: tables created earlier in the same change.
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
from linters.sql.mysql_alter import alter_table
from linters.sql.mysql_catalog import column_facts, replay, table_changes
from linters.sql.node_spans import span_of

_ENUM, _SET = "ENUM", "SET"


def member_changes(file: LintedFile) -> list[list[Any]]:
    """``[statement index, observation]`` for each ALTER TABLE that MODIFYs or CHANGEs a
    column to an ENUM or SET: old name, new name, type, members, where."""
    found: list[list[Any]] = []
    for statement in file.up_statements:
        alter = alter_table(statement)
        if alter is None:
            continue
        columns = []
        for changed in alter.changed_columns():
            new = column_facts(changed.definition)
            if new["members"] is not None:
                place = plain_span(span_of(statement, changed.definition) or statement.span)
                columns.append([changed.old_name, changed.name, new["type"], new["members"], place])
        if columns:
            observation = {"table": table_key(alter.table), "name": alter.table_name}
            found.append([statement.index, {**observation, "columns": columns}])
    return found


def _storage_bytes(kind: str, members: int) -> int:
    if kind == _ENUM:
        return 1 if members <= 255 else 2
    size = (members + 7) // 8
    return 8 if size > 4 else size


def _problem(kind: str, old: tuple[str, ...], new: tuple[str, ...]) -> str | None:
    removed = [member for member in old if member not in new]
    if removed:
        return "removes " + ", ".join(f"'{member}'" for member in removed)
    if new[: len(old)] != old:
        return "reorders members or inserts some before existing ones"
    before, after = _storage_bytes(kind, len(old)), _storage_bytes(kind, len(new))
    if after != before:
        return f"grows its storage from {before} to {after} bytes ({len(new)} members)"
    return None


def check(change: Change) -> Iterator[tuple[ChangedFile | None, Violation]]:
    for file, alter, catalog in replay(change, member_changes):
        facts = catalog.table(alter["table"])
        if facts is None or facts.created_in_change:
            continue
        for old_name, name, kind, members, place in alter["columns"]:
            old = facts.column(old_name)
            if old is None or old.members is None or old.type != kind:
                continue  # ENUM <-> SET is a type change: change-column-type reports it
            problem = _problem(kind, old.members, tuple(members))
            if problem is None:
                continue
            yield (
                file,
                Violation(
                    message=f"Only append members to {kind} column `{name}` of "
                    f"`{alter['name']}`: this {problem}",
                    help="Append new members at the end; to drop one, move the rows off it and "
                    "rebuild with gh-ost or pt-online-schema-change",
                    span=span_from_plain(place),
                ),
            )


RULE = ChangeRule(
    id="mysql-enum-set-change",
    severity=Severity.ERROR,
    dialects=MYSQL,
    doc=__doc__ or "",
    facts=(table_changes, member_changes),
    check=check,
)
