"""Migration files on disk: discovery, versions, checksums, up and down scripts."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
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

#: The byte order mark that "utf-8-sig" drops from the start of a file.
_BOM = "\ufeff"
_BOM_BYTES = _BOM.encode()

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


# The classes below are plain classes with __slots__, not dataclasses: a dataclass is built by
# generating and compiling code when its module is imported, which every `schemabot migrate`
# process pays at start-up.


class ScriptStatement:
    """One statement of a script as the linter's splitter found it."""

    __slots__ = ("end", "index", "line", "start", "text")

    def __init__(self, index: int, text: str, line: int, start: int, end: int) -> None:
        #: 0-based position in the script.
        self.index = index
        #: The exact source text, without its delimiter.
        self.text = text
        #: 1-based line in the file (not in the dbmate section) where the statement starts.
        self.line = line
        #: Character offsets of ``text`` in the script's source.
        self.start = start
        self.end = end

    def _values(self) -> tuple[int, str, int, int, int]:
        return (self.index, self.text, self.line, self.start, self.end)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ScriptStatement):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return (
            f"ScriptStatement(index={self.index!r}, text={self.text!r}, line={self.line!r}, "
            f"start={self.start!r}, end={self.end!r})"
        )


class Script:
    """SQL to run for one direction of a migration, with where it sits in its file."""

    __slots__ = ("_statements", "filename", "line_offset", "marked_no_transaction", "source")

    def __init__(
        self,
        filename: str,
        source: str,
        line_offset: int = 0,
        marked_no_transaction: bool = False,
    ) -> None:
        self.filename = filename
        self.source = source
        #: Lines of the file before ``source`` (dbmate sections start mid-file).
        self.line_offset = line_offset
        #: dbmate's ``transaction:false`` marker option, known without parsing.
        self.marked_no_transaction = marked_no_transaction
        self._statements: dict[str, list[ScriptStatement]] = {}

    def __repr__(self) -> str:
        return (
            f"Script(filename={self.filename!r}, source={self.source!r}, "
            f"line_offset={self.line_offset!r}, "
            f"marked_no_transaction={self.marked_no_transaction!r})"
        )

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


class Migration:
    __slots__ = ("checksum", "down", "name", "up")

    def __init__(self, name: MigrationName, up: Script, down: Script | None, checksum: str):
        self.name = name
        self.up = up
        self.down = down
        self.checksum = checksum

    def __repr__(self) -> str:
        return (
            f"Migration(name={self.name!r}, up={self.up!r}, down={self.down!r}, "
            f"checksum={self.checksum!r})"
        )

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


def _read(path: str, name: str) -> str:
    """The file's text as ``Path.read_text(encoding="utf-8-sig")`` reads it (a leading BOM
    dropped, line endings as ``\\n``), from one unbuffered read: 300 text-mode opens and
    utf-8-sig decoders (written in Python) cost three times as much."""
    with open(path, "rb", buffering=0) as file:
        data = file.read()
    if _BOM_BYTES.startswith(data):  # utf-8-sig reads a file of part of a BOM as empty
        return ""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MigrationFileError(f"{name}: not UTF-8 text ({error.reason})") from error
    if text.startswith(_BOM):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _sql_files(source: Path | Sequence[Path | str]) -> list[tuple[str, str]]:
    """The path (as ``str(path)`` prints it) and the name of each file; a directory's ``*.sql``
    files in name order, as sorting its ``Path.iterdir()`` orders them."""
    if isinstance(source, Path):
        if not source.is_dir():
            raise UsageError(f"migrations directory {str(source)!r} does not exist")
        prefix = str(source / "_")[:-1]  # "dir/"; "" for "." and "/" for the root, as pathlib
        names = sorted(name for name in os.listdir(source) if _is_sql(name))
        return [(prefix + name, name) for name in names]
    paths = [Path(item) for item in source]
    for path in paths:
        if not path.is_file():
            raise UsageError(f"migration file {str(path)!r} does not exist")
    return [(str(path), path.name) for path in paths]


def _is_sql(name: str) -> bool:
    """Whether ``Path(name).suffix == ".sql"``: ".sql" alone is a name without a suffix."""
    return name.endswith(".sql") and len(name) > len(".sql")


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
    files = _sql_files(source)
    sources = {name: _read(path, name) for path, name in files}
    try:
        detected = detect_scheme(sources, sources) if scheme == "auto" else scheme
    except MigrationNameError as error:
        raise MigrationFileError(str(error)) from error
    if detected is None:
        return []
    names: list[MigrationName] = []
    for _, name in files:
        parsed = parse_name(name, detected)
        if parsed is None:
            expected = _EXPECTED_NAMES[detected]
            raise MigrationFileError(
                f"{name}: not a {detected} migration name (expected {expected})"
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
