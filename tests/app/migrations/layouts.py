"""Write the same migrations in each naming scheme, as a team using that tool would."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SCHEMES = ("flyway", "golang-migrate", "dbmate", "plain")


@dataclass(frozen=True)
class Spec:
    version: int
    name: str
    up: str
    down: str | None = None


#: SQL that PostgreSQL, MariaDB and SQLite all accept.
USERS = Spec(
    1,
    "create_users",
    "CREATE TABLE users (id integer PRIMARY KEY, name varchar(100) NOT NULL);\n"
    "INSERT INTO users (id, name) VALUES (1, 'ada');\n",
    "DROP TABLE users;\n",
)
EMAIL = Spec(
    2,
    "add_email",
    "-- the address people sign in with\nALTER TABLE users ADD COLUMN email varchar(200);\n",
    "ALTER TABLE users DROP COLUMN email;\n",
)
ORDERS = Spec(
    10,
    "create_orders",
    "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL);\n"
    "CREATE INDEX ix_orders_user ON orders (user_id);\n",
    "DROP TABLE orders;\n",
)
STANDARD = (USERS, EMAIL, ORDERS)


def file_names(scheme: str, spec: Spec) -> tuple[str, str | None]:
    """The up file's name and the down file's name (None when the scheme keeps it inside)."""
    if scheme == "flyway":
        return f"V{spec.version}__{spec.name}.sql", f"U{spec.version}__{spec.name}.sql"
    if scheme == "golang-migrate":
        stem = f"{spec.version:04d}_{spec.name}"
        return f"{stem}.up.sql", f"{stem}.down.sql"
    if scheme == "dbmate":
        return f"2024010112{spec.version:04d}_{spec.name}.sql", None
    return f"{spec.version:04d}_{spec.name}.sql", None


def version_of(scheme: str, spec: Spec) -> str:
    if scheme == "flyway":
        return str(spec.version)
    if scheme == "dbmate":
        return f"2024010112{spec.version:04d}"
    return f"{spec.version:04d}"


def write(directory: Path, scheme: str, *specs: Spec) -> None:
    for spec in specs:
        up_name, down_name = file_names(scheme, spec)
        if scheme == "dbmate":
            text = f"-- migrate:up\n{spec.up}\n-- migrate:down\n{spec.down or ''}"
            (directory / up_name).write_text(text)
            continue
        (directory / up_name).write_text(spec.up)
        if down_name and spec.down is not None:
            (directory / down_name).write_text(spec.down)
