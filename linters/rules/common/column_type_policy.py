"""Column type outside the team's type policy.

## What it does
Checks the columns of `CREATE TABLE`, `ADD COLUMN`, `ALTER COLUMN ... TYPE` and MySQL `MODIFY` /
`CHANGE` against a configurable policy. Off by default. Per column: a type in `deny` (matched by
name without its length: `money`, `float`, `double precision`, `int unsigned`...), a `varchar(n)`
longer than `max_varchar_length`, a `char(n)` longer than `max_char_length`. Per new table: the
declared lengths of its `char` / `varchar` columns adding up to more than `max_text_width`, and
more than `max_current_time_columns` columns defaulting to (or updated with) the current time.
A limit of `0` switches that check off.

## Why is this bad?
Some types are known traps for a given team (`money` depends on `lc_monetary`; `float` for
amounts loses cents; MySQL `ENUM` changes copy the table), and their use should be a decision,
not an accident. A `varchar(10000)` is a `text` that pretends to validate; MySQL counts declared
lengths against its 65,535-byte row limit; and several columns stamped with the current time
usually mean copies of `created_at` that drift apart.

## Example
```sql
CREATE TABLE payments (
    id bigint PRIMARY KEY,
    amount money,              -- formatting depends on the server's locale
    memo varchar(20000)
);
```

## Use instead
```sql
CREATE TABLE payments (
    id bigint PRIMARY KEY,
    amount numeric(12, 2),
    memo text
);
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL
from linters.rule import Context, StatementRule, Violation
from linters.rule_options import IntegerOption, StringListOption
from linters.sql.column_definitions import (
    ColumnDefinition,
    created_table,
    statement_columns,
)
from linters.sql.column_types import declared_length, written_type
from linters.sql.node_spans import violation_at
from linters.statement import Statement

RULE_ID = "column-type-policy"
DENY = StringListOption(RULE_ID, "deny", (), "Type names that may not be used.")
MAX_VARCHAR_LENGTH = IntegerOption(
    RULE_ID, "max_varchar_length", 2560, "Longest `varchar(n)`; 0: no limit."
)
MAX_CHAR_LENGTH = IntegerOption(
    RULE_ID,
    "max_char_length",
    0,
    "Longest `char(n)`; 0: no limit (`avoid-char` already reports long MySQL `CHAR` columns).",
)
MAX_TEXT_WIDTH = IntegerOption(
    RULE_ID,
    "max_text_width",
    0,
    "Most declared `char` / `varchar` characters in one new table; 0: no limit.",
)
MAX_CURRENT_TIME_COLUMNS = IntegerOption(
    RULE_ID,
    "max_current_time_columns",
    2,
    "Most columns per new table with a current time default or `ON UPDATE CURRENT_TIMESTAMP`; "
    "0: no limit.",
)
_VARIABLE = frozenset({exp.DType.VARCHAR, exp.DType.NVARCHAR})
_FIXED = frozenset({exp.DType.CHAR, exp.DType.NCHAR, exp.DType.BPCHAR})
_CURRENT_TIME = (
    exp.CurrentTimestamp,
    exp.CurrentDate,
    exp.CurrentTime,
    exp.CurrentDatetime,
    exp.Localtimestamp,
    exp.Localtime,
    exp.UtcTimestamp,
)
_CURRENT_TIME_CALLS = frozenset(
    {"now", "clock_timestamp", "statement_timestamp", "transaction_timestamp", "sysdate"}
)


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    max_varchar = MAX_VARCHAR_LENGTH.value(context.config)
    max_char = MAX_CHAR_LENGTH.value(context.config)
    denied = {" ".join(name.lower().split()) for name in DENY.value(context.config)}
    columns = list(statement_columns(statement))
    for column in columns:
        if column.data_type is None:
            continue
        written = written_type(column.data_type, context.dialect)
        name = f"{column.table.name}.{column.name.name}"
        length = declared_length(column.data_type)
        if denied & _type_names(column.data_type, written):
            yield _at(statement, column, f"Do not use type `{written}` for `{name}`")
        elif column.data_type.this in _VARIABLE and length and 0 < max_varchar < length:
            message = (
                f"Use `text` or at most `varchar({max_varchar})` for `{name}`, not `{written}`"
            )
            yield _at(statement, column, message)
        elif column.data_type.this in _FIXED and length and 0 < max_char < length:
            message = f"Use `varchar` or at most `char({max_char})` for `{name}`, not `{written}`"
            yield _at(statement, column, message)
    yield from _table_limits(statement, context, columns)


def _type_names(data_type: exp.DataType, written: str) -> set[str]:
    base = " ".join(re.sub(r"\([^)]*\)", " ", written).split())
    return {data_type.this.name.lower(), base, base.split(" ")[0]}


def _table_limits(
    statement: Statement, context: Context, columns: list[ColumnDefinition]
) -> Iterator[Violation]:
    table = created_table(statement.expression)
    if table is None:
        return
    max_width = MAX_TEXT_WIDTH.value(context.config)
    max_times = MAX_CURRENT_TIME_COLUMNS.value(context.config)
    width = sum(
        declared_length(column.data_type) or 0
        for column in columns
        if column.data_type is not None and column.data_type.this in _VARIABLE | _FIXED
    )
    if 0 < max_width < width:
        yield violation_at(
            statement,
            table,
            message=f"Reduce the text columns of `{table.name}` to {max_width} characters in "
            f"all (they declare {width})",
            help="Use `text` for long values, or split the table",
        )
    stamped = [column.name.name for column in columns if _tracks_current_time(column)]
    if 0 < max_times < len(stamped):
        yield violation_at(
            statement,
            table,
            message=f"Keep at most {max_times} current-time columns in `{table.name}` "
            f"(it has {len(stamped)}: {', '.join(stamped)})",
            help="Stamp `created_at` / `updated_at` once; derive the rest",
        )


def _tracks_current_time(column: ColumnDefinition) -> bool:
    if column.constraint(exp.OnUpdateColumnConstraint) is not None:
        return True
    default = column.default
    if isinstance(default, exp.Paren):
        default = default.this
    if isinstance(default, _CURRENT_TIME):
        return True
    return isinstance(default, exp.Anonymous) and default.name.lower() in _CURRENT_TIME_CALLS


def _at(statement: Statement, column: ColumnDefinition, message: str) -> Violation:
    return violation_at(
        statement,
        column.name,
        message=message,
        help="The type policy of this repository is in `[lint.options.column-type-policy]`",
    )


RULE = StatementRule(
    id=RULE_ID,
    severity=None,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Create, exp.Alter),
    check=check,
    options=(
        DENY,
        MAX_VARCHAR_LENGTH,
        MAX_CHAR_LENGTH,
        MAX_TEXT_WIDTH,
        MAX_CURRENT_TIME_COLUMNS,
    ),
)
