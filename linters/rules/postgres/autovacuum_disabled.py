"""Autovacuum switched off for a table.

## What it does
Reports `autovacuum_enabled = false` (or `off`, `no`, `0`), for the table or its TOAST table
(`toast.autovacuum_enabled`), in `ALTER TABLE ... SET (...)`, `CREATE TABLE ... WITH (...)`
and the same for materialized views.

New tables are not exempt: the harm comes later, as the table fills.

## Why is this bad?
Without autovacuum, dead rows are never cleaned up: the table and its indexes bloat and
queries slow down. Worse, old transaction IDs are never frozen, and the whole database
eventually stops accepting writes to prevent transaction ID wraparound (PostgreSQL then runs an
aggressive anti-wraparound vacuum anyway, at the worst moment).

## Example
```sql
ALTER TABLE events SET (autovacuum_enabled = false);
-- dead rows pile up; wraparound protection depends on someone remembering to VACUUM
```

## Use instead
Keep autovacuum on and tune it for the table:
```sql
ALTER TABLE events SET (
  autovacuum_vacuum_scale_factor = 0.01,
  autovacuum_vacuum_cost_limit = 2000
);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.object_names import qualified_name, qualified_name_tokens
from linters.statement import Statement

_SWITCHED_OFF = frozenset({"FALSE", "OFF", "NO", "0"})
_NAME_AT = {("CREATE", "TABLE"): 2, ("ALTER", "TABLE"): 2, ("CREATE", "MATERIALIZED"): 3}


def _disables_autovacuum(words: tuple[str, ...]) -> bool:
    return any(
        word == "AUTOVACUUM_ENABLED"
        and words[position + 1 : position + 2] == ("=",)
        and words[position + 2 : position + 3] != ()
        and words[position + 2].upper() in _SWITCHED_OFF
        for position, word in enumerate(words)
    )


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    words = statement.words
    if words[:1] not in (("CREATE",), ("ALTER",)) or not _disables_autovacuum(words):
        return
    position = _NAME_AT.get((words[0], words[1]), 3)
    while words[position : position + 1] in (("IF",), ("NOT",), ("EXISTS",), ("ONLY",)):
        position += 1
    table, _ = qualified_name_tokens(statement.tokens, position)
    name = qualified_name(table) if table is not None else "the table"
    yield Violation(
        message=f"Keep autovacuum enabled on `{name}`",
        help="Without it dead rows pile up and transaction ID wraparound looms; tune "
        "autovacuum_vacuum_scale_factor and cost limits instead",
    )


RULE = StatementRule(
    id="autovacuum-disabled",
    severity=Severity.WARNING,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Create, exp.Command),
    needs_words=frozenset({"AUTOVACUUM_ENABLED"}),
    check=check,
)
