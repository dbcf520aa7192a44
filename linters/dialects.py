"""The SQL dialects schemabot understands, and the families rules are written for."""

from __future__ import annotations

from typing import Literal

__all__ = ["ALL", "DIALECTS", "MYSQL", "POSTGRES", "SQLGLOT_DIALECT", "Dialect"]

Dialect = Literal["postgres", "mysql", "mariadb", "sqlite"]

DIALECTS: tuple[Dialect, ...] = ("postgres", "mysql", "mariadb", "sqlite")

POSTGRES: frozenset[Dialect] = frozenset({"postgres"})
#: Rules for MySQL also apply to MariaDB unless a rule says otherwise.
MYSQL: frozenset[Dialect] = frozenset({"mysql", "mariadb"})
ALL: frozenset[Dialect] = frozenset(DIALECTS)

#: sqlglot's name for each dialect ("mariadb" parses as MySQL, close enough for DDL).
SQLGLOT_DIALECT: dict[Dialect, str] = {
    "postgres": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
}
