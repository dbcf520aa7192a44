"""``GET /api/rules``: every lint rule with its severity and docs, from the linter's registry."""

from __future__ import annotations

import inspect
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, status
from pydantic import BaseModel

from app.api.auth import ReaderDep
from app.api.routes.errors import error_responses
from linters.dialects import DIALECTS
from linters.docs import GROUP_TITLES
from linters.finding import DOCS_URL
from linters.registry import RULES
from linters.rule import Rule

__all__ = ["RuleDetail", "RuleSummary", "router", "rule_detail", "rule_summaries"]

router = APIRouter(tags=["rules"])

#: Rule ids are kebab-case; anything else cannot name a rule (and is refused before a lookup).
RULE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,99}$"


class RuleSummary(BaseModel):
    id: str
    group: str
    group_title: str
    #: The default severity; ``off`` for policy rules that run only when selected.
    severity: Literal["error", "warning", "info", "off"]
    dialects: list[str]
    since: str
    title: str
    #: The rule's page on the public docs site (review comments link there too).
    url: str


class RuleDetail(RuleSummary):
    #: The docs page body in Markdown: What it does, Why is this bad?, Example, Use instead.
    doc: str


def _summary(rule: Rule) -> RuleSummary:
    return RuleSummary(
        id=rule.id,
        group=rule.group,
        group_title=GROUP_TITLES.get(rule.group, rule.group),
        severity=rule.severity.value if rule.severity is not None else "off",
        dialects=[dialect for dialect in DIALECTS if dialect in rule.dialects],
        since=rule.since,
        title=rule.title,
        url=DOCS_URL.format(rule=rule.id),
    )


def rule_summaries() -> list[RuleSummary]:
    """Every rule, grouped as the docs index groups them, by id within a group."""
    order = {group: index for index, group in enumerate(GROUP_TITLES)}
    rules = sorted(RULES.values(), key=lambda rule: (order.get(rule.group, len(order)), rule.id))
    return [_summary(rule) for rule in rules]


def rule_detail(rule_id: str) -> RuleDetail | None:
    rule = RULES.get(rule_id)
    if rule is None:
        return None
    # The first docstring line is the title; the rest is the page (as linters.docs renders it).
    body = inspect.cleandoc(rule.doc).split("\n", 1)
    doc = body[1].strip() if len(body) > 1 else ""
    return RuleDetail(**_summary(rule).model_dump(), doc=doc)


@router.get("/rules", response_model=list[RuleSummary], responses=error_responses())
async def list_rules(principal: ReaderDep) -> list[RuleSummary]:
    """Every lint rule schemabot ships, with its default severity and dialects."""
    return rule_summaries()


@router.get(
    "/rules/{rule_id}",
    response_model=RuleDetail,
    responses=error_responses(status.HTTP_404_NOT_FOUND),
)
async def get_rule(
    principal: ReaderDep, rule_id: Annotated[str, Path(pattern=RULE_ID_PATTERN)]
) -> RuleDetail:
    """One rule with its docs page (Markdown)."""
    detail = rule_detail(rule_id)
    if detail is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no rule {rule_id!r}")
    return detail
