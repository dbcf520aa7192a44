"""Primary key added on an index whose columns may hold NULL.

## What it does
Reports `ADD [CONSTRAINT name] PRIMARY KEY USING INDEX index` when the index was created
earlier in the same file and one of its columns is known to be nullable: the file added it
without `NOT NULL`, or dropped its `NOT NULL`.

Ignores tables created earlier in the same change, and columns with a validated
`CHECK (c IS NOT NULL)` earlier in the file on PostgreSQL 12+ (assumed when no
`postgres_version` is configured). Stays quiet when the index or the columns' nullability
come from outside the file: without a database to ask, schemabot cannot tell.

## Why is this bad?
`PRIMARY KEY USING INDEX` is meant to be the quick last step, but PostgreSQL first sets every
key column NOT NULL, and for a nullable column that is a full scan under an ACCESS EXCLUSIVE
lock: reads and writes are blocked for the whole scan.

## Example
```sql
ALTER TABLE events ADD COLUMN event_id bigint;
-- ... backfill, then CREATE UNIQUE INDEX CONCURRENTLY events_event_id_key ...
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_event_id_key;
-- event_id is nullable: ACCESS EXCLUSIVE on events while every row is scanned for NULLs
```

## Use instead
```sql
ALTER TABLE events ADD CONSTRAINT events_event_id_not_null
  CHECK (event_id IS NOT NULL) NOT VALID;
-- later migration:
ALTER TABLE events VALIDATE CONSTRAINT events_event_id_not_null;
ALTER TABLE events ALTER COLUMN event_id SET NOT NULL;  -- no scan on PostgreSQL 12+
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_event_id_key;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.alter_subcommands import alter_subcommands
from linters.sql.object_names import qualified_name
from linters.sql.schema_facts import facts_before
from linters.statement import Statement


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    alter = alter_subcommands(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    version = context.server_version
    check_skips_scan = version is None or version >= (12,)
    for subcommand in alter.subcommands:
        index_name = subcommand.using_index
        if subcommand.constraint_kind != "PRIMARY KEY" or index_name is None:
            continue
        facts = facts_before(statement, context)
        index, table_facts = facts.index(index_name), facts.table(alter.table)
        if index is None or table_facts is None:
            continue
        nullable = [
            column
            for column in index.columns
            if column in table_facts.columns
            and table_facts.columns[column].not_null is False
            and not (check_skips_scan and column in table_facts.not_null_checks)
        ]
        if nullable:
            columns = ", ".join(f"`{column}`" for column in nullable)
            yield Violation(
                message=f"Make {columns} of `{qualified_name(alter.table)}` NOT NULL before "
                f"adding the primary key USING INDEX `{index_name}`",
                help="CHECK (... IS NOT NULL) NOT VALID, VALIDATE it, SET NOT NULL, "
                "then add the primary key",
            )


RULE = StatementRule(
    id="pk-using-index-nullable",
    severity=Severity.WARNING,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    alter_actions=frozenset({"ADD CONSTRAINT"}),
    check=check,
)
