"""What to run: files compared with the history, before anything touches the database."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, Literal, NamedTuple

from app.migrations.errors import MigrationFileError, UsageError
from app.migrations.files import Migration
from app.migrations.history import AnyRow, applied_rows
from linters.naming import version_key

__all__ = ["ApplyPlan", "Problem", "plan_apply", "plan_rollback"]

ProblemKind = Literal["checksum-changed", "file-missing", "out-of-order"]


class Problem(NamedTuple):
    kind: ProblemKind
    version: str | None
    script: str
    message: str

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "version": self.version,
            "script": self.script,
            "message": self.message,
        }


class ApplyPlan(NamedTuple, Generic[AnyRow]):
    applied: list[AnyRow]
    pending: list[Migration]
    problems: list[Problem]


def _key_of(version: str) -> tuple[int, ...]:
    try:
        return version_key(version)
    except ValueError as error:
        raise UsageError(f"not a version: {version!r}") from error


def _latest_repeatable_checksums(rows: Sequence[AnyRow]) -> dict[str, str | None]:
    latest: dict[str, str | None] = {}
    for row in rows:
        if row.kind == "repeatable" and row.success:
            latest[row.description] = row.checksum
    return latest


def plan_apply(
    migrations: list[Migration],
    rows: Sequence[AnyRow],
    *,
    allow_out_of_order: bool = False,
    to_version: str | None = None,
) -> ApplyPlan[AnyRow]:
    """Pending migrations in run order, and every disagreement between files and history."""
    applied = applied_rows(rows)
    by_key = {m.key: m for m in migrations if m.kind == "versioned"}
    problems: list[Problem] = []
    for key, row in sorted(applied.items()):
        migration = by_key.get(key)
        if migration is None:
            problems.append(Problem(
                "file-missing", row.version, row.script,
                f"version {row.version} ({row.script}) is recorded as applied but no file has "
                "that version any more",
            ))  # fmt: skip
        elif row.checksum is not None and row.checksum != migration.checksum:
            problems.append(Problem(
                "checksum-changed", row.version, migration.filename,
                f"{migration.filename} changed after it was applied as version {row.version} "
                f"(checksum {row.checksum[:12]} recorded, {migration.checksum[:12]} now); "
                "write a new migration instead of editing an applied one",
            ))  # fmt: skip
    newest = max(applied, default=None)
    limit = _key_of(to_version) if to_version is not None else None
    pending: list[Migration] = []
    for migration in migrations:
        if migration.kind != "versioned" or migration.key in applied:
            continue
        if limit is not None and migration.key > limit:
            continue
        if newest is not None and migration.key < newest and not allow_out_of_order:
            problems.append(Problem(
                "out-of-order", migration.version, migration.filename,
                f"{migration.filename} (version {migration.version}) is older than the newest "
                f"applied version {applied[newest].version}; give it a later version, or allow "
                "out-of-order migrations",
            ))  # fmt: skip
        pending.append(migration)
    repeatable = _latest_repeatable_checksums(rows)
    for migration in migrations:
        if migration.kind == "repeatable" and repeatable.get(migration.description) != (
            migration.checksum
        ):
            pending.append(migration)
    ordered_rows = [applied[key] for key in sorted(applied)]
    return ApplyPlan(ordered_rows, pending, problems)


def _expected_down(migration: Migration) -> str:
    name = migration.name
    if name.scheme == "golang-migrate":
        return f"{migration.filename.removesuffix('.up.sql')}.down.sql"
    if name.scheme == "flyway":
        return f"U{name.version}__{migration.filename.split('__', 1)[1]}"
    if name.scheme == "dbmate":
        return f"a `-- migrate:down` section in {migration.filename}"
    return "a down migration (plain files have none; use a scheme with down files)"


def plan_rollback(
    migrations: list[Migration],
    rows: Sequence[AnyRow],
    *,
    steps: int | None = None,
    to_version: str | None = None,
) -> list[tuple[Migration, AnyRow]]:
    """The newest applied versions to undo, newest first: ``steps`` of them, or all above
    ``to_version``. Refuses, naming the file, when one has no down migration or has changed."""
    applied = applied_rows(rows)
    newest_first = sorted(applied.items(), reverse=True)
    if to_version is not None:
        limit = _key_of(to_version)
        chosen = [(key, row) for key, row in newest_first if key > limit]
    else:
        chosen = newest_first[: 1 if steps is None else steps]
    by_key = {m.key: m for m in migrations if m.kind == "versioned"}
    plan: list[tuple[Migration, AnyRow]] = []
    for key, row in chosen:
        migration = by_key.get(key)
        if migration is None:
            raise MigrationFileError(
                f"cannot roll back version {row.version}: its file {row.script} is missing"
            )
        if row.checksum is not None and row.checksum != migration.checksum:
            raise MigrationFileError(
                f"cannot roll back version {row.version}: {migration.filename} changed after it "
                "was applied, so its down migration may not match what ran"
            )
        if migration.down is None:
            raise MigrationFileError(
                f"cannot roll back version {row.version}: missing {_expected_down(migration)}"
            )
        plan.append((migration, row))
    return plan
