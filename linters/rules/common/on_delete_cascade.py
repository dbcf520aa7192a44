"""Foreign key with `ON DELETE CASCADE`.

## What it does
Reports a foreign key declared with `ON DELETE CASCADE`, inline (`REFERENCES ... ON DELETE
CASCADE`), at table level, or added with `ALTER TABLE ... ADD [CONSTRAINT ...] FOREIGN KEY`.
Off by default: a policy for teams that want deletes to be explicit. `ON DELETE SET NULL`,
`RESTRICT` and `NO ACTION` pass.

## Why is this bad?
One `DELETE` of a parent row silently deletes its children, their children, and so on: an
unbounded number of rows in one transaction, holding row locks on all of them, writing WAL /
binlog in one burst, and firing no application code (MySQL does not even fire triggers for
cascaded deletes). A mistaken delete of one account can empty half the database, and nothing in
the statement shows it.

## Example
```sql
ALTER TABLE invoices
    ADD CONSTRAINT invoices_account_fk FOREIGN KEY (account_id)
    REFERENCES accounts (id) ON DELETE CASCADE;  -- deleting an account deletes every invoice
```

## Use instead
```sql
ALTER TABLE invoices
    ADD CONSTRAINT invoices_account_fk FOREIGN KEY (account_id)
    REFERENCES accounts (id) ON DELETE RESTRICT;
-- and delete (or archive) the invoices explicitly, in batches, before the account
```
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL
from linters.rule import Context, StatementRule, Violation
from linters.sql.foreign_key_definitions import statement_foreign_keys
from linters.sql.node_spans import violation_at
from linters.statement import Statement


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    for foreign_key in statement_foreign_keys(statement):
        if foreign_key.on_delete != "CASCADE":
            continue
        referenced = foreign_key.referenced_table.name if foreign_key.referenced_table else "?"
        yield violation_at(
            statement,
            foreign_key.anchor,
            message=f"Remove ON DELETE CASCADE from foreign key `{foreign_key.label}` "
            f"to `{referenced}`",
            help="Use ON DELETE RESTRICT and delete dependent rows explicitly, in batches",
        )


RULE = StatementRule(
    id="on-delete-cascade",
    severity=None,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Create, exp.Alter),
    check=check,
)
