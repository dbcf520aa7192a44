"""The shadow run as one step of the review job: read what it needs from the forge, run it off
the event loop, and hand back the findings to merge and the summary's section.

The review already has the pull request's new migrations (their text at the head commit) and
the base commit's migration paths; this step reads the base texts, a few at a time (reads need
no pacing), and only when a run will happen: never for a fork.
"""

from __future__ import annotations

import asyncio
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from app.config import Repository
from app.forges.base import Forge, PullRequest
from app.shadow.findings import verified_findings
from app.shadow.report import render_shadow_section
from app.shadow.results import ShadowReport
from app.shadow.verify import verify_pull_request
from linters.finding import Finding

__all__ = ["BASE_READ_CONCURRENCY", "ShadowStep", "shadow_step"]

#: Base migrations read at once: fast for a long history, far below GitHub's 100 concurrent
#: requests even with several review jobs running.
BASE_READ_CONCURRENCY = 8


@dataclass(frozen=True, slots=True)
class ShadowStep:
    #: Empty when the repository has no shadow server: the summary then has no section.
    section: str = ""
    findings: list[Finding] = field(default_factory=list)
    report: ShadowReport | None = None


async def _read_base(
    forge: Forge, pull_request: PullRequest, paths: Iterable[str]
) -> dict[str, str]:
    slots = asyncio.Semaphore(BASE_READ_CONCURRENCY)

    async def read(path: str) -> tuple[str, str | None]:
        async with slots:
            text = await asyncio.to_thread(
                forge.read_file, pull_request.repository, path, pull_request.base_sha
            )
        return path, text

    read_all = await asyncio.gather(*(read(path) for path in paths))
    return {path: text for path, text in read_all if text is not None}


async def shadow_step(
    *,
    forge: Forge,
    repository: Repository,
    pull_request: PullRequest,
    new_files: Mapping[str, str],
    base_paths: Iterable[str],
    scheme: str = "auto",
) -> ShadowStep:
    """Verify the pull request's ``new_files`` (path -> text at the head) on top of the
    migrations at ``base_paths`` on the base commit."""
    if repository.shadow_url is None:
        return ShadowStep()
    base_files: dict[str, str] = {}
    if not pull_request.from_fork and new_files:
        # Only the migrations the runner reads: files directly in the directory.
        wanted = [path for path in base_paths if posixpath.dirname(path) == repository.migrations]
        base_files = await _read_base(forge, pull_request, wanted)
    report = await asyncio.to_thread(
        verify_pull_request,
        repository=repository,
        base_files=base_files,
        new_files=new_files,
        forge_is_fork=pull_request.from_fork,
        scheme=scheme,
    )
    return ShadowStep(render_shadow_section(report), verified_findings(report), report)
