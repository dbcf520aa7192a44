"""Migration targets, one module per engine; each imported only when its URL is used."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.migrations.target_url import parse_target_url

if TYPE_CHECKING:
    from app.migrations.targets.base import Target

__all__ = ["open_target"]


def open_target(url: str) -> Target:
    """A target for ``url``, not yet connected. Raises TargetUrlError for unknown URLs."""
    target_url = parse_target_url(url)
    if target_url.engine == "postgres":
        from app.migrations.targets.postgres import PostgresTarget

        return PostgresTarget(target_url)
    if target_url.engine == "mysql":
        from app.migrations.targets.mysql import MysqlTarget

        return MysqlTarget(target_url)
    from app.migrations.targets.sqlite import SqliteTarget

    return SqliteTarget(target_url)
