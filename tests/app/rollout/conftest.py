"""Environments for rollout tests: fresh PostgreSQL and MariaDB databases named
``rollout_<uuid>``, dropped afterwards; short lease timings; the fake forge."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pymysql  # type: ignore[import-untyped]
import pytest

from tests.app.rollout.harness import FAST_TIMING
from tests.fakeforge import fake_forge

__all__ = ["Target", "fake_forge"]

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
MARIADB = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}


@dataclass
class Target:
    """One environment's database."""

    engine: str
    name: str
    url: str

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.engine == "postgres":
            with psycopg.connect(self.url, autocommit=True) as connection:
                cursor = connection.execute(sql)  # type: ignore[call-overload]
                return cursor.fetchall() if cursor.description else []
        connection = pymysql.connect(**MARIADB, database=self.name, autocommit=True)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return list(cursor.fetchall())
        finally:
            connection.close()

    def applied(self) -> list[str]:
        """Versions in the target's own history, one entry per successful apply, in order."""
        try:
            rows = self.query(
                "SELECT version FROM schemabot_history WHERE success AND kind = 'versioned'"
                " ORDER BY id"
            )
        except (psycopg.Error, pymysql.MySQLError):
            return []  # no history table: nothing was ever applied
        return [str(row[0]) for row in rows]


@pytest.fixture(autouse=True)
def fast_rollout_timing(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FAST_TIMING.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def postgres_target() -> Iterator[Callable[[], Target]]:
    """Make as many fresh PostgreSQL databases as a test needs."""
    made: list[str] = []

    def make() -> Target:
        name = f"rollout_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")  # type: ignore[call-overload]
        made.append(name)
        return Target("postgres", name, f"postgresql://postgres@127.0.0.1:5432/{name}")

    yield make
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        for name in made:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[call-overload]


@pytest.fixture
def mariadb_target() -> Iterator[Target]:
    name = f"rollout_{uuid.uuid4().hex[:12]}"
    connection = pymysql.connect(**MARIADB, autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name}")
        yield Target("mariadb", name, f"mariadb://root@127.0.0.1:3306/{name}")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = %s", (name,))
            for (session,) in cursor.fetchall():
                with contextlib.suppress(pymysql.MySQLError):
                    cursor.execute(f"KILL {int(session)}")
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        connection.close()


@pytest.fixture
def state_url(tmp_path: Any) -> str:
    return f"sqlite:///{tmp_path}/state.db"
