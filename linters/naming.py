"""Migration file names: Flyway, golang-migrate, dbmate and plain ordered files.

PROVISIONAL interface; the runner and the file rules share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Direction", "MigrationName", "Scheme", "parse_name"]

Scheme = Literal["flyway", "golang-migrate", "dbmate", "plain"]
Direction = Literal["up", "down", "repeatable"]


@dataclass(frozen=True, slots=True)
class MigrationName:
    filename: str
    scheme: Scheme
    #: Version as written ("1.2", "20240101120000"); None for Flyway repeatable files.
    version: str | None
    #: Sort key of the version: numeric parts compare as numbers.
    version_key: tuple[int, ...] | None
    description: str
    direction: Direction


def parse_name(filename: str, scheme: str = "auto") -> MigrationName | None:
    raise NotImplementedError
