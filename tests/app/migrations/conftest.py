"""Real databases for the runner tests: one fresh database per test, dropped afterwards.

PostgreSQL 127.0.0.1:5432 (postgres, trust), MariaDB 127.0.0.1:3306 (root, no password),
SQLite files in the test's tmp dir. Names are ``runner_<uuid>`` so xdist workers never collide.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pymysql
import pytest

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
MARIADB: dict[str, Any] = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}


@dataclass
class Database:
    engine: str
    url: str
    name: str

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run ``sql`` on a fresh session of this database (autocommit) and fetch the rows."""
        if self.engine == "postgres":
            with psycopg.connect(self.url, autocommit=True) as conn:
                cursor = conn.execute(sql, params or None)
                return cursor.fetchall() if cursor.description else []
        if self.engine == "mariadb":
            session = pymysql.connect(**MARIADB, database=self.name, autocommit=True)
            try:
                with session.cursor() as cursor:
                    cursor.execute(sql, params or None)
                    return list(cursor.fetchall())
            finally:
                session.close()
        import sqlite3

        with sqlite3.connect(self.name) as lite:
            return lite.execute(sql.replace("%s", "?"), params).fetchall()

    def tables(self) -> set[str]:
        if self.engine == "postgres":
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        elif self.engine == "mariadb":
            sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
        else:
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        return {row[0] for row in self.query(sql)}

    def history(self) -> list[tuple[Any, ...]]:
        return self.query(
            "SELECT version, kind, success, statement_index FROM schemabot_history ORDER BY id"
        )


def _unique() -> str:
    return f"runner_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def postgres_db() -> Iterator[Database]:
    name = _unique()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield Database("postgres", f"postgresql://postgres@127.0.0.1:5432/{name}", name)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _kill_sessions_of(cursor: Any, name: str) -> None:
    cursor.execute("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = %s", (name,))
    for (session,) in cursor.fetchall():
        with contextlib.suppress(pymysql.MySQLError):  # it may end before the KILL
            cursor.execute(f"KILL {int(session)}")


@pytest.fixture
def mariadb_db() -> Iterator[Database]:
    name = _unique()
    conn = pymysql.connect(**MARIADB, autocommit=True)
    try:
        with conn.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name}")
        yield Database("mariadb", f"mariadb://root@127.0.0.1:3306/{name}", name)
    finally:
        with conn.cursor() as cursor:
            _kill_sessions_of(cursor, name)
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.close()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Database:
    path = tmp_path / "target.db"
    return Database("sqlite", f"sqlite:///{path}", str(path))


@pytest.fixture(params=["postgres", "mariadb", "sqlite"])
def database(request: pytest.FixtureRequest) -> Database:
    db: Database = request.getfixturevalue(f"{request.param}_db")
    return db


@pytest.fixture
def migrations_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "migrations"
    directory.mkdir()
    return directory
