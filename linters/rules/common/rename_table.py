"""Table renamed in a migration.

## What it does
Reports `ALTER TABLE ... RENAME TO` (MySQL also `RENAME new_name`) and MySQL's
`RENAME TABLE a TO b [, c TO d]` on a table that existed before this change.

## Why is this bad?
During a deploy the previous version of the application keeps running and keeps querying the
old name; every one of its queries on the table fails from the moment the migration commits
until the new version replaces it. A rollback of the code fails the same way.

## Example
```sql
ALTER TABLE customers RENAME TO clients;
-- running app versions still query customers: "relation customers does not exist"
```

## Use instead
Keep the table name and rename the model in the ORM, or move in steps (new table, dual write,
backfill, switch reads, drop the old one). If the name must change now, leave a view under the
old name in the very next statement, so simple reads and writes keep working:
```sql
ALTER TABLE customers RENAME TO clients;
CREATE VIEW customers AS SELECT id, name, email FROM clients;
```
Exempt: tables created earlier in the same change; a rename followed directly by a view with
the old name (as Atlas does); a swap where another table takes over the old name in the same
`RENAME TABLE` statement or in the next statement (`RENAME TABLE t TO t_old, t_new TO t`).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.object_names import qualified_name, same_table
from linters.sql.renames import TableRename, table_renames
from linters.sql.statement_order import next_statement
from linters.statement import Statement


def _name_taken_over(
    rename: TableRename, later: list[TableRename], after: Statement | None
) -> bool:
    """The old name keeps existing: a view or another table takes it over straight away."""
    if any(same_table(other.new, rename.old) for other in later):
        return True
    if after is None:
        return False
    created = after.expression
    if isinstance(created, exp.Create) and str(created.args.get("kind", "")).upper() == "VIEW":
        view = created.find(exp.Table)
        return view is not None and same_table(view, rename.old)
    return any(same_table(other.new, rename.old) for other in table_renames(after))


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    renames = table_renames(statement)
    after = next_statement(statement, context)
    for position, rename in enumerate(renames):
        if context.is_new_table(rename.old):
            continue
        if _name_taken_over(rename, renames[position + 1 :], after):
            continue
        old, new = qualified_name(rename.old), qualified_name(rename.new)
        yield Violation(
            message=f"Do not rename table `{old}` to `{new}` while code still uses `{old}`",
            help=f"Keep the name, or create a view named `{old}` in the next statement",
        )


RULE = StatementRule(
    id="rename-table",
    severity=Severity.ERROR,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    needs_words=frozenset({"RENAME"}),
    check=check,
)
