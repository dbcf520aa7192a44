"""Scratch databases on the shadow server: create one per run, always drop it, sweep leftovers.

Each run holds a lock for as long as its database lives, on a session that stays idle (a
PostgreSQL advisory lock, a MariaDB ``GET_LOCK``). A killed job's idle session ends at once, its
lock with it, so the sweeper tells a leftover from a database in use by the lock alone, like the
runner tells a dead runner from a live one.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, LiteralString
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from app.migrations.constants import CONNECT_TIMEOUT_SECONDS
from app.migrations.target_url import Engine
from app.shadow.constants import DATABASE_PREFIX, IDLE_GRACE, STALE_AFTER

if TYPE_CHECKING:
    import psycopg
    import pymysql
    from pymysql.cursors import Cursor

__all__ = [
    "ScratchDatabase",
    "ShadowServer",
    "scratch_database",
    "shadow_server",
    "sweep_stale_databases",
]

#: The advisory lock a PostgreSQL run holds in its scratch database (sha256("schemabot
#: shadow")[:8]); distinct from the runner's key, which the runner takes there as well.
_HOLD_KEY = 0x2F0C1E5B3A7D9E41
_HOLD_CLASSID, _HOLD_OBJID = (_HOLD_KEY >> 32) & 0xFFFFFFFF, _HOLD_KEY & 0xFFFFFFFF
_NAME = re.compile(rf"^{DATABASE_PREFIX}(?P<created>\d{{10}})_[0-9a-f]{{12}}$")
#: How long dropping may wait for the server's own locks on the database.
_DROP_LOCK_WAIT_SECONDS = 30


@dataclass(frozen=True, slots=True)
class ScratchDatabase:
    engine: Engine
    name: str
    #: The shadow URL pointing at this database (user, password and options kept).
    url: str


def new_database_name(now: float | None = None) -> str:
    created = int(time.time() if now is None else now)
    return f"{DATABASE_PREFIX}{created:010d}_{secrets.token_hex(6)}"


def created_at(name: str) -> float | None:
    """When a scratch database was created, from its name; None for names we did not make."""
    found = _NAME.match(name)
    return float(found["created"]) if found else None


class ShadowServer(ABC):
    """The server behind a repository's ``shadow_url``."""

    engine: Engine

    def __init__(self, url: str) -> None:
        self.url = url
        self.parts = urlsplit(url)

    def url_of(self, name: str) -> str:
        return urlunsplit(self.parts._replace(path=f"/{name}"))

    @abstractmethod
    def create(self, name: str) -> None: ...

    @abstractmethod
    def drop(self, name: str) -> None:
        """Drop the database, ending whatever sessions still use it."""

    @abstractmethod
    @contextmanager
    def holding(self, name: str) -> Iterator[None]:
        """Hold the database's lock on an idle session of its own while the run lasts."""

    @abstractmethod
    def scratch_databases(self) -> dict[str, bool]:
        """Names of the scratch databases on the server, each with whether its lock is held."""


def _sql(template: LiteralString, name: str) -> psycopg.sql.Composed:
    from psycopg import sql

    return sql.SQL(template).format(sql.Identifier(name))


class _PostgresServer(ShadowServer):
    engine: Engine = "postgres"

    def _connect(self, database: str | None = None) -> psycopg.Connection[tuple[object, ...]]:
        import psycopg

        url = self.url if database is None else self.url_of(database)
        if database is None and not self.parts.path.strip("/"):
            url = self.url_of("postgres")
        return psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS)

    def create(self, name: str) -> None:
        with self._connect() as conn:
            conn.execute(_sql("CREATE DATABASE {}", name))

    def drop(self, name: str) -> None:
        with self._connect() as conn:
            if conn.info.server_version >= 130000:
                conn.execute(_sql("DROP DATABASE IF EXISTS {} WITH (FORCE)", name))
                return
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            conn.execute(_sql("DROP DATABASE IF EXISTS {}", name))

    @contextmanager
    def holding(self, name: str) -> Iterator[None]:
        with self._connect(name) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (_HOLD_KEY,))
            yield

    def scratch_databases(self) -> dict[str, bool]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT d.datname, EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory'"
                " AND l.granted AND l.database = d.oid AND l.classid = %s AND l.objid = %s"
                " AND l.objsubid = 1) FROM pg_database d WHERE starts_with(d.datname, %s)",
                (_HOLD_CLASSID, _HOLD_OBJID, DATABASE_PREFIX),
            ).fetchall()
        return {str(name): bool(held) for name, held in rows}


