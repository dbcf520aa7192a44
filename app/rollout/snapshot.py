"""The migration files of a commit, read through the forge into a local directory.

The runner takes paths; the rollout hands it the repository's migrations directory exactly as
it is at the merged commit (never a branch name, which may have moved on). Only the directory's
own ``*.sql`` files are read: the runner looks at nothing else. Files at a commit never change,
so reading them again after a restart gives the same bytes, and the same checksums.
"""

from __future__ import annotations

import posixpath
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.forges.base import Forge, ForgeError

__all__ = ["READ_CONCURRENCY", "fetch_migrations"]

#: Reads need no pacing (only writes do); a few at once make a 300-file directory quick
#: without looking like a burst to the forge's secondary limits (100 concurrent requests).
READ_CONCURRENCY = 4


def fetch_migrations(
    forge: Forge, *, repository: str, directory: str, commit: str, into: Path
) -> list[Path]:
    """Write the ``*.sql`` files directly under ``directory`` at ``commit`` into ``into``."""
    listed = forge.list_files(repository, directory, commit)
    wanted = sorted(
        path for path in listed if posixpath.dirname(path) == directory and path.endswith(".sql")
    )

    def read(path: str) -> tuple[str, str]:
        text = forge.read_file(repository, path, commit)
        if text is None:
            # Listed a moment ago at an immutable commit: the forge is inconsistent, try again.
            raise ForgeError(
                f"{path} at {commit[:12]} was listed but cannot be read", retryable=True
            )
        return path, text

    into.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=READ_CONCURRENCY) as pool:
        contents = list(pool.map(read, wanted))
    written: list[Path] = []
    for path, text in contents:
        target = into / posixpath.basename(path)
        # newline="" keeps the bytes as committed; the runner normalises line endings itself.
        target.write_text(text, encoding="utf-8", newline="")
        written.append(target)
    return written
