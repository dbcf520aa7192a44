"""Several ALTER TABLE statements on the same table that could be one.

## What it does
Reports an `ALTER TABLE` on an existing table that directly follows another `ALTER TABLE` of
the same table in the same file (no statement in between reads or changes that table, no
transaction boundary), when both could be written as one statement.

## Why is this bad?
Each statement queues for the table's lock again, and each may scan or rewrite the table again:
PostgreSQL rewrites once per statement that needs it; MySQL copies or rebuilds the table once
per `ALTER`. Every extra lock acquisition is another chance to wait behind a long transaction
and stall the queries queued behind it.

## Example
```sql
ALTER TABLE users ADD COLUMN team_id bigint;   -- lock users
ALTER TABLE users ADD COLUMN nickname text;    -- queue for the lock again
ALTER TABLE users ALTER COLUMN email SET NOT NULL;  -- and again, plus a scan
```

## Use instead
```sql
ALTER TABLE users
  ADD COLUMN team_id bigint,
  ADD COLUMN nickname text,
  ALTER COLUMN email SET NOT NULL;
```
Not reported: ALTERs that must stay apart — `RENAME`, `SET SCHEMA`, `ATTACH/DETACH PARTITION`
(PostgreSQL allows them only alone) and `VALIDATE CONSTRAINT` (kept separate on purpose after
`NOT VALID`); ALTERs separated by a statement on the same table (a backfill between adding a
column and `SET NOT NULL`) or by `BEGIN`/`COMMIT`; an ALTER acting on a column the previous one
adds (one statement cannot add a column and alter it; define it right at once instead); tables
created earlier in the change.
"""

from __future__ import annotations

from collections.abc import Iterator

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import FileRule, LintedFile, Violation, table_key, unqualified
from linters.sql.alter_subcommands import AlteredTable, alter_subcommands
from linters.sql.new_tables import NewTables
from linters.sql.object_names import qualified_name
from linters.sql.transactions import transaction_control
from linters.statement import Statement

#: Actions PostgreSQL refuses in a list with others, or that are kept apart on purpose.
_ALONE = (("RENAME",), ("SET", "SCHEMA"), ("ATTACH", "PARTITION"), ("DETACH", "PARTITION"))


def _mergeable(alter: AlteredTable) -> bool:
    return not any(
        action.top_words[: len(words)] == words
        for action in alter.subcommands
        for words in (*_ALONE, ("VALIDATE", "CONSTRAINT"))
    )


def _added_columns(alter: AlteredTable) -> set[str]:
    return {
        action.column_name.lower()
        for action in alter.subcommands
        if action.adds_column and action.column_name is not None
    }


def _mentions(alter: AlteredTable, columns: set[str]) -> bool:
    return any(word.lower() in columns for action in alter.subcommands for word in action.words)


def check(file: LintedFile) -> Iterator[Violation]:
    new_tables = NewTables(file.context)
    #: Short table name -> line of the last mergeable ALTER TABLE on it, columns it added.
    last_alter: dict[str, tuple[int, set[str]]] = {}
    for statement in file.up_statements:
        alter = alter_subcommands(statement)
        if transaction_control(statement) is not None:
            last_alter.clear()
        elif alter is not None and not new_tables.is_new(alter.table):
            table = unqualified(table_key(alter.table))
            earlier = last_alter.get(table)
            if not _mergeable(alter):
                last_alter.pop(table, None)
            elif earlier is None or _mentions(alter, earlier[1]):
                # Acting on a column the earlier ALTER adds: one statement could not do both.
                last_alter[table] = (statement.span.line, _added_columns(alter))
            else:
                yield _violation(statement, alter, earlier[0])
                earlier[1].update(_added_columns(alter))
        elif last_alter:
            mentioned = {word.lower() for word in statement.words}
            for table in [table for table in last_alter if table in mentioned]:
                del last_alter[table]
        new_tables.observe(statement)


def _violation(statement: Statement, alter: AlteredTable, first_line: int) -> Violation:
    name = qualified_name(alter.table)
    return Violation(
        message=f"Merge this ALTER TABLE `{name}` into the one on line {first_line}",
        help="List the actions in one ALTER TABLE, separated by commas: one lock, one rewrite",
        statement=statement,
    )


RULE = FileRule(
    id="alter-table-not-merged",
    severity=Severity.INFO,
    dialects=ALL,
    doc=__doc__ or "",
    check=check,
)
