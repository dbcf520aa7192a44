"""Column renamed in a migration.

## What it does
Reports `ALTER TABLE ... RENAME [COLUMN] a TO b` and MySQL/MariaDB's
`ALTER TABLE ... CHANGE [COLUMN] a b <type>` when the two names differ, on a table that
existed before this change. `CHANGE a a <type>` (same name, or a change of letter case only,
which MySQL ignores) is not a rename.

## Why is this bad?
The application version still running during the deploy reads and writes the old name; each of
those queries fails from the moment the migration commits until the new version replaces it.
ORMs that cached the column list fail even on queries that never name the column.

## Example
```sql
ALTER TABLE users RENAME COLUMN mail TO email;
-- running app versions still SELECT mail: "column mail does not exist"
ALTER TABLE users CHANGE COLUMN mail email varchar(255) NOT NULL;  -- MySQL: the same rename
```

## Use instead
Rename only in the ORM (map the attribute to the old column), or move in steps: add the new
column, write both, backfill, switch reads, drop the old column in a later migration. On
MySQL/MariaDB (and PostgreSQL 18) a virtual generated column under the old name keeps old
readers working:
```sql
ALTER TABLE users RENAME COLUMN mail TO email;
ALTER TABLE users ADD COLUMN mail varchar(255) AS (email) VIRTUAL;
```
Exempt: tables created earlier in the same change; a rename followed, in the same statement or
the next one on that table, by a generated column under the old name (as Atlas does). Writers of
the old column still fail then: only reads are kept.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.ddl_targets import alter_actions, altered_table, command_actions
from linters.sql.node_spans import span_of
from linters.sql.object_names import qualified_name, same_table
from linters.sql.renames import ColumnRename, column_renames
from linters.sql.statement_order import next_statement
from linters.statement import Statement

_HELP = "Rename in the ORM only, or add the new column, dual write, backfill, then drop the old"


def _generated_columns(statement: Statement) -> set[str]:
    """Names of the generated columns an ALTER TABLE adds (lower-case)."""
    added = {
        action.name.lower()
        for action in alter_actions(statement.expression)
        if isinstance(action, exp.ColumnDef) and action.find(exp.ComputedColumnConstraint)
    }
    for words in (subcommand.words for subcommand in command_actions(statement)):
        if words[:1] != ("ADD",) or "GENERATED" not in words:
            continue
        names = [word for word in words[1:] if word not in ("COLUMN", "IF", "NOT", "EXISTS")]
        if names:
            added.add(names[0].lower())
    return added


def _old_name_kept(rename: ColumnRename, statement: Statement, context: Context) -> bool:
    old = rename.old.lower()
    if old in _generated_columns(statement):
        return True
    after = next_statement(statement, context)
    if after is None:
        return False
    table = altered_table(after)
    return (
        table is not None and same_table(table, rename.table) and old in _generated_columns(after)
    )


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    for rename in column_renames(statement):
        if context.is_new_table(rename.table) or _old_name_kept(rename, statement, context):
            continue
        table = qualified_name(rename.table)
        yield Violation(
            message=(
                f"Do not rename column `{rename.old}` of `{table}` to `{rename.new}` "
                f"while code still uses `{rename.old}`"
            ),
            help=_HELP,
            span=span_of(statement, rename.node),
        )


RULE = StatementRule(
    id="rename-column",
    severity=Severity.ERROR,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    needs_words=frozenset({"RENAME", "CHANGE"}),
    check=check,
)
