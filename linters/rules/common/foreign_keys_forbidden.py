"""Foreign key declared where the policy forbids them.

## What it does
Reports every foreign key: inline `REFERENCES`, table-level `FOREIGN KEY`, and `ALTER TABLE ...
ADD [CONSTRAINT ...] FOREIGN KEY`. Off by default: a policy for databases that keep referential
integrity in the application, typically MySQL fleets migrated with gh-ost or sharded databases.

## Why is this bad?
Where this policy applies, a foreign key is an operational problem rather than a safety net:
gh-ost cannot migrate tables that have them; pt-online-schema-change needs special handling to
swap tables with children; each insert and update takes shared locks on the parent rows,
which deadlocks under concurrency; adding one to an existing MySQL table copies it; and a key
cannot span shards.

## Example
```sql
ALTER TABLE orders ADD CONSTRAINT orders_user_fk
    FOREIGN KEY (user_id) REFERENCES users (id);  -- gh-ost will refuse to migrate orders
```

## Use instead
```sql
CREATE INDEX orders_user_ix ON orders (user_id);
-- enforce the relation in the application, and check orphans with a periodic job
```

## References
- [gh-ost: requirements and limitations](https://github.com/github/gh-ost/blob/master/doc/requirements-and-limitations.md)
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
        referenced = foreign_key.referenced_table.name if foreign_key.referenced_table else "?"
        yield violation_at(
            statement,
            foreign_key.anchor,
            message=f"Remove foreign key `{foreign_key.label}` to `{referenced}`",
            help="Foreign keys are forbidden here: index the column and check integrity in code",
        )


RULE = StatementRule(
    id="foreign-keys-forbidden",
    severity=None,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Create, exp.Alter),
    check=check,
)
