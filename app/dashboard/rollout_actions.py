"""Approve, retry and cancel buttons: forms posted by operate tokens, with the CSRF token.

Each decision goes through the same code as the REST API (``app.api.rollout_decisions``); the
answer is a redirect back to the rollout, with what happened (or why not) shown once on it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.api.deps import ServicesDep
from app.api.rollout_decisions import Verb, decide
from app.api.routes.ids import parse_id
from app.dashboard.session import SignedInDep, csrf_valid
from app.dashboard.templating import flash, render_error

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

CsrfField = Annotated[str, Form(max_length=200)]
EnvironmentField = Annotated[str, Form(max_length=100)]


async def _act(
    verb: Verb,
    request: Request,
    principal: SignedInDep,
    services: ServicesDep,
    rollout_id: str,
    csrf_token: str,
    environment: str | None = None,
) -> Response:
    back = f"/rollouts/{rollout_id}"
    if not csrf_valid(request, csrf_token):
        return render_error(
            request,
            status.HTTP_403_FORBIDDEN,
            "This form has expired",
            "It did not come from this dashboard session (or the session ended). Reload the"
            " page and try again.",
            principal=principal,
            back_url=back,
            back_label="Back to the rollout",
        )
    if not principal.may("operate"):
        return render_error(
            request,
            status.HTTP_403_FORBIDDEN,
            "Read-only token",
            f"Token {principal.name!r} has the read role; approving, retrying and cancelling"
            " need an operate token.",
            principal=principal,
            back_url=back,
            back_label="Back to the rollout",
        )
    number = parse_id(rollout_id)
    decision = None
    if number is not None:
        decision = await decide(
            verb,
            config=services.config,
            store=services.store,
            queue=services.queue,
            principal=principal,
            rollout_id=number,
            environment=environment,
        )
    if decision is None:
        return render_error(
            request,
            status.HTTP_404_NOT_FOUND,
            "No such rollout",
            f"There is no rollout {rollout_id!r}.",
            principal=principal,
            back_url="/rollouts",
            back_label="All rollouts",
        )
    if decision.done:
        flash(request, "ok", f"Done: {decision.message}.")
    else:
        flash(request, "fail", f"Nothing happened: {decision.message}.")
    return RedirectResponse(back, status.HTTP_303_SEE_OTHER)


@router.post("/rollouts/{rollout_id}/approve")
async def approve_form(
    request: Request,
    principal: SignedInDep,
    services: ServicesDep,
    rollout_id: str,
    csrf_token: CsrfField = "",
    environment: EnvironmentField = "",
) -> Response:
    return await _act("approve", request, principal, services, rollout_id, csrf_token, environment)


@router.post("/rollouts/{rollout_id}/retry")
async def retry_form(
    request: Request,
    principal: SignedInDep,
    services: ServicesDep,
    rollout_id: str,
    csrf_token: CsrfField = "",
    environment: EnvironmentField = "",
) -> Response:
    return await _act("retry", request, principal, services, rollout_id, csrf_token, environment)


@router.post("/rollouts/{rollout_id}/cancel")
async def cancel_form(
    request: Request,
    principal: SignedInDep,
    services: ServicesDep,
    rollout_id: str,
    csrf_token: CsrfField = "",
) -> Response:
    return await _act("cancel", request, principal, services, rollout_id, csrf_token)
