"""Too many statements in one transaction.

## What it does
Reports a transaction (the runner's, for a whole PostgreSQL or SQLite file, or an explicit
`BEGIN ... COMMIT`) with more statements than a limit, 20 by default. Session settings (`SET`)
do not count. Off by default: select it to enforce a limit.

## Why is this bad?
Every lock a statement takes is held until the transaction ends, so a long transaction holds the
first statement's locks through all the others, and blocks more queries the longer it runs. If
the last statement fails, everything is rolled back, which on a large data change takes as long
again. Long files are also hard to review.

## Example
```sql
ALTER TABLE users ADD COLUMN team_id bigint;  -- locks users ...
-- ... 40 more statements on other tables ...
UPDATE orders SET team_id = 1;                 -- ... until this, the 42nd, commits
```

## Use instead
```sql
-- V40__add_users_team_id.sql: a short transaction, its lock released at once
ALTER TABLE users ADD COLUMN team_id bigint;

-- V41__...sql, V42__...sql: the other changes, each in its own migration
```
"""

from __future__ import annotations

from collections.abc import Iterator

from linters.dialects import ALL
from linters.rule import FileRule, LintedFile, Violation
from linters.rule_options import IntegerOption
from linters.sql.statement_kinds import StatementKind, statement_kind

RULE_ID = "transaction-too-many-statements"
MAX_STATEMENTS = IntegerOption(
    RULE_ID, "max_statements", 20, "The most statements one transaction may hold."
)


def check(file: LintedFile) -> Iterator[Violation]:
    context = file.context
    limit = MAX_STATEMENTS.value(context.config)
    for transaction in file.context.transactions:
        counted = [
            statement
            for statement in transaction.statements
            if statement_kind(statement) is not StatementKind.SESSION
        ]
        if transaction.is_block and len(counted) > limit:
            yield Violation(
                message=(
                    f"Split this transaction: it runs {len(counted)} statements, more than "
                    f"{limit}; this is statement {limit + 1}"
                ),
                help="Several short migrations hold their locks for less time than one long one",
                statement=counted[limit],
            )


RULE = FileRule(
    id=RULE_ID,
    severity=None,
    dialects=ALL,
    doc=__doc__ or "",
    check=check,
    options=(MAX_STATEMENTS,),
)
