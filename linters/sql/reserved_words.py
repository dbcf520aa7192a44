"""Words a dialect reserves: an identifier spelled like one must be quoted wherever it is used."""

from __future__ import annotations

from functools import cache

from linters.dialects import MYSQL, Dialect

__all__ = ["is_reserved"]

#: PostgreSQL's "reserved" and "reserved (can be function or type)" key words (PostgreSQL 16,
#: Appendix C): neither may name a table or a column unquoted.
POSTGRES_RESERVED = frozenset(
    [
        "all",
        "analyse",
        "analyze",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "asymmetric",
        "authorization",
        "binary",
        "both",
        "case",
        "cast",
        "check",
        "collate",
        "collation",
        "column",
        "concurrently",
        "constraint",
        "create",
        "cross",
        "current_catalog",
        "current_date",
        "current_role",
        "current_schema",
        "current_time",
        "current_timestamp",
        "current_user",
        "default",
        "deferrable",
        "desc",
        "distinct",
        "do",
        "else",
        "end",
        "except",
        "false",
        "fetch",
        "for",
        "foreign",
        "freeze",
        "from",
        "full",
        "grant",
        "group",
        "having",
        "ilike",
        "in",
        "initially",
        "inner",
        "intersect",
        "into",
        "is",
        "isnull",
        "join",
        "lateral",
        "leading",
        "left",
        "like",
        "limit",
        "localtime",
        "localtimestamp",
        "natural",
        "not",
        "notnull",
        "null",
        "offset",
        "on",
        "only",
        "or",
        "order",
        "outer",
        "overlaps",
        "placing",
        "primary",
        "references",
        "returning",
        "right",
        "select",
        "session_user",
        "similar",
        "some",
        "symmetric",
        "system_user",
        "table",
        "tablesample",
        "then",
        "to",
        "trailing",
        "true",
        "union",
        "unique",
        "user",
        "using",
        "variadic",
        "verbose",
        "when",
        "where",
        "window",
        "with",
    ]
)


@cache
def mysql_reserved() -> frozenset[str]:
    """MySQL 8.0's reserved words, as sqlglot's MySQL generator keeps them (it quotes these).
    Read on first use: a PostgreSQL run need not load sqlglot's MySQL dialect."""
    from sqlglot.dialects.mysql import MySQL

    return frozenset(word.lower() for word in MySQL.Generator.RESERVED_KEYWORDS)


def is_reserved(name: str, dialect: Dialect) -> bool:
    word = name.lower()
    if dialect == "postgres":
        return word in POSTGRES_RESERVED
    if dialect in MYSQL:
        return word in mysql_reserved()
    return False
