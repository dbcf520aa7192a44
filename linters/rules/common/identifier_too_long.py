"""Identifier longer than the server allows.

## What it does
Reports a name chosen by the migration (table, view, column, index, constraint, schema,
sequence, type, function, trigger...) that is longer than PostgreSQL's 63 bytes (UTF-8 bytes, not
characters: `é` counts 2) or MySQL / MariaDB's 64 characters. Names only referred to, not
declared, are not checked: an existing name is not this migration's choice.

## Why is this bad?
PostgreSQL silently truncates longer identifiers to 63 bytes (`NAMEDATALEN - 1`) with only a
NOTICE. Two long names that share their first 63 bytes become the same name: the second
`CREATE INDEX` fails, or a later `DROP` or `ALTER` hits the object the author did not mean; and
the name in the catalog is not the one in the code. MySQL refuses the statement, so the
migration fails when it is applied instead of when it is reviewed.

## Example
```sql
-- truncated to 63 bytes: collides with the next index that starts the same way
CREATE INDEX index_customer_subscription_invoices_on_customer_id_and_created_at
    ON customer_subscription_invoices (customer_id, created_at);
```

## Use instead
```sql
CREATE INDEX ix_sub_invoices_customer_created
    ON customer_subscription_invoices (customer_id, created_at);
```

## References
- [PostgreSQL: Identifiers and Key Words](https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS)
- [MySQL: Identifier Length Limits](https://dev.mysql.com/doc/refman/8.0/en/identifier-length.html)
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL, POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.declared_names import declared_names
from linters.sql.node_spans import violation_at
from linters.statement import Statement

#: PostgreSQL's NAMEDATALEN is 64 including the terminating zero byte.
POSTGRES_MAX_BYTES = 63
MYSQL_MAX_CHARACTERS = 64


def _has_word_over(statement: Statement, size: int) -> bool:
    """Whether a token has more than ``size`` UTF-8 bytes: a name longer than the limit is one
    of them. A character takes at most 4 bytes, so most tokens are judged by their length."""
    texts = [token.text for token in statement.tokens]
    shortest_suspect = size // 4 + 1
    return any(len(text.encode("utf-8")) > size for text in texts if len(text) >= shortest_suspect)


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    if not _has_word_over(statement, min(POSTGRES_MAX_BYTES, MYSQL_MAX_CHARACTERS)):
        return
    for declared in declared_names(statement):
        kind = declared.kind.replace("_", " ")
        if context.dialect == "postgres":
            size = len(declared.name.encode("utf-8"))
            if size <= POSTGRES_MAX_BYTES:
                continue
            message = (
                f"Shorten {kind} `{declared.name}` to {POSTGRES_MAX_BYTES} bytes (it has {size})"
            )
            help = "PostgreSQL truncates it silently; names sharing the first 63 bytes collide"
        else:
            size = len(declared.name)
            if size <= MYSQL_MAX_CHARACTERS:
                continue
            message = (
                f"Shorten {kind} `{declared.name}` to {MYSQL_MAX_CHARACTERS} characters "
                f"(it has {size})"
            )
            help = "MySQL rejects identifiers longer than 64 characters: the migration would fail"
        yield violation_at(statement, declared.identifier, message=message, help=help)


RULE = StatementRule(
    id="identifier-too-long",
    severity=Severity.ERROR,
    dialects=POSTGRES | MYSQL,
    doc=__doc__ or "",
    on=(exp.Create, exp.Alter, exp.Command),
    check=check,
)
