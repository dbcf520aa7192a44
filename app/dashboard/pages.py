"""The dashboard's pages: repositories, rollouts, reviews and the rules reference.

Pages read the same views as the REST API (``app.api.routes``), so what a person sees and what
a tool reads cannot drift apart. A page asked with the ``X-Dashboard-Live`` header renders
only its live part, which the page's script swaps in every few seconds while something runs.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import URL
from starlette.responses import Response

from app.api.deps import ConfigDep, StoreDep
from app.api.environment_state import EnvironmentStatesDep
from app.api.queries import QueriesDep
from app.api.review_sources import ReviewSourcesDep
from app.api.routes.ids import parse_id
from app.api.routes.repositories import RepositoryView, repository_views
from app.api.routes.reviews import review_view
from app.api.routes.rollouts import RolloutStatus, load_rollout, rollout_summary
from app.api.routes.rules import rule_detail, rule_summaries
from app.dashboard.rule_docs import render_rule_doc
from app.dashboard.session import SignedInDep
from app.dashboard.templating import render, render_error

__all__ = ["LIVE_HEADER", "POLL_ACTIVE_MS", "POLL_WAITING_MS", "poll_ms", "router"]

router = APIRouter(include_in_schema=False)

#: Asks for the live part of a page only (sent by dashboard.js).
LIVE_HEADER = "x-dashboard-live"
#: While something runs, a person watches it happen: a refresh every 2.5 s.
POLL_ACTIVE_MS = 2500
#: Waiting (an approval, a soak) changes rarely; someone may approve elsewhere, though.
POLL_WAITING_MS = 10000
PAGE_SIZE = 25
#: A rollout can be cancelled until it is done (a running one stops after its current file).
CANCELLABLE = ("queued", "running", "waiting", "failed")


def poll_ms(statuses: list[str]) -> int:
    """How often a live part refreshes given the statuses it shows; 0: it is final."""
    if any(status in ("queued", "running") for status in statuses):
        return POLL_ACTIVE_MS
    if "waiting" in statuses:
        return POLL_WAITING_MS
    return 0


def _live(request: Request) -> bool:
    return bool(request.headers.get(LIVE_HEADER))


def _page_number(text: str | None) -> int:
    if text is None or not text.isascii() or not text.isdigit() or len(text) > 6:
        return 1
    return max(int(text), 1)


def _page_links(request: Request, page: int, total: int) -> dict[str, str | None]:
    here = URL(str(request.url))
    previous = str(here.include_query_params(page=page - 1)) if page > 1 else None
    following = str(here.include_query_params(page=page + 1)) if page * PAGE_SIZE < total else None
    return {"previous_url": previous, "next_url": following}


def _repositories_poll(repositories: list[RepositoryView]) -> int:
    statuses = [
        environment.last_rollout.status
        for repository in repositories
        for environment in repository.environments
        if environment.last_rollout is not None
    ]
    return poll_ms(statuses)


@router.get("/")
async def repositories_page(
    request: Request,
    principal: SignedInDep,
    config: ConfigDep,
    states: EnvironmentStatesDep,
    queries: QueriesDep,
) -> Response:
    repositories = await repository_views(config, states, queries)
    context = {
        "nav": "repositories",
        "repositories": repositories,
        "poll_ms": _repositories_poll(repositories),
    }
    template = "_repositories_live.html" if _live(request) else "repositories.html"
    return render(request, template, context, principal=principal)


@router.get("/rollouts")
async def rollouts_page(
    request: Request, principal: SignedInDep, config: ConfigDep, queries: QueriesDep
) -> Response:
    wanted_repository = request.query_params.get("repository") or None
    wanted_status = request.query_params.get("status") or None
    known_statuses = [status.value for status in RolloutStatus]
    statuses = [wanted_status] if wanted_status in known_statuses else []
    repository = wanted_repository if wanted_repository and len(wanted_repository) < 256 else None
    page = _page_number(request.query_params.get("page"))
    found = await asyncio.to_thread(
        queries.rollouts,
        repository=repository,
        statuses=statuses,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    steps = await asyncio.to_thread(queries.steps_of, [rollout.id for rollout in found.items])
    rollouts = [rollout_summary(rollout, steps[rollout.id]) for rollout in found.items]
    context: dict[str, Any] = {
        "nav": "rollouts",
        "rollouts": rollouts,
        "total": found.total,
        "repositories": [repository.name for repository in config.repositories],
        "statuses": known_statuses,
        "selected_repository": repository or "",
        "selected_status": statuses[0] if statuses else "",
        "poll_ms": poll_ms([rollout.status for rollout in rollouts]),
        **_page_links(request, page, found.total),
    }
    template = "_rollouts_live.html" if _live(request) else "rollouts.html"
    return render(request, template, context, principal=principal)


@router.get("/rollouts/{rollout_id}")
async def rollout_page(
    request: Request,
    principal: SignedInDep,
    config: ConfigDep,
    store: StoreDep,
    rollout_id: str,
) -> Response:
    number = parse_id(rollout_id)
    rollout = await asyncio.to_thread(load_rollout, store, config, number) if number else None
    if rollout is None:
        return render_error(
            request,
            404,
            "No such rollout",
            f"There is no rollout {rollout_id!r}.",
            principal=principal,
            back_url="/rollouts",
            back_label="All rollouts",
        )
    context = {
        "nav": "rollouts",
        "rollout": rollout,
        "may_operate": principal.may("operate"),
        "cancellable": () if rollout.cancel_requested_by else CANCELLABLE,
        "poll_ms": poll_ms([rollout.status]),
    }
    template = "_rollout_live.html" if _live(request) else "rollout.html"
    return render(request, template, context, principal=principal)


@router.get("/reviews")
async def reviews_page(request: Request, principal: SignedInDep, queries: QueriesDep) -> Response:
    page = _page_number(request.query_params.get("page"))
    found = await asyncio.to_thread(queries.reviews, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    context = {"nav": "reviews", "reviews": found.items, **_page_links(request, page, found.total)}
    return render(request, "reviews.html", context, principal=principal)


@router.get("/reviews/{review_id}")
async def review_page(
    request: Request,
    principal: SignedInDep,
    store: StoreDep,
    sources: ReviewSourcesDep,
    review_id: str,
) -> Response:
    number = parse_id(review_id)
    record = await asyncio.to_thread(store.reviews.get, number) if number else None
    if record is None:
        return render_error(
            request,
            404,
            "No such review",
            f"There is no review {review_id!r}.",
            principal=principal,
            back_url="/reviews",
            back_label="All reviews",
        )
    review = await review_view(record, sources)
    by_file: dict[str, list[Any]] = {}
    for finding in review.findings:
        by_file.setdefault(finding.path, []).append(finding)
    rule_docs = {}
    for rule_id in {finding.rule for finding in review.findings}:
        detail = rule_detail(rule_id)
        if detail is not None:
            rule_docs[rule_id] = render_rule_doc(detail.doc, heading_offset=1)
    context = {
        "nav": "reviews",
        "review": review,
        "by_file": list(by_file.items()),
        "rule_docs": rule_docs,
    }
    return render(request, "review.html", context, principal=principal)


@router.get("/rules")
async def rules_page(request: Request, principal: SignedInDep) -> Response:
    rules = rule_summaries()
    groups: dict[str, list[Any]] = {}
    for rule in rules:
        groups.setdefault(rule.group_title, []).append(rule)
    context = {"nav": "rules", "rules": rules, "groups": list(groups.items())}
    return render(request, "rules.html", context, principal=principal)


@router.get("/rules/{rule_id}")
async def rule_page(request: Request, principal: SignedInDep, rule_id: str) -> Response:
    rule = rule_detail(rule_id) if len(rule_id) <= 100 else None
    if rule is None:
        return render_error(
            request,
            404,
            "No such rule",
            f"There is no rule {rule_id!r}.",
            principal=principal,
            back_url="/rules",
            back_label="All rules",
        )
    context = {"nav": "rules", "rule": rule, "doc": render_rule_doc(rule.doc)}
    return render(request, "rule.html", context, principal=principal)
