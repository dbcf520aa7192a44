"""``shadow_rows``: fill every table with generated rows before the pull request's migrations, so
that rewrites and scans take measurable time.

Each column gets a value made from the row number ``g`` that fits its type (``g`` itself for
numbers, ``'r' || g`` for text, a timestamp ``g`` minutes after 2000-01-01, ...), so keys are
unique and a foreign key column's ``g`` finds the referenced table's row ``g``. Columns with a
default, an identity or a generated value are left to the database. A table with a NOT NULL
column of a type nothing here can make, or whose constraints refuse the rows, stays empty and
the report says why: the run goes on without it.
"""

from __future__ import annotations

import time
from graphlib import CycleError, TopologicalSorter

from app.migrations.constants import HISTORY_TABLE
from app.migrations.targets.base import StatementFailure, Target
from app.shadow.results import SeedResult

__all__ = ["seed_tables"]

_PG_COLUMNS = f"""
SELECT c.oid::bigint, quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END,
       quote_ident(a.attname), format_type(a.atttypid, a.atttypmod),
       b.typname::text, b.typcategory::text, a.attnotnull,
       a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> ''
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
  AND c.relname <> '{HISTORY_TABLE}'
ORDER BY c.oid, a.attnum
"""
_PG_REFERENCES = """
SELECT conrelid::bigint, confrelid::bigint FROM pg_constraint
WHERE contype = 'f' AND conrelid <> confrelid
"""
#: PostgreSQL: base type name -> value for row ``g`` (before the cast to the column's type).
_PG_BY_TYPE = {
    "uuid": "md5(g::text)::uuid",
    "json": "json_build_object('n', g)",
    "jsonb": "json_build_object('n', g)",
    "bytea": "decode(md5(g::text), 'hex')",
    "int2": "g % 32767",
    "tsvector": "to_tsvector('simple', 'r' || g)",
    "point": "point(g, g)",
}
#: PostgreSQL: type category (pg_type.typcategory) -> value for row ``g``.
_PG_BY_CATEGORY = {
    "N": "g",
    "S": "'r' || g",
    "B": "g % 2 = 0",
    "D": "timestamptz '2000-01-01 00:00:00+00' + g * interval '1 minute'",
    "T": "g * interval '1 second'",
    "I": "'10.0.0.0'::inet + g",
    "A": "'{}'",
}

_MY_COLUMNS = f"""
SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, IS_NULLABLE = 'YES',
       COLUMN_DEFAULT IS NOT NULL AND COLUMN_DEFAULT <> 'NULL'
         OR EXTRA LIKE '%auto_increment%' OR EXTRA LIKE '%GENERATED%',
       CHARACTER_MAXIMUM_LENGTH
FROM information_schema.COLUMNS JOIN information_schema.TABLES USING (TABLE_SCHEMA, TABLE_NAME)
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> '{HISTORY_TABLE}'
ORDER BY TABLE_NAME, ORDINAL_POSITION
"""
_MY_INTEGERS = {"int", "integer", "mediumint", "bigint", "decimal", "numeric", "float", "double"}
#: MariaDB: data type -> value for row ``g``; ``{length}`` is the column's character length.
_MY_BY_TYPE = {
    **dict.fromkeys(_MY_INTEGERS, "g"),
    "tinyint": "MOD(g, 2)",
    "smallint": "MOD(g, 32767)",
    "char": "LEFT(CONCAT('r', g), {length})",
    "varchar": "LEFT(CONCAT('r', g), {length})",
    "binary": "LEFT(CONCAT('r', g), {length})",
    "varbinary": "LEFT(CONCAT('r', g), {length})",
    # A JSON column is longtext with a JSON_VALID check: JSON text fits every text column.
    **dict.fromkeys(("tinytext", "text", "mediumtext", "longtext"), "JSON_OBJECT('n', g)"),
    **dict.fromkeys(("tinyblob", "blob", "mediumblob", "longblob"), "UNHEX(MD5(g))"),
    "date": "DATE '2000-01-01' + INTERVAL g DAY",
    "datetime": "TIMESTAMP '2000-01-01 00:00:00' + INTERVAL g MINUTE",
    "timestamp": "TIMESTAMP '2000-01-01 00:00:00' + INTERVAL g MINUTE",
    "time": "SEC_TO_TIME(MOD(g, 86400))",
    "year": "2000 + MOD(g, 100)",
    # The first member: ENUM and SET take a member's number.
    "enum": "1",
    "set": "1",
    "uuid": "UUID()",
}


