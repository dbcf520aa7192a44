"""Migration files given as text (read from the forge) as the runner's ``Migration`` objects.

The runner reads migrations from a directory, so the texts are written to a private temporary
directory by file name; each migration keeps the repository path it came from, the path a
finding must name. Like the runner, only files directly in the migrations directory count.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import Path

from app.migrations.files import Migration, discover

__all__ = ["load_migrations"]


def load_migrations(
    files: Mapping[str, str], *, directory: str, into: Path, scheme: str = "auto"
) -> list[tuple[str, Migration]]:
    """(repository path, migration) in the order the runner applies them.

    ``files`` maps repository paths to texts; ``directory`` is the repository's migrations
    directory; ``into`` an empty directory to write them to. Raises MigrationFileError for
    files the runner could not read either (bad names, duplicate versions).
    """
    into.mkdir(parents=True, exist_ok=True)
    paths: dict[str, str] = {}
    for path, text in files.items():
        if posixpath.dirname(path) != directory.strip("/") or not path.endswith(".sql"):
            continue
        name = posixpath.basename(path)
        (into / name).write_text(text, encoding="utf-8")
        paths[name] = path
    if not paths:
        return []
    return [(paths[migration.filename], migration) for migration in discover(into, scheme)]
