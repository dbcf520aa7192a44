"""Many instant column changes on one table: each uses up one of a limited number of row versions.

## What it does
Counts, per existing table, the `ALTER TABLE` statements of the change that add or drop columns
instantly on MySQL 8.0.29 and later, and reports the statement that takes a table past
`max_versions_per_change` (default 2). When the count within the linted files reaches the
server's cap (64 row versions, 255 from MySQL 9.1) it reports that the next instant change is
refused.

A statement that rebuilds the table resets the count: `ALGORITHM=COPY`/`INPLACE`, `FORCE`,
`ENGINE=`, `OPTIMIZE TABLE`, adding or dropping the primary key, adding a STORED generated,
AUTO_INCREMENT or expression-default column. Several columns added or dropped in one ALTER use
one version. MariaDB has no such counter and is not checked; neither are MySQL versions before
8.0.29, whose instant ADD COLUMN keeps no row versions.

## Why is this bad?
Every ALTER that adds or drops columns with `ALGORITHM=INSTANT` gives the table a new row
version (`INFORMATION_SCHEMA.INNODB_TABLES.TOTAL_ROW_VERSIONS`). After 64 versions (255 from
MySQL 9.1), MySQL refuses `ALGORITHM=INSTANT` ("Maximum row versions reached"); without an
explicit algorithm it silently rebuilds the table instead, at whatever moment the 65th change
happens to run. A change that spends several versions on one table brings that moment closer
for nothing: one ALTER with several columns costs one version.

## Example
```sql
ALTER TABLE orders ADD COLUMN note varchar(255);
ALTER TABLE orders ADD COLUMN gift boolean;
ALTER TABLE orders DROP COLUMN legacy_flag;
-- three row versions of 64 spent on orders; one ALTER would have spent one
```

## Use instead
```sql
ALTER TABLE orders
    ADD COLUMN note varchar(255),
    ADD COLUMN gift boolean,
    DROP COLUMN legacy_flag,
    ALGORITHM=INSTANT;
```
When a table is close to the cap, plan a rebuild with gh-ost or pt-online-schema-change, which
resets the count.
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
from linters.rule_options import IntegerOption
from linters.sql.mysql_alter import AlterTable, alter_table
from linters.sql.mysql_catalog import replay, table_changes
from linters.sql.mysql_column import column_kinds, default_of, has_auto_increment
from linters.sql.mysql_version import at_least
from linters.statement import Statement

RULE_ID = "mysql-instant-row-versions"
MAX_VERSIONS_PER_CHANGE = IntegerOption(
    RULE_ID,
    "max_versions_per_change",
    2,
    "Instant column ALTERs one table may get in one change before the rule reports.",
)


def _rebuilds(alter: AlterTable) -> bool:
    added_key = any(isinstance(item, exp.PrimaryKey) for _, item in alter.added_constraints())
    not_instant_column = any(
        has_auto_increment(column)
        or isinstance(default_of(column), exp.Paren)
        or any(
            isinstance(k, exp.ComputedColumnConstraint) and k.args.get("persisted")
            for k in column_kinds(column)
        )
        for column in alter.added_columns()
    )
    return (
        alter.algorithm in ("COPY", "INPLACE")
        or any(isinstance(action, exp.ForceProperty) for action in alter.actions)
        or any(isinstance(option, exp.EngineProperty) for option in alter.options())
        or alter.drops_primary_key
        or added_key
        or not_instant_column
    )


def _rebuilt_by_optimize(statement: Statement) -> list[str]:
    """Tables an ``OPTIMIZE TABLE a, b`` rebuilds (InnoDB maps OPTIMIZE to a rebuild)."""
    words = statement.words
    if words[:1] != ("OPTIMIZE",) or "TABLE" not in words:
        return []
    names = words[words.index("TABLE") + 1 :]
    return [name.lower() for name in names if name not in (",", ".")]


def row_version_changes(file: LintedFile) -> list[list[Any]]:
    """``[statement index, observation]`` for each OPTIMIZE TABLE (tables rebuilt) and ALTER
    TABLE (whether it rebuilds the table, or adds or drops columns instantly)."""
    found: list[list[Any]] = []
    for statement in file.up_statements:
        optimized = _rebuilt_by_optimize(statement)
        alter = alter_table(statement)
        if not optimized and alter is None:
            continue
        observation: dict[str, Any] = {"optimized": optimized, "alter": None}
        if alter is not None:
            observation["alter"] = {
                "table": table_key(alter.table),
                "name": alter.table_name,
                "rebuilds": _rebuilds(alter),
                "changes_columns": bool(alter.added_columns() or alter.dropped("COLUMN")),
                "at": plain_span(statement.span),
            }
        found.append([statement.index, observation])
    return found


def check(change: Change) -> Iterator[tuple[ChangedFile | None, Violation]]:
    if not at_least(change, mysql=(8, 0, 29), mariadb=None):
        return
    limit = MAX_VERSIONS_PER_CHANGE.value(change.config)
    cap = 255 if at_least(change, mysql=(9, 1), mariadb=None) else 64
    counts: dict[str, int] = {}
    reported: set[str] = set()
    for file, observed, catalog in replay(change, row_version_changes):
        for name in observed["optimized"]:
            counts.pop(name, None)
        alter = observed["alter"]
        facts = catalog.table(alter["table"]) if alter is not None else None
        if alter is None or (facts is not None and facts.created_in_change):
            continue
        key = alter["table"]
        if alter["rebuilds"]:
            counts.pop(key, None)
            continue
        if not alter["changes_columns"]:
            continue
        counts[key] = counts.get(key, 0) + 1
        if counts[key] > cap:
            # The server refuses or rebuilds here; either way the count starts again.
            counts.pop(key)
            message = (
                f"Rebuild `{alter['name']}` before this ALTER: it passes the cap of {cap} "
                "instant row versions, so MySQL refuses ALGORITHM=INSTANT or rebuilds the table"
            )
        elif counts[key] > limit and key not in reported:
            message = (
                f"Combine the column changes of `{alter['name']}`: this change spends "
                f"{counts[key]} of its {cap} instant row versions"
            )
        else:
            continue
        reported.add(key)
        yield (
            file,
            Violation(
                message=message,
                help="Add and drop columns in one ALTER TABLE; near the cap, rebuild the table "
                "with gh-ost or pt-online-schema-change",
                span=span_from_plain(alter["at"]),
            ),
        )


RULE = ChangeRule(
    id=RULE_ID,
    severity=Severity.INFO,
    dialects=MYSQL,
    doc=__doc__ or "",
    facts=(table_changes, row_version_changes),
    check=check,
    options=(MAX_VERSIONS_PER_CHANGE,),
)
