"""Which column type changes leave the table alone: the safe lists of PostgreSQL and MySQL.

PostgreSQL skips the rewrite (and the index rebuilds) when the old type is binary-coercible to
the new one and no value can fail the new type: ``varchar(n)`` to ``varchar(m >= n)`` or
``text``, ``numeric(p, s)`` to ``numeric(q >= p, s)`` or unconstrained ``numeric``, ``cidr`` to
``inet``, a timestamp precision increase, and ``timestamp`` <-> ``timestamptz`` when the session
time zone is UTC (PostgreSQL 12+). Checked on PostgreSQL 15 by comparing ``relfilenode``.

MySQL and MariaDB extend a VARCHAR in place only while the length prefix keeps its size: one
byte up to 255 bytes, two bytes above. How many bytes a character takes depends on the
character set (utf8mb4 4, utf8mb3 3, latin1 1); both sizes must fall on the same side of 255.
Any other change of type copies the table with writes blocked.
"""

from __future__ import annotations

from sqlglot import exp

from linters.sql.column_types import declared_length

__all__ = [
    "mysql_bytes_per_character",
    "mysql_safe_sources",
    "mysql_type_change_is_safe",
    "pg_safe_sources",
    "pg_type_change_is_safe",
]

DType = exp.DataType.Type

_VARCHARS = (DType.VARCHAR, DType.NVARCHAR)
_TIMESTAMPS = (DType.TIMESTAMP, DType.TIMESTAMPTZ)
_ONE_BYTE_PREFIX_LIMIT = 255
#: MySQL character sets by their widest character; utf8mb4 is the default since 8.0.
_BYTES_PER_CHARACTER = {"utf8mb4": 4, "utf8mb3": 3, "utf8": 3, "ucs2": 2, "utf16": 4, "utf32": 4}
_DEFAULT_BYTES_PER_CHARACTER = 4


def _parameters(data_type: exp.DataType) -> list[int]:
    values = []
    for parameter in data_type.expressions:
        value = parameter.this if isinstance(parameter, exp.DataTypeParam) else parameter
        if isinstance(value, exp.Literal) and value.is_int:
            values.append(int(value.this))
    return values


def _user_type(data_type: exp.DataType) -> str:
    return data_type.sql().strip('"').lower() if data_type.this == DType.USERDEFINED else ""


def _numeric_widens(old: exp.DataType, new: exp.DataType) -> bool:
    old_parameters, new_parameters = _parameters(old), _parameters(new)
    if not new_parameters:
        return True  # unconstrained numeric holds every value
    if not old_parameters:
        return False
    old_scale = old_parameters[1] if len(old_parameters) > 1 else 0
    new_scale = new_parameters[1] if len(new_parameters) > 1 else 0
    return new_parameters[0] >= old_parameters[0] and new_scale == old_scale


def _length_grows(old: exp.DataType, new: exp.DataType) -> bool:
    old_length, new_length = declared_length(old), declared_length(new)
    return new_length is None or (old_length is not None and new_length >= old_length)


def pg_type_change_is_safe(old: exp.DataType, new: exp.DataType, *, utc_session: bool) -> bool:
    """Whether ``ALTER COLUMN ... TYPE new`` on a column of type ``old`` skips the rewrite.

    ``utc_session``: the session time zone is UTC and the server is 12+ (timestamp <->
    timestamptz is then a catalog change only).
    """
    if bool(old == new):
        return True
    if old.this in _VARCHARS:
        return new.this == DType.TEXT or (new.this in _VARCHARS and _length_grows(old, new))
    if old.this == DType.TEXT:
        return new.this in _VARCHARS and declared_length(new) is None
    if old.this == DType.DECIMAL and new.this == DType.DECIMAL:
        return _numeric_widens(old, new)
    if _user_type(old) == "cidr":
        return bool(new.this == DType.INET)
    if old.this in _TIMESTAMPS and new.this in _TIMESTAMPS:
        same_kind = old.this == new.this
        return (same_kind or utc_session) and _length_grows(old, new)
    return False


def pg_safe_sources(new: exp.DataType) -> str | None:
    """The old types from which a change to ``new`` is safe, for a message; None if none."""
    if new.this == DType.TEXT:
        return "varchar"
    if new.this in _VARCHARS:
        length = declared_length(new)
        return f"varchar(n <= {length})" if length is not None else "varchar or text"
    if new.this == DType.DECIMAL:
        parameters = _parameters(new)
        if not parameters:
            return "numeric"
        scale = parameters[1] if len(parameters) > 1 else 0
        return f"numeric(p <= {parameters[0]}, {scale})"
    if new.this == DType.INET:
        return "cidr"
    if new.this in _TIMESTAMPS:
        return "a timestamp of lower precision, or (session time zone UTC) the other timestamp"
    return None


def mysql_bytes_per_character(charset: str | None) -> int:
    if charset is None:
        return _DEFAULT_BYTES_PER_CHARACTER
    return _BYTES_PER_CHARACTER.get(charset.lower(), 1)


def mysql_type_change_is_safe(
    old: exp.DataType, new: exp.DataType, *, bytes_per_character: int
) -> bool:
    """Whether MODIFY/CHANGE from ``old`` to ``new`` keeps the table (same type, or a VARCHAR
    growing within its length-prefix size)."""
    if bool(old == new):
        return True
    if old.this not in _VARCHARS or new.this not in _VARCHARS:
        return False
    old_length, new_length = declared_length(old), declared_length(new)
    if old_length is None or new_length is None or new_length < old_length:
        return False
    old_bytes = old_length * bytes_per_character
    new_bytes = new_length * bytes_per_character
    return (old_bytes <= _ONE_BYTE_PREFIX_LIMIT) == (new_bytes <= _ONE_BYTE_PREFIX_LIMIT)


def mysql_safe_sources(new: exp.DataType, *, bytes_per_character: int) -> str:
    """The old types from which MODIFY/CHANGE to ``new`` keeps the table, for a message."""
    same = new.sql(dialect="mysql").lower()
    length = declared_length(new) if new.this in _VARCHARS else None
    if length is None:
        return f"{same} already"
    limit = _ONE_BYTE_PREFIX_LIMIT // bytes_per_character
    if length <= limit:
        return f"{same} already, or varchar(n <= {length})"
    return f"{same} already, or varchar({limit} < n <= {length})"
