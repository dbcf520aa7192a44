"""``GET /api/reviews/{id}``: one review of a pull request, each finding with its SQL.

The commit status of a review links to the dashboard's ``/reviews/{id}``; this is the same
review for tools.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from app.api.auth import ReaderDep
from app.api.deps import StoreDep
from app.api.review_sources import ReviewSources, ReviewSourcesDep, excerpt
from app.api.routes.errors import error_responses
from app.api.routes.ids import ReviewIdPath
from app.store import ReviewRecord
from app.store.rollout_records import aware
from linters.finding import DOCS_URL

__all__ = ["FindingView", "ReviewView", "review_view", "router"]

router = APIRouter(tags=["reviews"])


class SourceLineView(BaseModel):
    line: int
    text: str


class FindingView(BaseModel):
    path: str
    line: int
    end_line: int
    column: int
    end_column: int
    rule: str
    severity: str
    message: str
    #: The safer alternative, one line.
    help: str
    #: The rule's docs page.
    url: str
    #: inline: commented on the pull request now; earlier: at an earlier push; summary only.
    placement: str
    #: Why a finding is in the summary only.
    note: str
    #: The lines the finding points at, at the reviewed commit; null when unreadable now.
    source: list[SourceLineView] | None


class ReviewView(BaseModel):
    id: int
    forge: str
    repository: str
    number: int
    head_sha: str
    base_sha: str
    #: running | success | failure | error
    state: str
    description: str
    files: list[str]
    findings: list[FindingView]
    summary_url: str | None
    error: str | None
    created_at: datetime
    updated_at: datetime


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _finding(raw: dict[str, Any], lines: list[str] | None) -> FindingView:
    """A stored finding as the API shows it; tolerant of older rows missing a key."""
    line = _int(raw.get("line"), 1)
    end_line = _int(raw.get("end_line"), line)
    rule = str(raw.get("rule", ""))
    source = None
    if lines is not None:
        source = [SourceLineView(line=s.line, text=s.text) for s in excerpt(lines, line, end_line)]
    return FindingView(
        path=str(raw.get("path", "")),
        line=line,
        end_line=end_line,
        column=_int(raw.get("column"), 1),
        end_column=_int(raw.get("end_column"), 1),
        rule=rule,
        severity=str(raw.get("severity", "error")),
        message=str(raw.get("message", "")),
        help=str(raw.get("help", "")),
        url=str(raw.get("url") or DOCS_URL.format(rule=rule)),
        placement=str(raw.get("placement", "summary")),
        note=str(raw.get("note", "")),
        source=source,
    )


async def review_view(record: ReviewRecord, sources: ReviewSources) -> ReviewView:
    findings = [raw for raw in record.findings if isinstance(raw, dict)]
    files = await sources.files(
        forge=record.forge,
        repository=record.repository,
        ref=record.head_sha,
        paths=(str(raw.get("path", "")) for raw in findings),
    )
    return ReviewView(
        id=record.id,
        forge=record.forge,
        repository=record.repository,
        number=record.number,
        head_sha=record.head_sha,
        base_sha=record.base_sha,
        state=record.state,
        description=record.description,
        files=[str(path) for path in record.files],
        findings=[_finding(raw, files.get(str(raw.get("path", "")))) for raw in findings],
        summary_url=record.summary_url,
        error=record.error,
        created_at=aware(record.created_at) or record.created_at,
        updated_at=aware(record.updated_at) or record.updated_at,
    )


@router.get(
    "/reviews/{review_id}",
    response_model=ReviewView,
    responses=error_responses(status.HTTP_404_NOT_FOUND),
)
async def get_review(
    principal: ReaderDep, store: StoreDep, sources: ReviewSourcesDep, review_id: ReviewIdPath
) -> ReviewView:
    """One review: its state, the files reviewed, and every finding with the SQL it points at."""
    record = await asyncio.to_thread(store.reviews.get, review_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no review {review_id}")
    return await review_view(record, sources)
