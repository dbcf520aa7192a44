"""Schema changes and data changes in one migration file.

## What it does
Reports the first data change (`INSERT`, `UPDATE`, `DELETE`, `MERGE`, `COPY ... FROM`,
MySQL `REPLACE` / `LOAD DATA`) in a file that also changes the schema (`CREATE`, `ALTER`,
`DROP`, `TRUNCATE`, `RENAME`).

## Why is this bad?
On PostgreSQL the file runs in one transaction, so every lock the DDL took is held while the
data change runs: an `ALTER TABLE` followed by a backfill keeps the table locked for the whole
backfill. On MySQL/MariaDB each DDL commits implicitly, so the file is not atomic: a failing
`UPDATE` after a successful `ALTER` leaves the migration half-applied. Data migrations also
want different handling (batches, throttling, re-runs) than schema migrations.

## Example
```sql
ALTER TABLE users ADD COLUMN team_id bigint;  -- ACCESS EXCLUSIVE on users ...
UPDATE users SET team_id = 1;                 -- ... held while every row is rewritten
```

## Use instead
```sql
-- V30__add_users_team_id.sql
ALTER TABLE users ADD COLUMN team_id bigint;

-- V31__backfill_users_team_id.sql (batched, in its own migration)
UPDATE users SET team_id = 1 WHERE id BETWEEN 1 AND 10000 AND team_id IS NULL;
```
Exempt on PostgreSQL and SQLite, when the file runs in one transaction: data written only into
tables created earlier in the same change (seeding a new lookup table is atomic and locks
nothing anybody uses). On MySQL/MariaDB that seed is still reported, since the file cannot
roll back as a whole. `COMMENT ON` and temporary tables do not count as schema changes.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import FileRule, LintedFile, Violation
from linters.sql.new_tables import NewTables
from linters.sql.object_names import qualified_name
from linters.sql.statement_kinds import (
    StatementKind,
    is_temporary_table_statement,
    statement_head,
    statement_kind,
)
from linters.statement import Statement


def _changes_schema(statement: Statement) -> bool:
    return (
        statement_kind(statement) is StatementKind.SCHEMA
        and statement.words[:1] != ("COMMENT",)
        and not is_temporary_table_statement(statement)
    )


def _written_table(statement: Statement) -> exp.Table | None:
    expression = statement.expression
    if expression is None or statement_kind(statement) is not StatementKind.DATA:
        return None
    target = (
        expression.this.find(exp.Table) if isinstance(expression.this, exp.Expression) else None
    )
    return target if isinstance(target, exp.Table) else None


def check(file: LintedFile) -> Iterator[Violation]:
    context = file.context
    statements = file.up_statements
    schema_changes = [statement for statement in statements if _changes_schema(statement)]
    if not schema_changes:
        return
    found = context.transactions
    atomic = len(found) == 1 and found[0].is_block and context.dialect in ("postgres", "sqlite")
    new_tables = NewTables(context)
    for statement in statements:
        if statement_kind(statement) is StatementKind.DATA:
            table = _written_table(statement)
            if not (atomic and table is not None and new_tables.is_new(table)):
                yield _violation(statement, table, schema_changes[0])
                return
        new_tables.observe(statement)


def _violation(
    statement: Statement, table: exp.Table | None, schema_change: Statement
) -> Violation:
    target = f"`{qualified_name(table)}`" if table is not None else "the data"
    return Violation(
        message=(
            f"Move the data change to {target} into its own migration: this file also changes "
            f"the schema (`{statement_head(schema_change)}`, line {schema_change.span.line})"
        ),
        help="Keep schema migrations and data migrations in separate files",
        statement=statement,
    )


RULE = FileRule(
    id="mixed-ddl-dml",
    severity=Severity.WARNING,
    dialects=ALL,
    doc=__doc__ or "",
    check=check,
)
