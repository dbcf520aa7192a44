"""SET NOT NULL that scans the table.

## What it does
Reports `ALTER COLUMN c SET NOT NULL` on an existing table, and PostgreSQL 18's
`ADD CONSTRAINT name NOT NULL c` without `NOT VALID`.

Ignores tables created earlier in the same change. From PostgreSQL 12 (assumed when no
`postgres_version` is configured), ignores a column with a validated `CHECK (c IS NOT NULL)`
earlier in the same file: added without `NOT VALID`, or added `NOT VALID` and then validated.
When only the `VALIDATE CONSTRAINT` is in the file (the check was added by an earlier
migration), a validated constraint whose name contains the column name and `null` or `nn`
(`users_email_not_null`, `email_nn`) is taken as that check.

## Why is this bad?
`SET NOT NULL` holds an ACCESS EXCLUSIVE lock while it scans every row for NULLs: reads and
writes are blocked for the whole scan, and it fails if any NULL is left (or written by an old
application version still running).

## Example
```sql
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
-- ACCESS EXCLUSIVE on users: reads and writes blocked while every row is scanned
```

## Use instead
```sql
-- migration 1: brief lock, no scan; new rows are checked from now on
ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;

-- migration 2 (after backfilling NULLs): the scan runs under SHARE UPDATE EXCLUSIVE
ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;
-- PostgreSQL 12+ trusts the validated check: no second scan
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_email_not_null;
```
PostgreSQL 18 can do the same with `ADD CONSTRAINT users_email_not_null NOT NULL email
NOT VALID` and `VALIDATE CONSTRAINT`. Before 12, `SET NOT NULL` always scans: keep the
validated check instead, or run it in a quiet period.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.alter_subcommands import AlterSubcommand, alter_subcommands
from linters.sql.object_names import qualified_name
from linters.sql.schema_facts import TableFacts, facts_before
from linters.statement import Statement

_NOT_NULL_NAME = re.compile(r"null|(?:^|_)nn(?:$|_)")


def _column_set_not_null(subcommand: AlterSubcommand) -> str | None:
    if subcommand.words[:1] == ("ALTER",) and subcommand.top_words[-3:] == ("SET", "NOT", "NULL"):
        return subcommand.column_name
    if subcommand.constraint_kind == "NOT NULL" and not subcommand.not_valid:
        tokens = subcommand.tokens
        return tokens[5].text if len(tokens) > 5 else None  # ADD CONSTRAINT n NOT NULL c
    return None


def _proven_not_null(facts: TableFacts | None, column: str) -> bool:
    if facts is None:
        return False
    if column in facts.not_null_checks:
        return True
    return any(column in name and _NOT_NULL_NAME.search(name) for name in facts.validated)


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    alter = alter_subcommands(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    version = context.server_version
    check_skips_scan = version is None or version >= (12,)
    table = qualified_name(alter.table)
    for subcommand in alter.subcommands:
        column = _column_set_not_null(subcommand)
        if column is None:
            continue
        if not check_skips_scan:
            yield Violation(
                message=f"Do not SET NOT NULL on `{column}` of `{table}` while it is in use",
                help=f"PostgreSQL < 12 always scans: keep a validated CHECK ({column} IS NOT "
                "NULL) instead, or run it in a quiet period",
            )
            continue
        facts = facts_before(statement, context).table(alter.table)
        if _proven_not_null(facts, column.lower()):
            continue
        yield Violation(
            message=f"Prove `{column}` of `{table}` NOT NULL with a validated CHECK before "
            "SET NOT NULL",
            help=f"ADD CONSTRAINT ... CHECK ({column} IS NOT NULL) NOT VALID, VALIDATE it in a "
            "later migration, then SET NOT NULL skips the scan",
        )


RULE = StatementRule(
    id="set-not-null-scan",
    severity=Severity.ERROR,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    alter_actions=frozenset({"ALTER", "ADD CONSTRAINT"}),
    check=check,
)
