"""Questions about a column's declared type: its width, whether it is a serial, its length.

sqlglot normalises most spellings (``int4`` -> INT, ``character varying`` -> VARCHAR), but the
meaning of a few names depends on the dialect: ``SERIAL`` is a 4-byte integer with a sequence in
PostgreSQL and ``BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE`` in MySQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from sqlglot import exp

from linters.dialects import MYSQL, SQLGLOT_DIALECT, Dialect

if TYPE_CHECKING:
    from linters.statement import Statement

__all__ = [
    "declared_length",
    "element_types",
    "integer_bits",
    "is_serial",
    "replace_declared_type",
    "written_type",
]

DType = exp.DType

_INTEGER_BITS: dict[DType, int] = {
    DType.TINYINT: 8,
    DType.UTINYINT: 8,
    DType.SMALLINT: 16,
    DType.USMALLINT: 16,
    DType.SMALLSERIAL: 16,
    DType.MEDIUMINT: 24,
    DType.UMEDIUMINT: 24,
    DType.INT: 32,
    DType.UINT: 32,
    DType.BIGINT: 64,
    DType.UBIGINT: 64,
    DType.BIGSERIAL: 64,
}

#: PostgreSQL spellings sqlglot keeps as user-defined types.
_PG_SERIAL_ALIASES: dict[str, int] = {"serial2": 16, "serial4": 32, "serial8": 64}


def _user_type_name(data_type: exp.DataType) -> str:
    return data_type.sql().strip('"').lower() if data_type.this == DType.USERDEFINED else ""


def integer_bits(data_type: exp.DataType, dialect: Dialect) -> int | None:
    """Storage width of an integer type in bits; None for anything else."""
    if data_type.this == DType.SERIAL:
        return 64 if dialect in MYSQL else 32
    if dialect == "postgres" and data_type.this == DType.USERDEFINED:
        return _PG_SERIAL_ALIASES.get(_user_type_name(data_type))
    return _INTEGER_BITS.get(data_type.this)


def is_serial(data_type: exp.DataType, dialect: Dialect) -> bool:
    """A serial pseudo-type: an integer whose default comes from an owned sequence."""
    if data_type.this in (DType.SERIAL, DType.SMALLSERIAL, DType.BIGSERIAL):
        return True
    return dialect == "postgres" and _user_type_name(data_type) in _PG_SERIAL_ALIASES


def element_types(data_type: exp.DataType) -> Iterator[exp.DataType]:
    """The type itself and, for arrays, the element type (``json[]`` is still json)."""
    yield data_type
    for inner in data_type.expressions:
        if isinstance(inner, exp.DataType):
            yield from element_types(inner)


def declared_length(data_type: exp.DataType) -> int | None:
    """The ``n`` of ``varchar(n)`` / ``char(n)``; None when no length is written."""
    for parameter in data_type.expressions:
        value = parameter.this if isinstance(parameter, exp.DataTypeParam) else parameter
        if isinstance(value, exp.Literal) and value.is_int:
            return int(value.this)
    return None


def written_type(data_type: exp.DataType, dialect: Dialect) -> str:
    """The type as a reader would write it in a message: ``varchar(20)``, ``int unsigned``."""
    return data_type.sql(dialect=SQLGLOT_DIALECT[dialect]).lower()


#: Between the column name and its type: blanks in a definition, ``[SET DATA] TYPE`` in
#: ``ALTER COLUMN``.
_BEFORE_TYPE = r"(\s+(?:(?:set\s+data\s+)?type\s+)?)"


def replace_declared_type(
    statement: Statement, column: exp.Identifier, written: str, replacement: str
) -> str | None:
    """The statement with the type written after ``column`` replaced, or None if not found.

    ``written`` is a regular expression for the type as it may be spelled (case-insensitive),
    ``replacement`` its substitute (``\\g<n>`` groups of ``written`` are numbered from 2). Text
    edits keep the author's formatting and comments, which regenerating SQL would lose.
    """
    end = column.meta.get("end")
    if not isinstance(end, int):
        return None
    text = statement.text
    pattern = re.compile(_BEFORE_TYPE + "(?:" + written + r")(?![\w$])", re.IGNORECASE)
    match = pattern.match(text, end + 1)
    if match is None:
        return None
    return text[: end + 1] + match.group(1) + match.expand(replacement) + text[match.end() :]
