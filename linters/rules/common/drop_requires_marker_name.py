"""Table dropped before it was renamed to the drop marker.

## What it does
Reports `DROP TABLE` of a table whose name does not match `pattern` (by default, names ending
in `_del`). Off by default: a policy that makes dropping a table a two-step change. Exempt:
tables created earlier in the same change (a scratch table dropped again never held data).
The rule `drop-table` reports every drop separately; this one only says whether the drop
followed the rename step.

## Why is this bad?
A dropped table cannot be brought back without a restore. Renaming it first (`orders` ->
`orders_del`) in one migration and dropping it in a later one gives every piece of code that
still uses the table a release to fail loudly on the missing name, while the rename can still be
undone in a second and no data is lost.

## Example
```sql
DROP TABLE legacy_orders;  -- whatever still reads it finds out only when the data is gone
```

## Use instead
```sql
ALTER TABLE legacy_orders RENAME TO legacy_orders_del;  -- this release
DROP TABLE legacy_orders_del;                            -- a later release
```
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL
from linters.rule import Context, StatementRule, Violation
from linters.rule_options import PatternOption
from linters.sql.node_spans import violation_at
from linters.statement import Statement

RULE_ID = "drop-requires-marker-name"
PATTERN = PatternOption(
    RULE_ID,
    "pattern",
    "_del$",
    "A droppable table's name must contain a match (use `^` / `$` to anchor).",
)


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    drop = statement.expression
    if not isinstance(drop, exp.Drop) or str(drop.kind).upper() != "TABLE":
        return
    pattern = PATTERN.compiled(context.config)
    for table in drop.args.get("tables") or ():
        if not isinstance(table, exp.Table) or context.is_new_table(table):
            continue
        if pattern.search(table.name) is not None:
            continue
        yield violation_at(
            statement,
            table,
            message=f"Rename table `{table.name}` to match `{pattern.pattern}` in an earlier "
            "migration before dropping it",
            help="Rename first and drop in a later release, so code still using it fails "
            "while the rename can be undone",
        )


RULE = StatementRule(
    id=RULE_ID,
    severity=None,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Drop,),
    check=check,
    options=(PATTERN,),
)
