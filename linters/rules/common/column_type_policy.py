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

## Options
- `deny` (list of type names, default `[]`): types that may not be used.
- `max_varchar_length` (integer, default `2560`): longest `varchar(n)`.
- `max_char_length` (integer, default `0`, off): longest `char(n)`; `avoid-char` already reports
  long MySQL `CHAR` columns.
- `max_text_width` (integer, default `0`, off): most declared `char` / `varchar` characters in
  one new table.
- `max_current_time_columns` (integer, default `2`): most columns per new table with a current
  time default or `ON UPDATE CURRENT_TIMESTAMP`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL
from linters.rule import Context, StatementRule, Violation
from linters.rule_options import integer_option, string_list_option
from linters.sql.column_definitions import ColumnDefinition, column_definitions, created_table
from linters.sql.column_types import declared_length, written_type
from linters.sql.node_spans import violation_at
from linters.statement import Statement

RULE_ID = "column-type-policy"
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
    deny, note_deny = string_list_option(context, RULE_ID, "deny", ())
    max_varchar, note_v = integer_option(context, RULE_ID, "max_varchar_length", 2560)
    max_char, note_c = integer_option(context, RULE_ID, "max_char_length", 0)
    denied = {" ".join(name.lower().split()) for name in deny}
    columns = list(column_definitions(statement.expression))
    for column in columns:
        if column.data_type is None:
            continue
        written = written_type(column.data_type, context.dialect)
        name = f"{column.table.name}.{column.name.name}"
        length = declared_length(column.data_type)
        if denied & _type_names(column.data_type, written):
            yield _at(statement, column, f"Do not use type `{written}` for `{name}`{note_deny}")
        elif column.data_type.this in _VARIABLE and length and 0 < max_varchar < length:
            message = (
                f"Use `text` or at most `varchar({max_varchar})` for `{name}`, not `{written}`"
            )
            yield _at(statement, column, message + note_v)
        elif column.data_type.this in _FIXED and length and 0 < max_char < length:
            message = f"Use `varchar` or at most `char({max_char})` for `{name}`, not `{written}`"
            yield _at(statement, column, message + note_c)
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
    max_width, note_w = integer_option(context, RULE_ID, "max_text_width", 0)
    max_times, note_t = integer_option(context, RULE_ID, "max_current_time_columns", 2)
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
            f"all (they declare {width}){note_w}",
            help="Use `text` for long values, or split the table",
        )
    stamped = [column.name.name for column in columns if _tracks_current_time(column)]
    if 0 < max_times < len(stamped):
        yield violation_at(
            statement,
            table,
            message=f"Keep at most {max_times} current-time columns in `{table.name}` "
            f"(it has {len(stamped)}: {', '.join(stamped)}){note_t}",
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
)
