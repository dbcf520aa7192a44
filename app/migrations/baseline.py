"""Recording migrations as applied without running them, and repairing a dirty database.

``baseline`` adopts a database whose schema already exists: either every file up to a version,
or whatever an earlier tool's own history table (Flyway, golang-migrate, dbmate) says ran.
``resolve`` records a person's verdict on a migration that failed or was interrupted half-way.
"""

from __future__ import annotations

import re
from typing import Literal

from app.migrations.claim import (
    MigrationSource,
    claim,
    connected,
    default_applied_by,
    load_migrations,
)
from app.migrations.constants import DEFAULT_LOCK_WAIT_SECONDS
from app.migrations.errors import MigrationError, MigrationFileError, UsageError
from app.migrations.files import Migration
from app.migrations.history import HistoryEntry, HistoryRow, applied_rows, find_dirty
from app.migrations.targets.base import Target
from linters.naming import version_key

__all__ = ["ForeignTool", "baseline", "resolve"]

ForeignTool = Literal["flyway", "golang-migrate", "dbmate"]

_FLYWAY_TABLE = "flyway_schema_history"
#: golang-migrate and dbmate both call their table schema_migrations; golang-migrate's has a
#: single row with the newest version and a dirty flag, dbmate's one row per version.
_SCHEMA_MIGRATIONS = "schema_migrations"
_VERSION = re.compile(r"\d+(?:[._]\d+)*")
_FLYWAY_UNDO_TYPES = ("UNDO_SQL", "UNDO_JDBC", "UNDO_SCRIPT", "DELETE")


def _flyway_versions(target: Target, versions: list[tuple[int, ...]]) -> set[tuple[int, ...]]:
    rows = target.query(
        f"SELECT version, type, success, script FROM {_FLYWAY_TABLE} ORDER BY installed_rank"
    )
    applied: set[tuple[int, ...]] = set()
    for version, kind, success, script in rows:
        if version is None:
            continue
        key = version_key(str(version))
        if not success:
            raise MigrationError(
                f"{_FLYWAY_TABLE} records a failed migration {version} ({script}): fix the "
                "schema and remove that row first, then baseline"
            )
        if kind == "BASELINE":
            applied.update(local for local in versions if local <= key)
        elif str(kind) in _FLYWAY_UNDO_TYPES:
            applied.discard(key)
        else:
            applied.add(key)
    return applied


def _golang_migrate_versions(
    target: Target, versions: list[tuple[int, ...]]
) -> set[tuple[int, ...]]:
    rows = target.query(f"SELECT version, dirty FROM {_SCHEMA_MIGRATIONS}")
    if not rows:
        return set()
    version, dirty = rows[0]
    if dirty:
        raise MigrationError(
            f"golang-migrate's {_SCHEMA_MIGRATIONS} marks version {version} dirty: it failed "
            "half-way. Check the schema against that migration, finish or undo it, then "
            "set dirty = false and baseline again"
        )
    newest = version_key(str(version))
    return {key for key in versions if key <= newest}


def _dbmate_versions(target: Target) -> set[tuple[int, ...]]:
    return {
        version_key(str(row[0]))
        for row in target.query(f"SELECT version FROM {_SCHEMA_MIGRATIONS}")
    }


def foreign_versions(
    target: Target, tool: ForeignTool, migrations: list[Migration]
) -> set[tuple[int, ...]]:
    """Versions another tool's history table records as applied."""
    table = _FLYWAY_TABLE if tool == "flyway" else _SCHEMA_MIGRATIONS
    if not target.table_exists(table):
        raise MigrationError(f"no {table} table in {target.url.display}: nothing to adopt")
    versions = [m.key for m in migrations if m.kind == "versioned"]
    if tool == "flyway":
        return _flyway_versions(target, versions)
    if tool == "golang-migrate":
        return _golang_migrate_versions(target, versions)
    return _dbmate_versions(target)


def baseline(
    *,
    target_url: str,
    migrations: MigrationSource,
    scheme: str = "auto",
    to_version: str | None = None,
    from_tool: ForeignTool | None = None,
    applied_by: str | None = None,
    lock_wait: float = DEFAULT_LOCK_WAIT_SECONDS,
) -> list[str]:
    """Record migrations as applied without running them; returns the versions recorded.

    Without ``from_tool``: every versioned file up to ``to_version`` (all files if None).
    With it: the versions that tool's history table lists (still capped by ``to_version``).
    Versions already in the history are left alone.
    """
    if to_version is None and from_tool is None:
        raise UsageError("baseline needs --to VERSION or --from flyway|golang-migrate|dbmate")
    files = load_migrations(migrations, scheme)
    versioned = [m for m in files if m.kind == "versioned"]
    who = applied_by or default_applied_by()
    with connected(target_url) as target:
        rows = claim(target, files, lock_wait=lock_wait)
        wanted = {m.key for m in versioned}
        if from_tool is not None:
            wanted = foreign_versions(target, from_tool, files)
            missing = wanted - {m.key for m in versioned}
            if missing:
                shown = ", ".join(".".join(map(str, key)) for key in sorted(missing))
                raise MigrationFileError(
                    f"{from_tool} recorded versions with no local file: {shown}; restore the "
                    "files (or baseline --to a version) before adopting"
                )
        if to_version is not None:
            limit = version_key(to_version)
            wanted = {key for key in wanted if key <= limit}
        already = applied_rows(rows)
        entries = [
            HistoryEntry(m.version, m.description, "baseline", m.filename, m.checksum, who)
            for m in versioned
            if m.key in wanted and m.key not in already
        ]
        target.record_baseline(entries)
        target.flush()
    return [entry.version or "" for entry in entries]


def resolve(
    *,
    target_url: str,
    version: str,
    applied: bool,
    applied_by: str | None = None,
    lock_wait: float = DEFAULT_LOCK_WAIT_SECONDS,
) -> str:
    """Record a person's verdict on the dirty migration; returns what was recorded.

    ``applied=True``: the whole file (or the whole rollback) is now in effect.
    ``applied=False``: none of it is; the migration will run again on the next apply.
    """
    who = applied_by or default_applied_by()
    with connected(target_url) as target:
        target.lock(lock_wait)
        rows = target.read_history()
        row = find_dirty(rows)
        if row is None:
            raise MigrationError("nothing to resolve: no migration failed or was interrupted")
        if version not in (row.version, row.script) and not (
            row.version and _VERSION.fullmatch(version) and version_key(version) == row.key
        ):
            raise UsageError(
                f"the migration needing attention is {row.version or row.script} "
                f"({row.script}), not {version}"
            )
        message = _record_verdict(target, rows, row, applied, who)
        target.flush()
        return message


def _record_verdict(
    target: Target, rows: list[HistoryRow], row: HistoryRow, applied: bool, who: str
) -> str:
    name = f"{row.version or row.description} ({row.script})"
    if row.kind == "undo":
        if applied:
            ids = [r.id for r in rows if r.key == row.key and r.kind != "repeatable"]
            target.delete_rows(ids)
            return f"recorded rollback of {name} as complete: the version is no longer applied"
        target.delete_rows([row.id])
        return f"recorded rollback of {name} as not done: the version stays applied"
    if applied:
        target.mark_resolved(
            row.id, f"resolved as applied by {who}; was: {row.error or 'interrupted'}"
        )
        return f"recorded {name} as applied"
    target.delete_rows([row.id])
    return f"recorded {name} as not applied: the next apply runs it again"
