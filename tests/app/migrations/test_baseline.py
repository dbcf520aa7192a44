"""Adopting databases that Flyway, golang-migrate or dbmate migrated before."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.migrations import MigrationError, MigrationFileError, UsageError, apply, baseline
from tests.app.migrations.conftest import Database
from tests.app.migrations.layouts import EMAIL, ORDERS, STANDARD, USERS
from tests.app.migrations.layouts import write as write_layout

FLYWAY_TABLE = """
CREATE TABLE flyway_schema_history (
    installed_rank integer PRIMARY KEY, version varchar(50), description varchar(200),
    type varchar(20), script varchar(1000), checksum integer, installed_by varchar(100),
    execution_time integer, success boolean
)"""


def _flyway_row(db: Database, rank: int, version: str, kind: str, success: bool = True) -> None:
    db.query(
        "INSERT INTO flyway_schema_history VALUES (%s, %s, 'x', %s, %s, 0, 'flyway', 1, %s)",
        (rank, version, kind, f"V{version}__x.sql", success),
    )


def test_adopt_from_flyway(postgres_db: Database, migrations_dir: Path) -> None:
    write_layout(migrations_dir, "flyway", *STANDARD)
    postgres_db.query(USERS.up)
    postgres_db.query(FLYWAY_TABLE)
    _flyway_row(postgres_db, 1, "1", "SQL")
    _flyway_row(postgres_db, 2, "2", "SQL")
    _flyway_row(postgres_db, 3, "2", "UNDO_SQL")

    recorded = baseline(target_url=postgres_db.url, migrations=migrations_dir, from_tool="flyway")

    assert recorded == ["1"]
    report = apply(target_url=postgres_db.url, migrations=migrations_dir)
    assert report.applied == ["2", "10"]


def test_flyway_failed_row_is_refused(postgres_db: Database, migrations_dir: Path) -> None:
    write_layout(migrations_dir, "flyway", *STANDARD)
    postgres_db.query(FLYWAY_TABLE)
    _flyway_row(postgres_db, 1, "1", "SQL", success=False)
    with pytest.raises(MigrationError, match="failed migration 1"):
        baseline(target_url=postgres_db.url, migrations=migrations_dir, from_tool="flyway")


def test_adopt_from_golang_migrate(mariadb_db: Database, migrations_dir: Path) -> None:
    write_layout(migrations_dir, "golang-migrate", *STANDARD)
    mariadb_db.query("CREATE TABLE schema_migrations (version bigint NOT NULL, dirty boolean)")
    mariadb_db.query("INSERT INTO schema_migrations VALUES (2, false)")

    recorded = baseline(
        target_url=mariadb_db.url, migrations=migrations_dir, from_tool="golang-migrate"
    )

    assert recorded == ["0001", "0002"]
    mariadb_db.query("UPDATE schema_migrations SET dirty = true")
    with pytest.raises(MigrationError, match="marks version 2 dirty"):
        baseline(target_url=mariadb_db.url, migrations=migrations_dir, from_tool="golang-migrate")


def test_adopt_from_dbmate_names_versions_without_files(
    sqlite_db: Database, migrations_dir: Path
) -> None:
    write_layout(migrations_dir, "dbmate", USERS, EMAIL, ORDERS)
    sqlite_db.query("CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)")
    sqlite_db.query("INSERT INTO schema_migrations VALUES ('20240101120001'), ('20240101129999')")
    with pytest.raises(MigrationFileError, match="no local file: 20240101129999"):
        baseline(target_url=sqlite_db.url, migrations=migrations_dir, from_tool="dbmate")

    sqlite_db.query("DELETE FROM schema_migrations WHERE version = '20240101129999'")
    recorded = baseline(target_url=sqlite_db.url, migrations=migrations_dir, from_tool="dbmate")
    assert recorded == ["20240101120001"]


def test_baseline_needs_a_version_or_a_tool(sqlite_db: Database, migrations_dir: Path) -> None:
    with pytest.raises(UsageError, match="--to VERSION or --from"):
        baseline(target_url=sqlite_db.url, migrations=migrations_dir)
    with pytest.raises(MigrationError, match="no flyway_schema_history table"):
        baseline(target_url=sqlite_db.url, migrations=migrations_dir, from_tool="flyway")
