"""Which MySQL or MariaDB release a rule judges a statement for.

Rules about online DDL depend on the server: ``ALGORITHM=INSTANT`` for ``ADD COLUMN`` exists from
MySQL 8.0.12 and MariaDB 10.3.2, inline ``REFERENCES`` became real foreign keys in MySQL 9.0 and
MariaDB 10.5. ``LintConfig.mysql_version`` holds the production version (a MySQL version for the
``mysql`` dialect, a MariaDB version for ``mariadb``); without one, rules judge for the releases
below.
"""

from __future__ import annotations

from typing import Protocol

from linters.config import Version
from linters.dialects import Dialect

__all__ = ["ASSUMED_MARIADB", "ASSUMED_MYSQL", "at_least", "server_label", "server_version"]

#: Without a configured version we judge for the current MySQL LTS (8.0 reached end of life in
#: April 2026), so every 8.0.x instant-DDL gate counts as passed and 9.x features as absent.
ASSUMED_MYSQL: Version = (8, 4)
#: The oldest MariaDB LTS with years of support left; 10.4/10.5 gates count as passed.
ASSUMED_MARIADB: Version = (10, 11)


class Judged(Protocol):
    """What is linted: a file's ``Context`` or a whole ``Change``."""

    @property
    def dialect(self) -> Dialect: ...

    @property
    def server_version(self) -> Version | None: ...


def server_version(context: Judged) -> Version:
    """The configured production version, else the assumed release for the dialect."""
    configured = context.server_version
    if configured is not None:
        return configured
    return ASSUMED_MARIADB if context.dialect == "mariadb" else ASSUMED_MYSQL


def at_least(context: Judged, *, mysql: Version | None, mariadb: Version | None) -> bool:
    """Whether the server has a feature that arrived in ``mysql`` / ``mariadb`` (None: never)."""
    needed = mariadb if context.dialect == "mariadb" else mysql
    return needed is not None and server_version(context) >= needed


def server_label(context: Judged) -> str:
    """How a message names the server judged for: ``MySQL 8.0.28``, ``MariaDB 10.11``."""
    product = "MariaDB" if context.dialect == "mariadb" else "MySQL"
    return f"{product} {'.'.join(str(part) for part in server_version(context))}"