def _postgres_value(type_name: str, category: str, column_type: str) -> str | None:
    value = _PG_BY_TYPE.get(type_name) or _PG_BY_CATEGORY.get(category)
    if value is None and category == "E":
        return f"(enum_range(NULL::{column_type}))[1]"
    return None if value is None else f"({value})::{column_type}"


def _error_line(failure: StatementFailure) -> str:
    return failure.message.split(";", 1)[0]


def _seed_postgres(target: Target, rows: int, result: SeedResult) -> None:
    tables: dict[int, tuple[str, str]] = {}
    columns: dict[int, list[tuple[str, str]]] = {}
    cannot: dict[int, str] = {}
    for oid, quoted, name, column, column_type, base, category, not_null, filled in target.query(
        _PG_COLUMNS
    ):
        key = int(str(oid))
        tables[key] = (str(quoted), str(name))
        columns.setdefault(key, [])
        if filled:
            continue
        value = _postgres_value(str(base), str(category), str(column_type))
        if value is not None:
            columns[key].append((str(column), value))
        elif not_null:
            cannot.setdefault(key, f"cannot generate `{column_type}` for NOT NULL column {column}")
    order = TopologicalSorter({oid: set() for oid in tables})
    for child, parent in target.query(_PG_REFERENCES):
        if int(str(child)) in tables and int(str(parent)) in tables:
            order.add(int(str(child)), int(str(parent)))
    try:
        ordered = list(order.static_order())
    except CycleError:  # tables referencing each other: some inserts may fail, and say so
        ordered = list(tables)
    for oid in ordered:
        quoted, name = tables[oid]
        if oid in cannot or not columns[oid]:
            result.skipped[name] = cannot.get(oid, "every column has a default")
            continue
        names = ", ".join(column for column, _ in columns[oid])
        values = ", ".join(value for _, value in columns[oid])
        try:
            target.run_statement(
                f"INSERT INTO {quoted} ({names}) SELECT {values} FROM generate_series(1, {rows}) g"
            )
        except StatementFailure as failure:
            result.skipped[name] = _error_line(failure)
        else:
            result.seeded[name] = rows


def _numbers(rows: int) -> str:
    """A derived table ``numbers`` of ``g`` = 1 .. rows, from cross-joined digits: a recursive
    CTE would stop at the server's recursion limit (1,000 on MySQL and some MariaDB setups)."""
    digits = "(SELECT 0 AS d UNION ALL " + " UNION ALL ".join(f"SELECT {d}" for d in range(1, 10))
    places = len(str(max(rows, 1)))
    joined = " CROSS JOIN ".join(f"{digits}) AS p{place}" for place in range(places))
    number = " + ".join(f"p{place}.d * {10**place}" for place in range(places))
    return f"(SELECT {number} + 1 AS g FROM {joined} HAVING g <= {rows}) AS numbers"


def _seed_mysql(target: Target, rows: int, result: SeedResult) -> None:
    tables: dict[str, list[tuple[str, str]]] = {}
    cannot: dict[str, str] = {}
    for table, column, data_type, nullable, filled, length in target.query(_MY_COLUMNS):
        name = str(table)
        tables.setdefault(name, [])
        if filled:
            continue
        value = _MY_BY_TYPE.get(str(data_type).lower())
        if value is not None:
            quoted = "`" + str(column).replace("`", "``") + "`"
            tables[name].append((quoted, value.format(length=length or 1)))
        elif not nullable:
            cannot.setdefault(name, f"cannot generate `{data_type}` for NOT NULL column {column}")
    numbers = _numbers(rows)
    # Generated keys find no parent rows in tables that could not be filled: leave that to the
    # migrations' own foreign keys, which the pull request's statements still check.
    target.execute("SET SESSION foreign_key_checks = 0")
    try:
        for table, columns in tables.items():
            if table in cannot or not columns:
                result.skipped[table] = cannot.get(table, "every column has a default")
                continue
            names = ", ".join(column for column, _ in columns)
            values = ", ".join(value for _, value in columns)
            quoted = "`" + table.replace("`", "``") + "`"
            try:
                target.run_statement(
                    f"INSERT INTO {quoted} ({names}) SELECT {values} FROM {numbers}"
                )
            except StatementFailure as failure:
                result.skipped[table] = _error_line(failure)
            else:
                result.seeded[table] = rows
    finally:
        target.execute("SET SESSION foreign_key_checks = 1")


def seed_tables(target: Target, rows: int) -> SeedResult:
    """Insert ``rows`` generated rows into every table of the scratch database."""
    result = SeedResult()
    started = time.perf_counter()
    if target.engine == "postgres":
        _seed_postgres(target, rows, result)
    else:
        _seed_mysql(target, rows, result)
    result.duration_ms = (time.perf_counter() - started) * 1000
    return result