class _MysqlServer(ShadowServer):
    engine: Engine = "mysql"

    def _connect(self, database: str | None = None) -> pymysql.connections.Connection[Cursor]:
        import pymysql

        options = dict(parse_qsl(self.parts.query))
        return pymysql.connect(
            host=self.parts.hostname or "localhost",
            port=self.parts.port or 3306,
            user=unquote(self.parts.username or "") or None,
            password=unquote(self.parts.password or ""),
            database=database,
            charset=options.get("charset", "utf8mb4"),
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
        )

    def create(self, name: str) -> None:
        conn = self._connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        finally:
            conn.close()

    def drop(self, name: str) -> None:
        """A statement still running in the database (a killed job's) would keep DROP waiting
        for its metadata lock: end those sessions first."""
        import pymysql

        conn = self._connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute(f"SET SESSION lock_wait_timeout = {_DROP_LOCK_WAIT_SECONDS}")
                cursor.execute(
                    "SELECT ID FROM information_schema.PROCESSLIST "
                    "WHERE DB = %s AND ID <> CONNECTION_ID()",
                    (name,),
                )
                for (session,) in cursor.fetchall():
                    with contextlib.suppress(pymysql.MySQLError):  # it may have just ended
                        cursor.execute(f"KILL {int(session)}")
                cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        finally:
            conn.close()

    @contextmanager
    def holding(self, name: str) -> Iterator[None]:
        conn = self._connect(name)
        try:
            with conn.cursor() as cursor:
                # The name is unique on the server, and GET_LOCK names are server-wide.
                cursor.execute("SELECT GET_LOCK(%s, 0)", (name,))
            yield
        finally:
            conn.close()

    def scratch_databases(self) -> dict[str, bool]:
        conn = self._connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute(
                    "SELECT SCHEMA_NAME, IS_USED_LOCK(SCHEMA_NAME) IS NOT NULL "
                    "FROM information_schema.SCHEMATA WHERE LEFT(SCHEMA_NAME, %s) = %s",
                    (len(DATABASE_PREFIX), DATABASE_PREFIX),
                )
                return {str(name): bool(held) for name, held in cursor.fetchall()}
        finally:
            conn.close()


def shadow_server(shadow_url: str) -> ShadowServer:
    scheme = shadow_url.split("://", 1)[0].split("+", 1)[0].lower()
    if scheme in ("postgresql", "postgres"):
        return _PostgresServer(shadow_url)
    if scheme in ("mysql", "mariadb"):
        return _MysqlServer(shadow_url)
    raise ValueError(f"a shadow server is PostgreSQL or MariaDB/MySQL, not {scheme!r}")


@contextmanager
def scratch_database(server: ShadowServer) -> Iterator[ScratchDatabase]:
    """A new, empty database for one run, dropped afterwards whatever happens."""
    name = new_database_name()
    server.create(name)
    try:
        with server.holding(name):
            yield ScratchDatabase(server.engine, name, server.url_of(name))
    finally:
        server.drop(name)


def sweep_stale_databases(
    server: ShadowServer,
    *,
    idle_grace: timedelta = IDLE_GRACE,
    stale_after: timedelta = STALE_AFTER,
    now: float | None = None,
) -> list[str]:
    """Drop the scratch databases killed jobs left behind; returns their names.

    A database goes when no run holds its lock and it is older than ``idle_grace`` (a run takes
    the lock just after creating the database), or when it is older than ``stale_after``.
    """
    moment = time.time() if now is None else now
    dropped = []
    for name, held in sorted(server.scratch_databases().items()):
        created = created_at(name)
        if created is None:
            continue
        age = moment - created
        if (not held and age >= idle_grace.total_seconds()) or age >= stale_after.total_seconds():
            server.drop(name)
            dropped.append(name)
    return dropped
