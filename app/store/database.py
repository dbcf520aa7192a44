"""Open the state store and bring its schema up to date."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text

from app.dsn import masked

__all__ = ["StoreUnavailable", "open_engine", "upgrade_schema"]

#: Advisory lock key serialising schema upgrades when several replicas start at once
#: (PostgreSQL only; ``hashtext('schemabot-state-upgrade')`` would do, a constant is clearer).
UPGRADE_LOCK_KEY = 7_318_042_551


class StoreUnavailable(Exception):
    """The state store cannot be reached or used; the message never contains a password."""


def sqlalchemy_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (SQLAlchemy would pick psycopg2)."""
    scheme, _, rest = url.partition("://")
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the dashboard read while a job writes; busy_timeout rides out short write locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def open_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, pool_pre_ping=True
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(sqlalchemy_url(url), pool_pre_ping=True, pool_size=5, max_overflow=10)


def upgrade_schema(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config as AlembicConfig

    alembic = AlembicConfig()
    alembic.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": UPGRADE_LOCK_KEY}
                )
            alembic.attributes["connection"] = connection
            command.upgrade(alembic, "head")
    except Exception as error:  # any driver error means the same to an operator
        raise StoreUnavailable(
            f"cannot open the state store {masked(str(engine.url.render_as_string(False)))}: "
            f"{type(error).__name__}: {str(error).splitlines()[0]}"
        ) from error
