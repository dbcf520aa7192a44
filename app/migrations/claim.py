"""Claiming a target: connect, take the runner lock, read the history, refuse when dirty."""

from __future__ import annotations

import getpass
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from app.migrations.errors import DatabaseDirty
from app.migrations.files import Migration, discover
from app.migrations.history import AnyRow, HistoryRow, RecordedRow, describe_dirty, find_dirty
from app.migrations.targets import open_target
from app.migrations.targets.base import Target
from linters.naming import version_key

__all__ = [
    "MigrationSource",
    "claim",
    "connected",
    "default_applied_by",
    "dirty_state",
    "load_migrations",
    "migration_for",
]

#: A migrations directory, or the migration files themselves.
MigrationSource = Path | str | Sequence[Path | str]


def load_migrations(source: MigrationSource, scheme: str = "auto") -> list[Migration]:
    if isinstance(source, str | Path):
        return discover(Path(source), scheme)
    return discover(list(source), scheme)


def default_applied_by() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@contextmanager
def connected(target_url: str) -> Iterator[Target]:
    """The target with its work session open; every session (and the lock) closed after."""
    target = open_target(target_url)
    try:
        target.connect()
        yield target
    finally:
        target.close()


def migration_for(row: HistoryRow, migrations: list[Migration]) -> Migration | None:
    for migration in migrations:
        if row.version is not None and migration.version is not None:
            if migration.key == version_key(row.version):
                return migration
        elif row.version is None is migration.version and migration.description == row.description:
            return migration
    return None


def dirty_state(target: Target, rows: Sequence[AnyRow], migrations: list[Migration]) -> None:
    """Raise DatabaseDirty when a migration failed or was interrupted half-way."""
    found = find_dirty(rows)
    if found is not None:
        row = found if isinstance(found, HistoryRow) else target.read_history_row(found.id)
        raise DatabaseDirty(describe_dirty(row, migration_for(row, migrations), target.dialect))


def claim(target: Target, migrations: list[Migration], *, lock_wait: float) -> list[RecordedRow]:
    """Become the only runner, make sure the history table exists, and return its rows (what
    planning needs of them; a dirty row is read whole to describe it).

    Refuses (DatabaseDirty) when an earlier run left the database needing attention.
    """
    target.lock(lock_wait)
    target.ensure_history()
    rows = target.read_recorded()
    dirty_state(target, rows, migrations)
    return rows
