"""Column order that wastes alignment padding.

## What it does
Reports a `CREATE TABLE` whose column order makes PostgreSQL insert alignment padding that a
different order would avoid, when the padding can reach `min_wasted_bytes` per row. Off by
default: it is a storage optimisation, worth it for tables expected to grow large.

Fixed-width types are placed at their alignment (`bigint`, `timestamptz`, `double precision`
on 8 bytes; `integer`, `date`, `real` on 4; `smallint` on 2; `boolean`, `uuid` on 1). After a
variable-length column (`text`, `numeric`, `jsonb`, a user-defined type...) the offset is
unknown, so the padding before the next aligned column is counted as its worst case. Columns
added later with `ALTER TABLE` always go last and are not judged.

## Why is this bad?
Every row pays the padding: a `boolean` between two `bigint`s costs 7 bytes per row, so 7 GB
per billion rows, in the heap, in shared buffers and in every backup. The
order can only be chosen for free when the table is created; changing it later means a new table
and a copy.

## Example
```sql
CREATE TABLE events (
    is_public boolean,     -- 1 byte, then 7 bytes of padding before id
    id bigint,
    name text,             -- variable length: the next bigint may need up to 7 more
    created_at timestamptz
);
```

## Use instead
```sql
CREATE TABLE events (
    id bigint,
    created_at timestamptz,
    is_public boolean,
    name text
);
```

## References
- [PostgreSQL: pg_type.typalign](https://www.postgresql.org/docs/current/catalog-pg-type.html)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.rule import Context, StatementRule, Violation
from linters.rule_options import IntegerOption
from linters.sql.column_definitions import (
    ColumnDefinition,
    created_table,
    statement_columns,
)
from linters.sql.node_spans import violation_at
from linters.statement import Statement

RULE_ID = "column-alignment"
MIN_WASTED_BYTES = IntegerOption(
    RULE_ID,
    "min_wasted_bytes",
    4,
    "Report only when the avoidable padding can reach this many bytes per row.",
    minimum=1,
)
#: Rows start MAXALIGNed (8 bytes on 64-bit servers).
_ROW_ALIGNMENT = 8

DType = exp.DType
#: (length, alignment) of fixed-width types, from pg_type.typlen / typalign.
_FIXED_WIDTH: dict[DType, tuple[int, int]] = {
    DType.BOOLEAN: (1, 1),
    DType.SMALLINT: (2, 2),
    DType.SMALLSERIAL: (2, 2),
    DType.INT: (4, 4),
    DType.SERIAL: (4, 4),
    DType.FLOAT: (4, 4),
    DType.DATE: (4, 4),
    DType.BIGINT: (8, 8),
    DType.BIGSERIAL: (8, 8),
    DType.DOUBLE: (8, 8),
    DType.MONEY: (8, 8),
    DType.TIME: (8, 8),
    DType.TIMESTAMP: (8, 8),
    DType.TIMESTAMPTZ: (8, 8),
    DType.TIMETZ: (12, 8),
    DType.INTERVAL: (16, 8),
    DType.POINT: (16, 8),
    DType.UUID: (16, 1),
}

Width = tuple[int, int] | None


def _width(column: ColumnDefinition) -> Width:
    data_type = column.data_type
    return _FIXED_WIDTH.get(data_type.this) if data_type is not None else None


def worst_case_padding(widths: Sequence[Width]) -> int:
    """Padding bytes in the worst case, tracking the offset modulo what is known of it."""
    modulus, residue, padding = _ROW_ALIGNMENT, 0, 0
    for width in widths:
        if width is None:
            modulus, residue = 1, 0
            continue
        length, alignment = width
        if alignment <= modulus:
            pad = -residue % alignment
            padding += pad
            residue = (residue + pad + length) % modulus
        else:
            # The offset is only known modulo `modulus`: take the worst of the candidates.
            candidates = range(residue, alignment, modulus)
            padding += max(-offset % alignment for offset in candidates)
            modulus, residue = alignment, length % alignment
    return padding


def _best_order(columns: list[ColumnDefinition]) -> list[ColumnDefinition]:
    fixed = [column for column in columns if _width(column) is not None]
    variable = [column for column in columns if _width(column) is None]
    fixed.sort(key=lambda column: -(_width(column) or (0, 0))[1])
    return fixed + variable


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    table = created_table(statement.expression)
    columns = list(statement_columns(statement))
    if table is None or len(columns) < 2:
        return
    best = _best_order(columns)
    wasted = worst_case_padding([_width(c) for c in columns]) - worst_case_padding(
        [_width(c) for c in best]
    )
    limit = MIN_WASTED_BYTES.value(context.config)
    if wasted < limit:
        return
    order = ", ".join(column.name.name for column in best)
    yield violation_at(
        statement,
        table,
        message=f"Reorder the columns of `{table.name}` to save up to {wasted} bytes of "
        "padding per row",
        help=f"Put fixed-width columns first, widest alignment first: {order}",
    )


RULE = StatementRule(
    id=RULE_ID,
    severity=None,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Create,),
    check=check,
    options=(MIN_WASTED_BYTES,),
)
