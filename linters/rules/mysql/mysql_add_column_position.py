"""New column placed with FIRST or AFTER on a server that can only add it instantly at the end.

## What it does
Reports `ALTER TABLE ... ADD COLUMN ... FIRST` or `AFTER other` on an existing table when the
production server cannot add a column instantly in the middle: MySQL before 8.0.29, MariaDB
before 10.4. Set `mysql_version` to your production version; without it schemabot judges for
MySQL 8.4 / MariaDB 10.11, where any position is instant, and stays quiet.

Moving an existing column (`MODIFY`/`CHANGE ... AFTER`) is `column-reordered`.

## Why is this bad?
MySQL 8.0.12 to 8.0.28 and MariaDB 10.3 add a column with `ALGORITHM=INSTANT` only as the last
column. Anywhere else, the whole table is rebuilt, every row rewritten, and replicas lag for as
long. The position of a column rarely matters to anyone.

## Example
```sql
-- mysql_version = "8.0.28"
ALTER TABLE orders ADD COLUMN note varchar(255) AFTER status;
-- AFTER: orders is rebuilt row by row instead of changed instantly
```

## Use instead
```sql
ALTER TABLE orders ADD COLUMN note varchar(255);
```
Exempt: tables created earlier in the same change.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp
from sqlglot.tokenizer_core import TokenType

from linters.dialects import MYSQL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.mysql_alter import AlterTable, alter_table
from linters.sql.mysql_version import at_least, server_label
from linters.sql.node_spans import span_of
from linters.statement import Statement

_CLAUSE_END = frozenset({TokenType.COMMA, TokenType.SEMICOLON})


def _without_positions(alter: AlterTable) -> str | None:
    """The statement without its FIRST / AFTER clauses, when only ADD COLUMN has them."""
    if any(changed.definition.args.get("position") for changed in alter.changed_columns()):
        return None
    statement, tokens = alter.statement, alter.statement.tokens
    cuts: list[tuple[int, int]] = []
    for i, token in enumerate(tokens):
        word = token.text.upper()
        span = 1 if word == "FIRST" else 2 if word == "AFTER" else 0
        after = i + span
        ends_clause = after == len(tokens) or (
            after < len(tokens) and tokens[after].token_type in _CLAUSE_END
        )
        if span and i > 0 and ends_clause:
            cuts.append((tokens[i - 1].end + 1, tokens[after - 1].end + 1))
    if not cuts:
        return None
    text, kept = statement.text, []
    position = 0
    for start, end in cuts:
        kept.append(text[position:start])
        position = end
    kept.append(text[position:])
    return "".join(kept)


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    alter = alter_table(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    if at_least(context, mysql=(8, 0, 29), mariadb=(10, 4)):
        return
    positioned = [c for c in alter.added_columns() if c.args.get("position") is not None]
    suggestion = _without_positions(alter) if positioned else None
    for column in positioned:
        yield Violation(
            message=f"Add column `{column.name}` at the end of `{alter.table_name}`: "
            f"FIRST/AFTER rebuilds the table on {server_label(context)}",
            help="Drop FIRST/AFTER; name columns in queries instead of relying on their order",
            span=span_of(statement, column),
            suggestion=suggestion,
        )


RULE = StatementRule(
    id="mysql-add-column-position",
    severity=Severity.WARNING,
    dialects=MYSQL,
    doc=__doc__ or "",
    on=(exp.Alter,),
    check=check,
)
