"""Fresh PostgreSQL databases for environments, and migrations applied by the real runner."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from app.migrations import apply
from tests.conftest import POSTGRES_ADMIN_URL

#: Two migrations as a team writes them (plain scheme: ``<version>_<name>.sql``).
MIGRATIONS = {
    "0001_create_users.sql": "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);\n",
    "0002_add_email.sql": "ALTER TABLE users ADD COLUMN email text;\n",
}


@pytest.fixture
def new_database() -> Iterator[Callable[[], str]]:
    """Make as many empty databases as a test needs; all are dropped after it."""
    made: list[str] = []

    def make() -> str:
        name = f"schemabot_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"

    yield make
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        for name in made:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def write_migrations(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def migrate(url: str, directory: Path) -> None:
    report = apply(target_url=url, migrations=directory, applied_by="test")
    assert report.ok, report.failure
