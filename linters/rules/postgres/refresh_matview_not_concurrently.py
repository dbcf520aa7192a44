"""Materialized view refreshed without CONCURRENTLY.

## What it does
Reports `REFRESH MATERIALIZED VIEW` without `CONCURRENTLY`.

Ignores materialized views created earlier in the same change (the first refresh of a view
created `WITH NO DATA` cannot be concurrent), and `REFRESH ... WITH NO DATA`, which empties the
view and has no concurrent form.

## Why is this bad?
A plain refresh holds an ACCESS EXCLUSIVE lock on the view while its query runs: every reader
of the view waits, for as long as the query takes.

## Example
```sql
REFRESH MATERIALIZED VIEW order_totals;
-- ACCESS EXCLUSIVE on order_totals: every SELECT on it waits for the whole refresh
```

## Use instead
```sql
-- once: CONCURRENTLY needs a unique index on plain columns covering every row
CREATE UNIQUE INDEX CONCURRENTLY ux_order_totals_user ON order_totals (user_id);

REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;
```
A concurrent refresh lets readers continue (it takes an EXCLUSIVE lock, which blocks only other
writers) and works on a view that is already populated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.maintenance_commands import maintenance_command
from linters.sql.object_names import qualified_name
from linters.sql.schema_facts import facts_before
from linters.sql.statement_edits import insert_after
from linters.statement import Statement

_REFRESH = re.compile(r"REFRESH\s+MATERIALIZED\s+VIEW\b", re.IGNORECASE)


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    command = maintenance_command(statement)
    if command is None or command.verb != "REFRESH" or not command.targets:
        return
    if "CONCURRENTLY" in command.options or command.with_no_data:
        return
    view = command.targets[0]
    if facts_before(statement, context).is_new_table(view):
        return
    yield Violation(
        message=f"Refresh materialized view `{qualified_name(view)}` CONCURRENTLY",
        help="Use REFRESH MATERIALIZED VIEW CONCURRENTLY (the view needs a unique index)",
        suggestion=insert_after(statement, _REFRESH, " CONCURRENTLY"),
    )


RULE = StatementRule(
    id="refresh-matview-not-concurrently",
    severity=Severity.WARNING,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Command,),
    check=check,
)
