"""ALTER TABLE copies the table or locks it against writes.

## What it does
Reports an `ALTER TABLE` on an existing table that asks for a blocking table copy or lock:
`ALGORITHM=COPY`, `LOCK=SHARED` or `LOCK=EXCLUSIVE`, or an operation that MySQL and MariaDB can
only do by copying the table: `PARTITION BY`, `REMOVE PARTITIONING`, `COALESCE PARTITION`,
`REORGANIZE PARTITION` and `ORDER BY`.

`ALGORITHM=COPY, LOCK=NONE` is reported only where the server refuses it (MySQL, and MariaDB
before 11.2); MariaDB 11.2 and later copy online with concurrent writes.

Other copy-only operations have their own rules, with their own safer paths:
`change-column-type` (a new column type), `mysql-convert-charset`, `mysql-add-foreign-key`
(`foreign_key_checks=1`), `mysql-primary-key-change` (`DROP PRIMARY KEY`),
`mysql-add-column-expression-default`, `mysql-add-check-constraint`,
`add-column-generated-stored` and `mysql-non-innodb-engine` (`ENGINE=` another engine).

## Why is this bad?
`ALGORITHM=COPY` builds a new table and copies every row into it; concurrent writes wait until
the copy ends, minutes to hours on a big table. `LOCK=SHARED` blocks writes for the whole ALTER,
`LOCK=EXCLUSIVE` blocks reads too. Replicas then replay the same long ALTER and lag behind.

## Example
```sql
ALTER TABLE orders ADD COLUMN note varchar(255), ALGORITHM=COPY;
-- ALGORITHM=COPY: orders is copied row by row, writes blocked until the end
ALTER TABLE orders ADD INDEX ix_orders_created (created_at), LOCK=SHARED;
-- LOCK=SHARED: inserts and updates on orders wait for the whole index build
```

## Use instead
```sql
ALTER TABLE orders ADD COLUMN note varchar(255), ALGORITHM=INSTANT;
ALTER TABLE orders ADD INDEX ix_orders_created (created_at), ALGORITHM=INPLACE, LOCK=NONE;
```
When an operation has no online algorithm, run it with gh-ost or pt-online-schema-change.

Exempt: tables created earlier in the same change (nobody uses them yet).

## References
- MySQL: [Online DDL operations](https://dev.mysql.com/doc/refman/8.4/en/innodb-online-ddl-operations.html)
- MariaDB: [ALTER TABLE, ALGORITHM and LOCK](https://mariadb.com/kb/en/alter-table/#algorithm)
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.mysql_alter import AlterTable, alter_table
from linters.sql.mysql_version import at_least
from linters.statement import Statement

_HELP = (
    "Use ALGORITHM=INSTANT or ALGORITHM=INPLACE, LOCK=NONE; "
    "without an online algorithm, use gh-ost or pt-online-schema-change"
)
#: Clauses MySQL and MariaDB can only run by copying the table.
_COPY_ONLY_CLAUSES = (
    ("PARTITION", "BY"),
    ("REMOVE", "PARTITIONING"),
    ("COALESCE", "PARTITION"),
    ("REORGANIZE", "PARTITION"),
)


def _copy_only_clause(alter: AlterTable) -> str | None:
    for clause in _COPY_ONLY_CLAUSES:
        if alter.has_clause(*clause):
            return " ".join(clause)
    if any(isinstance(o, exp.Order) for o in alter.options()) or alter.has_clause("ORDER", "BY"):
        return "ORDER BY"
    return None


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    alter = alter_table(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    table = alter.table_name
    if alter.algorithm == "COPY" and alter.lock == "NONE":
        if not at_least(context, mysql=None, mariadb=(11, 2)):
            yield Violation(
                message=f"Do not ask for ALGORITHM=COPY, LOCK=NONE on `{table}`: "
                "this server refuses it",
                help=_HELP,
            )
        return
    if alter.algorithm == "COPY":
        message = f"Do not copy table `{table}` (ALGORITHM=COPY): writes wait until the copy ends"
    elif alter.lock in ("SHARED", "EXCLUSIVE"):
        blocked = "writes" if alter.lock == "SHARED" else "reads and writes"
        message = f"Do not lock table `{table}` with LOCK={alter.lock}: {blocked} wait"
    elif (clause := _copy_only_clause(alter)) is not None:
        message = f"Do not run {clause} on table `{table}`: it copies the table, writes wait"
    else:
        return
    yield Violation(message=message, help=_HELP)


RULE = StatementRule(
    id="mysql-copy-algorithm",
    severity=Severity.ERROR,
    dialects=MYSQL,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    check=check,
)
