"""Migration files on disk: discovery, versions, checksums, up and down scripts."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from app.migrations.constants import DIRECTIVE_HINTS
from app.migrations.errors import MigrationFileError, UsageError
from linters.naming import (
    SCHEMES,
    MigrationName,
    MigrationNameError,
    detect_scheme,
    parse_name,
    split_dbmate,
)

if TYPE_CHECKING:
    from linters.dialects import Dialect

__all__ = ["Kind", "Migration", "Script", "ScriptStatement", "checksum", "discover"]

Kind = Literal["versioned", "repeatable"]

_EXPECTED_NAMES: dict[str, str] = {
    "flyway": "V<version>__<desc>.sql, U<version>__<desc>.sql or R__<desc>.sql",
    "golang-migrate": "<version>_<name>.up.sql or <version>_<name>.down.sql",
    "dbmate": "<version>_<name>.sql",
    "plain": "<version>_<name>.sql",
}


def checksum(text: str) -> str:
    """sha256 of the text with line endings normalised, so a checkout on Windows matches."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ScriptStatement:
    """One statement of a script as the linter's splitter found it."""

    #: 0-based position in the script.
    index: int
    #: The exact source text, without its delimiter.
    text: str
    #: 1-based line in the file (not in the dbmate section) where the statement starts.
    line: int
    #: Character offsets of ``text`` in the script's source.
    start: int
    end: int


@dataclass(eq=False)
class Script:
    """SQL to run for one direction of a migration, with where it sits in its file."""

    filename: str
    source: str
    #: Lines of the file before ``source`` (dbmate sections start mid-file).
    line_offset: int = 0
    #: dbmate's ``transaction:false`` marker option, known without parsing.
    marked_no_transaction: bool = False
    _statements: dict[str, list[ScriptStatement]] = field(default_factory=dict, repr=False)

    def statements(self, dialect: Dialect) -> list[ScriptStatement]:
        """The statements, split by the linter's splitter (regular expressions, no parsing:
        the runner needs the text and the place, and starts fast without sqlglot)."""
        if dialect not in self._statements:
            from linters.split import split_source

            split = split_source(self.source, dialect)
            self._statements[dialect] = [
                ScriptStatement(
                    index,
                    self.source[piece.start : piece.end],
                    split.lines.position(piece.start)[0] + self.line_offset,
                    piece.start,
                    piece.end,
                )
                for index, piece in enumerate(split.pieces)
            ]
        return self._statements[dialect]

    def no_transaction(self, dialect: Dialect) -> bool:
        if self.marked_no_transaction:
            return True
        lowered = self.source.lower()
        if not any(hint in lowered for hint in DIRECTIVE_HINTS):
            return False
        from linters.parse import parse_file

        return parse_file(self.source, dialect).no_transaction

    def statement_at_offset(self, dialect: Dialect, offset: int) -> int | None:
        """Index of the statement around character ``offset`` of ``source``."""
        statements = self.statements(dialect)
        for statement in statements:
            if offset < statement.end:
                return statement.index
        return statements[-1].index if statements else None


@dataclass(eq=False)
class Migration:
    name: MigrationName
    up: Script
    down: Script | None
    checksum: str

    @property
    def version(self) -> str | None:
        return self.name.version

    @property
    def key(self) -> tuple[int, ...]:
        return self.name.version_key or ()

    @property
    def description(self) -> str:
        return self.name.description

    @property
    def filename(self) -> str:
        return self.name.filename

    @property
    def kind(self) -> Kind:
        return "repeatable" if self.name.direction == "repeatable" else "versioned"

    @property
    def label(self) -> str:
        return self.filename if self.version is None else f"{self.version} ({self.filename})"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise MigrationFileError(f"{path.name}: not UTF-8 text ({error.reason})") from error


def _sql_files(source: Path | Sequence[Path | str]) -> list[Path]:
    if isinstance(source, Path):
        if not source.is_dir():
            raise UsageError(f"migrations directory {str(source)!r} does not exist")
        return sorted(path for path in source.iterdir() if path.suffix == ".sql")
    paths = [Path(item) for item in source]
    for path in paths:
        if not path.is_file():
            raise UsageError(f"migration file {str(path)!r} does not exist")
    return paths


def _dbmate_migration(name: MigrationName, source: str) -> Migration:
    try:
        sections = split_dbmate(source)
    except MigrationNameError as error:
        raise MigrationFileError(f"{name.filename}: {error}") from error
    if sections.up is None:
        raise MigrationFileError(f"{name.filename}: dbmate file without a `-- migrate:up` line")
    up = Script(name.filename, sections.up.text, sections.up.line - 1, not sections.up.transaction)
    down = None
    if sections.down is not None:
        section = sections.down
        down = Script(name.filename, section.text, section.line - 1, not section.transaction)
    return Migration(name, up, down, checksum(sections.up.text))


def discover(source: Path | Sequence[Path | str], scheme: str = "auto") -> list[Migration]:
    """Migrations of a directory (its ``*.sql`` files) or of a list of files, in apply order.

    Versioned migrations come in version order (1.10 after 1.9), repeatable ones after them.
    Raises :class:`MigrationFileError` naming the file for bad names, duplicate versions, a
    down file without its up file, or a dbmate file without an up section.
    """
    if scheme != "auto" and scheme not in SCHEMES:
        raise UsageError(f"unknown naming scheme {scheme!r}; expected auto or {', '.join(SCHEMES)}")
    paths = _sql_files(source)
    sources = {path.name: _read(path) for path in paths}
    try:
        detected = detect_scheme(sources, sources) if scheme == "auto" else scheme
    except MigrationNameError as error:
        raise MigrationFileError(str(error)) from error
    if detected is None:
        return []
    names: list[MigrationName] = []
    for path in paths:
        parsed = parse_name(path.name, detected)
        if parsed is None:
            expected = _EXPECTED_NAMES[detected]
            raise MigrationFileError(
                f"{path.name}: not a {detected} migration name (expected {expected})"
            )
        names.append(parsed)
    return _assemble(names, sources)


def _assemble(names: Iterable[MigrationName], sources: dict[str, str]) -> list[Migration]:
    ups: dict[tuple[int, ...], Migration] = {}
    downs: dict[tuple[int, ...], MigrationName] = {}
    repeatables: dict[str, Migration] = {}
    for name in names:
        text = sources[name.filename]
        if name.direction == "repeatable":
            if name.description in repeatables:
                other = repeatables[name.description].filename
                raise MigrationFileError(f"{name.filename}: same description as {other}")
            repeatables[name.description] = Migration(
                name, Script(name.filename, text), None, checksum(text)
            )
            continue
        key = name.version_key or ()
        if name.direction == "down":
            if key in downs:
                raise MigrationFileError(
                    f"{name.filename}: version {name.version} is also {downs[key].filename}"
                )
            downs[key] = name
            continue
        if key in ups:
            raise MigrationFileError(
                f"{name.filename}: version {name.version} is also {ups[key].filename}"
            )
        if name.scheme == "dbmate":
            ups[key] = _dbmate_migration(name, text)
        else:
            ups[key] = Migration(name, Script(name.filename, text), None, checksum(text))
    for key, down in downs.items():
        if key not in ups:
            raise MigrationFileError(f"{down.filename}: down migration without an up migration")
        ups[key].down = Script(down.filename, sources[down.filename])
    ordered = [ups[key] for key in sorted(ups)]
    return ordered + [repeatables[description] for description in sorted(repeatables)]
