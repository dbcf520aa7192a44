"""Database URLs of migration targets: which engine, how to connect, how to print them."""

from __future__ import annotations

from typing import Literal, NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

from app.dsn import masked
from app.migrations.errors import TargetUrlError

__all__ = ["Engine", "TargetUrl", "parse_target_url"]

Engine = Literal["postgres", "mysql", "sqlite"]

_ENGINES: dict[str, Engine] = {
    "postgresql": "postgres",
    "postgres": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
}


class TargetUrl(NamedTuple):
    engine: Engine
    url: str
    host: str = ""
    port: int | None = None
    user: str = ""
    password: str = ""
    database: str = ""
    #: SQLite file path; query options for MySQL (e.g. charset).
    path: str = ""
    options: tuple[tuple[str, str], ...] = ()

    @property
    def display(self) -> str:
        return masked(self.url)


def parse_target_url(url: str) -> TargetUrl:
    scheme, _, rest = url.partition("://")
    engine = _ENGINES.get(scheme.lower())
    if not rest or engine is None:
        raise TargetUrlError(
            f"unsupported database URL {masked(url)!r}: expected postgresql://, postgres://, "
            "mysql://, mariadb://, sqlite:///relative/path or sqlite:////absolute/path"
        )
    if engine == "sqlite":
        if not rest.startswith("/") or rest == "/":
            raise TargetUrlError(
                f"bad SQLite URL {url!r}: write sqlite:///relative/path or sqlite:////absolute/path"
            )
        return TargetUrl("sqlite", url, path=unquote(rest[1:].split("?", 1)[0]))
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError as error:
        raise TargetUrlError(f"bad port in database URL {masked(url)!r}") from error
    database = unquote(parts.path.lstrip("/"))
    if not database:
        raise TargetUrlError(f"database URL {masked(url)!r} names no database")
    return TargetUrl(
        engine,
        url,
        host=parts.hostname or "localhost",
        port=port,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        database=database,
        options=tuple(parse_qsl(parts.query)),
    )
