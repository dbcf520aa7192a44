"""Migration file names: Flyway, golang-migrate, dbmate and plain ordered files.

The runner and the file rules share this module, so a name the linter accepts is a name the
runner orders the same way.

- Flyway: ``V<version>__<desc>.sql`` (up), ``U<version>__<desc>.sql`` (undo), ``R__<desc>.sql``
  (repeatable). Versions are dotted or underscored: ``V1_2__x.sql`` is version 1.2.
- golang-migrate: ``<version>_<name>.up.sql`` and ``<version>_<name>.down.sql``.
- dbmate: ``<version>_<name>.sql`` holding ``-- migrate:up`` and ``-- migrate:down`` sections.
- plain: ``<version>_<name>.sql`` (or ``-``), the whole file is the up migration.

dbmate and plain files look alike; only their content (``-- migrate:up``) tells them apart, so
:func:`detect_scheme` takes the sources when it has them and :func:`parse_name` in ``auto``
mode calls such a file ``plain``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Literal, NamedTuple, cast

__all__ = [
    "SCHEMES",
    "DbmateSection",
    "DbmateSections",
    "Direction",
    "MigrationName",
    "MigrationNameError",
    "Scheme",
    "detect_scheme",
    "has_dbmate_sections",
    "parse_name",
    "split_dbmate",
    "version_key",
]

Scheme = Literal["flyway", "golang-migrate", "dbmate", "plain"]
Direction = Literal["up", "down", "repeatable"]

SCHEMES: tuple[Scheme, ...] = ("flyway", "golang-migrate", "dbmate", "plain")

_FLYWAY = re.compile(r"^(?P<prefix>[VU])(?P<version>\d+(?:[._]\d+)*)__(?P<description>.+)\.sql$")
_FLYWAY_REPEATABLE = re.compile(r"^R__(?P<description>.+)\.sql$")
_GOLANG_MIGRATE = re.compile(r"^(?P<version>\d+)_(?P<description>.+)\.(?P<direction>up|down)\.sql$")
_PREFIXED = re.compile(r"^(?P<version>\d+)(?:[_-](?P<description>.*))?\.sql$")
#: A golang-migrate name read as plain would run a down file as an up migration.
_UP_DOWN_SUFFIX = re.compile(r"\.(up|down)\.sql$")
_DBMATE_MARKER = re.compile(r"^--\s*migrate:(?P<direction>up|down)\b(?P<options>[^\n]*)$", re.M)


class MigrationNameError(ValueError):
    """A migration directory whose names do not follow one scheme, or a bad dbmate file."""


class MigrationName(NamedTuple):
    filename: str
    scheme: Scheme
    #: Version as written ("1.2", "20240101120000"); None for Flyway repeatable files.
    version: str | None
    #: Sort key of the version: numeric parts compare as numbers.
    version_key: tuple[int, ...] | None
    description: str
    direction: Direction


class DbmateSection(NamedTuple):
    """One ``-- migrate:up|down`` section, starting at its marker line."""

    text: str
    #: Character offset of ``text`` in the file and the 1-based line it starts on.
    offset: int
    line: int
    #: Marker options such as ``transaction:false`` -> {"transaction": "false"}.
    options: Mapping[str, str]

    @property
    def transaction(self) -> bool:
        return self.options.get("transaction", "true").lower() != "false"


class DbmateSections(NamedTuple):
    up: DbmateSection | None
    down: DbmateSection | None


def version_key(version: str) -> tuple[int, ...]:
    """``"1.10"`` -> ``(1, 10)``; trailing zero parts do not count, so 1.0 and 1 are equal."""
    parts = [int(part) for part in re.split(r"[._]", version)]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _describe(text: str) -> str:
    return text.replace("_", " ").strip()


def _flyway(filename: str) -> MigrationName | None:
    if match := _FLYWAY.match(filename):
        version = match["version"].replace("_", ".")
        direction: Direction = "up" if match["prefix"] == "V" else "down"
        return MigrationName(
            filename, "flyway", version, version_key(version), _describe(match["description"]),
            direction,
        )  # fmt: skip
    if match := _FLYWAY_REPEATABLE.match(filename):
        return MigrationName(
            filename, "flyway", None, None, _describe(match["description"]), "repeatable"
        )
    return None


def _golang_migrate(filename: str) -> MigrationName | None:
    if match := _GOLANG_MIGRATE.match(filename):
        version = match["version"]
        direction = cast(Direction, match["direction"])
        return MigrationName(
            filename, "golang-migrate", version, version_key(version),
            _describe(match["description"]), direction,
        )  # fmt: skip
    return None


def _prefixed(filename: str, scheme: Literal["dbmate", "plain"]) -> MigrationName | None:
    if _UP_DOWN_SUFFIX.search(filename):
        return None
    if match := _PREFIXED.match(filename):
        version = match["version"]
        description = _describe(match["description"] or "")
        return MigrationName(filename, scheme, version, version_key(version), description, "up")
    return None


def parse_name(filename: str, scheme: str = "auto") -> MigrationName | None:
    """Read a migration file name (without directories); None when it is not one.

    ``scheme`` is one of :data:`SCHEMES` or ``"auto"``. In ``auto`` mode a
    ``<version>_<name>.sql`` file is ``plain``: use :func:`detect_scheme` to tell dbmate apart.
    """
    if scheme == "flyway":
        return _flyway(filename)
    if scheme == "golang-migrate":
        return _golang_migrate(filename)
    if scheme in ("dbmate", "plain"):
        return _prefixed(filename, cast(Literal["dbmate", "plain"], scheme))
    if scheme != "auto":
        raise ValueError(f"unknown naming scheme {scheme!r}; expected auto or {', '.join(SCHEMES)}")
    return _flyway(filename) or _golang_migrate(filename) or _prefixed(filename, "plain")


def has_dbmate_sections(source: str) -> bool:
    if "migrate:" not in source:  # a plain search, far cheaper than the line-by-line pattern
        return False
    return any(match["direction"] == "up" for match in _DBMATE_MARKER.finditer(source))


def detect_scheme(
    filenames: Iterable[str], sources: Mapping[str, str] | None = None
) -> Scheme | None:
    """The one scheme all ``.sql`` names follow; None when there are none.

    ``sources`` (filename -> text) tells dbmate from plain files; without it they are plain.
    Raises :class:`MigrationNameError` naming a file that fits no scheme or a different one.
    """
    seen: dict[Scheme, str] = {}
    for filename in sorted(name for name in filenames if name.endswith(".sql")):
        parsed = parse_name(filename)
        if parsed is None:
            raise MigrationNameError(f"{filename}: not a migration file name in any scheme")
        scheme = parsed.scheme
        if scheme == "plain" and sources is not None and filename in sources:
            scheme = "dbmate" if has_dbmate_sections(sources[filename]) else "plain"
        seen.setdefault(scheme, filename)
    if "plain" in seen and "dbmate" in seen:
        # A dbmate directory may hold a file without sections; dbmate rejects it, and so will
        # the runner, naming the file, rather than guessing that it is plain.
        del seen["plain"]
    if len(seen) > 1:
        examples = ", ".join(f"{name} is {scheme}" for scheme, name in seen.items())
        raise MigrationNameError(f"mixed naming schemes: {examples}")
    return next(iter(seen), None)


def split_dbmate(source: str) -> DbmateSections:
    """Cut a dbmate file at its markers; each section keeps its marker line and position."""
    markers = list(_DBMATE_MARKER.finditer(source))
    sections: dict[str, DbmateSection] = {}
    for index, marker in enumerate(markers):
        end = markers[index + 1].start() if index + 1 < len(markers) else len(source)
        direction = marker["direction"]
        if direction in sections:
            raise MigrationNameError(f"more than one `-- migrate:{direction}` section")
        options = dict(
            option.split(":", 1) for option in marker["options"].split() if ":" in option
        )
        start = marker.start()
        line = source.count("\n", 0, start) + 1
        sections[direction] = DbmateSection(source[start:end], start, line, options)
    return DbmateSections(sections.get("up"), sections.get("down"))
