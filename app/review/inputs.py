"""What a review reads from the forge: the changed migrations at the head commit, and from the
base commit the repository's lint settings and the migrations already merged.

Reads need no pacing (only writes do), so independent reads run a few at a time. The base
branch's migrations are listed, not read: the file rules need their names, and a checksum only
of the files this pull request modifies or renames (``applied-migration-modified``).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from app.config import Repository
from app.forges.base import ChangedFile, Forge, PullRequest
from app.forges.diff import DiffLines, parse_patch
from app.review.lint_config import REPOSITORY_CONFIG_PATH

__all__ = ["ReviewInputs", "is_migration", "read_inputs"]

T = TypeVar("T")

#: Reads in flight at once for one review: fast on a 300-file pull request, far below
#: GitHub's 100 concurrent requests even with several jobs running.
READ_CONCURRENCY = 8
#: Stands for the checksum of a merged migration this pull request does not touch; it can
#: match no real sha256, so such a file is never taken for a copy (reading every merged file
#: to tell would cost one request per file).
UNREAD = "unread:"


@dataclass(frozen=True)
class ReviewInputs:
    #: Changed ``.sql`` files under the migrations directory, removed ones included.
    files: list[ChangedFile]
    #: Path -> text at the head commit, for each file that exists there.
    sources: dict[str, str]
    diffs: dict[str, DiffLines]
    #: Every migration path on the base commit -> sha256 of its text (or ``UNREAD`` + path).
    base_files: dict[str, str]
    #: Merged migrations this pull request deletes or renames away.
    deleted_paths: tuple[str, ...]
    #: ``.schemabot.toml`` at the base commit; None when there is none.
    base_config: str | None


def is_migration(path: str | None, directory: str) -> bool:
    return path is not None and path.startswith(directory + "/") and path.endswith(".sql")


async def _parallel(calls: list[Callable[[], T]]) -> list[T]:
    slots = asyncio.Semaphore(READ_CONCURRENCY)

    async def one(call: Callable[[], T]) -> T:
        async with slots:
            return await asyncio.to_thread(call)

    return list(await asyncio.gather(*(one(call) for call in calls)))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def read_inputs(
    forge: Forge, repository: Repository, pull_request: PullRequest
) -> ReviewInputs:
    name, directory = pull_request.repository, repository.migrations
    base, head = pull_request.base_sha, pull_request.head_sha
    changed, base_config, base_listing = await asyncio.gather(
        asyncio.to_thread(forge.changed_files, name, pull_request.number),
        asyncio.to_thread(forge.read_file, name, REPOSITORY_CONFIG_PATH, base),
        asyncio.to_thread(forge.list_files, name, directory, base),
    )
    files = [
        file
        for file in changed
        if is_migration(file.path, directory)
        or (file.status == "renamed" and is_migration(file.previous_path, directory))
    ]
    base_paths = {path for path in base_listing if is_migration(path, directory)}
    deleted_paths = tuple(
        path
        for file in files
        for path in (file.path if file.status == "removed" else file.previous_path,)
        if path is not None and path in base_paths and file.status in ("removed", "renamed")
    )
    linted = [f for f in files if f.status != "removed" and is_migration(f.path, directory)]
    # Checksums on the base side only where the rule compares: files edited or renamed here.
    compared = []
    for file in files:
        before = {"modified": file.path, "renamed": file.previous_path}.get(file.status)
        if before is not None and before in base_paths:
            compared.append(before)
    texts = await _parallel(
        [
            *(lambda path=file.path: forge.read_file(name, path, head) for file in linted),
            *(lambda path=path: forge.read_file(name, path, base) for path in compared),
        ]
    )
    sources = {
        file.path: text
        for file, text in zip(linted, texts[: len(linted)], strict=True)
        if text is not None
    }
    base_files = {path: UNREAD + path for path in sorted(base_paths)}
    for path, text in zip(compared, texts[len(linted) :], strict=True):
        if text is not None:
            base_files[path] = _digest(text)
    return ReviewInputs(
        files=files,
        sources=sources,
        diffs={file.path: parse_patch(file.patch) for file in linted},
        base_files=base_files,
        deleted_paths=deleted_paths,
        base_config=base_config,
    )
