"""What a MySQL / MariaDB column definition says: nullability, default, character set, ENUM
members, AUTO_INCREMENT, inline REFERENCES.

Read constraints through ``args["kind"]``: sqlglot's typed ``ColumnConstraint.kind`` accessor
raises on some kinds (``ZEROFILL``).
"""

from __future__ import annotations

from sqlglot import exp

__all__ = [
    "BLOB_TYPES",
    "charset_of",
    "collation_of",
    "column_kinds",
    "default_of",
    "has_auto_increment",
    "is_nullable",
    "member_values",
    "references_of",
    "type_name",
]

#: Types InnoDB stores off-page and can index only by prefix (or, MariaDB, by hash).
BLOB_TYPES = frozenset(
    {
        exp.DType.TINYTEXT,
        exp.DType.TEXT,
        exp.DType.MEDIUMTEXT,
        exp.DType.LONGTEXT,
        exp.DType.TINYBLOB,
        exp.DType.BLOB,
        exp.DType.MEDIUMBLOB,
        exp.DType.LONGBLOB,
    }
)


def column_kinds(definition: exp.ColumnDef) -> list[exp.Expression]:
    """The constraint nodes of a column (``NotNullColumnConstraint``, ``Reference``...)."""
    kinds = []
    for constraint in definition.args.get("constraints") or []:
        kind = constraint.args.get("kind")
        if isinstance(kind, exp.Expression):
            kinds.append(kind)
    return kinds


def is_nullable(definition: exp.ColumnDef) -> bool:
    """MySQL columns are nullable unless NOT NULL or PRIMARY KEY says otherwise."""
    nullable = True
    for kind in column_kinds(definition):
        if isinstance(kind, exp.NotNullColumnConstraint):
            nullable = bool(kind.args.get("allow_null"))
        elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
            nullable = False
    return nullable


def default_of(definition: exp.ColumnDef) -> exp.Expression | None:
    for kind in column_kinds(definition):
        if isinstance(kind, exp.DefaultColumnConstraint):
            return kind.this if isinstance(kind.this, exp.Expression) else None
    return None


def has_auto_increment(definition: exp.ColumnDef) -> bool:
    return any(isinstance(k, exp.AutoIncrementColumnConstraint) for k in column_kinds(definition))


def references_of(definition: exp.ColumnDef) -> exp.Reference | None:
    """An inline ``REFERENCES parent (id)`` on the column."""
    for kind in column_kinds(definition):
        if isinstance(kind, exp.Reference):
            return kind
    return None


def charset_of(definition: exp.ColumnDef) -> str | None:
    """The column's stated character set, lower-cased (``utf8`` read as ``utf8mb3``)."""
    for kind in column_kinds(definition):
        if isinstance(kind, exp.CharacterSetColumnConstraint):
            name = kind.this.name.lower() if isinstance(kind.this, exp.Expression) else ""
            return "utf8mb3" if name == "utf8" else name or None
    return None


def collation_of(definition: exp.ColumnDef) -> str | None:
    for kind in column_kinds(definition):
        if isinstance(kind, exp.CollateColumnConstraint):
            return kind.this.name.lower() if isinstance(kind.this, exp.Expression) else None
    return None


def type_name(definition: exp.ColumnDef) -> str:
    kind = definition.args.get("kind")
    return kind.sql("mysql") if isinstance(kind, exp.DataType) else "?"


def member_values(data_type: exp.Expression | None) -> tuple[str, ...] | None:
    """The members of an ENUM or SET type; None for any other type."""
    if not isinstance(data_type, exp.DataType):
        return None
    if data_type.this not in (exp.DType.ENUM, exp.DType.SET):
        return None
    return tuple(member.name for member in data_type.expressions)
