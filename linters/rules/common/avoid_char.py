"""Avoid blank-padded `char(n)` columns.

## What it does
Reports columns declared (or retyped) as `char(n)` / `character(n)` / `bpchar`, including arrays
of it. On PostgreSQL every such column is reported except `char(1)` (and `char`, which means
`char(1)`): a one-character value fills it, so there is no padding to trip over, and the type
documents a one-letter code or the `Lock char(1) ... CHECK (Lock = 'X')` of a single-row
table. On MySQL / MariaDB only `CHAR(n)` longer than `mysql_max_length` characters is reported:
short fixed-length codes (`CHAR(2)` country, `CHAR(3)` currency) are the exemption there.
PostgreSQL's one-byte `"char"` type is not `char(n)` and passes.

## Why is this bad?
`char(n)` pads values with spaces to `n` characters. PostgreSQL stores the padding, ignores it in
some comparisons and not in others (`LIKE`, regular expressions, concatenation), and is no
faster than `text`. MySQL strips trailing spaces on read, so a value written as `'a '` comes back
as `'a'`, and a long `CHAR` in a multi-byte character set reserves up to four bytes per character
in every row. Changing the type later rewrites the table.

## Example
```sql
CREATE TABLE accounts (
    id bigint PRIMARY KEY,
    reference char(40) NOT NULL  -- 'AB-1' is stored as 'AB-1' plus 36 spaces
);
```

## Use instead
```sql
CREATE TABLE accounts (
    id bigint PRIMARY KEY,
    reference text NOT NULL CHECK (length(reference) <= 40)  -- MySQL: VARCHAR(40)
);
```

## References
- [PostgreSQL wiki: Don't use char(n)](https://wiki.postgresql.org/wiki/Don%27t_Do_This#Don.27t_use_char.28n.29)
- [MySQL: The CHAR and VARCHAR types](https://dev.mysql.com/doc/refman/8.0/en/char.html)
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL, POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.rule_options import IntegerOption
from linters.sql.column_definitions import statement_column_types, statement_columns
from linters.sql.column_types import declared_length, element_types, written_type
from linters.sql.node_spans import violation_at
from linters.statement import Statement

RULE_ID = "avoid-char"
_BLANK_PADDED = {exp.DataType.Type.CHAR, exp.DataType.Type.NCHAR, exp.DataType.Type.BPCHAR}
MYSQL_MAX_LENGTH = IntegerOption(
    RULE_ID,
    "mysql_max_length",
    20,
    "On MySQL / MariaDB, `CHAR(n)` up to this length passes.",
)


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    limit = MYSQL_MAX_LENGTH.value(context.config)
    if _BLANK_PADDED.isdisjoint(statement_column_types(statement)):
        return
    for column in statement_columns(statement):
        if column.data_type is None:
            continue
        for data_type in element_types(column.data_type):
            if data_type.this not in _BLANK_PADDED:
                continue
            # MySQL CHAR without a length is CHAR(1).
            length = declared_length(data_type) or 1
            if context.dialect in MYSQL and length <= limit:
                continue
            one_character = data_type.this is not exp.DType.BPCHAR and length == 1
            if context.dialect == "postgres" and one_character:
                continue
            written = written_type(data_type, context.dialect)
            alternative = "VARCHAR" if context.dialect in MYSQL else "text"
            yield violation_at(
                statement,
                column.name,
                message=f"Use `{alternative}` for column `{column.table.name}.{column.name.name}`, "
                f"not `{written}`",
                help="`char(n)` pads with spaces; use `text` + length CHECK (MySQL: `VARCHAR(n)`)",
            )
            break


RULE = StatementRule(
    id=RULE_ID,
    severity=Severity.WARNING,
    dialects=POSTGRES | MYSQL,
    doc=__doc__ or "",
    on=(exp.Create, exp.Alter),
    check=check,
    options=(MYSQL_MAX_LENGTH,),
)
