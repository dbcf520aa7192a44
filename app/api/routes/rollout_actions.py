"""``POST /api/rollouts/{id}/approve|retry|cancel``: decisions, for operate tokens only.

They run the rollout's own actions (see ``app.api.rollout_decisions``): the same gates as the
comment commands, recorded in the audit log under the token's name.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field

from app.api.auth import OperatorDep, Principal
from app.api.deps import ServicesDep
from app.api.rollout_decisions import Decision, Verb, decide
from app.api.routes.errors import error_responses
from app.api.routes.ids import RolloutIdPath
from app.api.routes.rollouts import RolloutView, load_rollout
from app.api.services import Services

__all__ = ["ActionResult", "EnvironmentChoice", "router"]

router = APIRouter(tags=["rollouts"])

_REFUSALS = error_responses(
    status.HTTP_403_FORBIDDEN, status.HTTP_404_NOT_FOUND, status.HTTP_409_CONFLICT
)
#: Those with a body may also meet FastAPI's own 400 for a body that does not parse.
_REFUSALS_WITH_BODY = _REFUSALS | error_responses(status.HTTP_400_BAD_REQUEST)


class EnvironmentChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: An environment of the rollout's repository, as named in the server config.
    environment: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9_-]*$")


class ActionResult(BaseModel):
    #: What was done, e.g. "approved `production`".
    message: str
    #: The rollout right after (the job moving it on runs next).
    rollout: RolloutView


async def _answer(
    verb: Verb,
    services: Services,
    principal: Principal,
    rollout_id: int,
    environment: str | None = None,
) -> ActionResult:
    decision: Decision = await decide(
        verb,
        config=services.config,
        store=services.store,
        queue=services.queue,
        principal=principal,
        rollout_id=rollout_id,
        environment=environment,
    )
    if not decision.done:
        raise HTTPException(decision.status_code, detail=decision.message)
    view = await asyncio.to_thread(load_rollout, services.store, services.config, rollout_id)
    if view is None:  # pragma: no cover - rollouts are never deleted
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no rollout {rollout_id}")
    return ActionResult(message=decision.message, rollout=view)


@router.post(
    "/rollouts/{rollout_id}/approve", response_model=ActionResult, responses=_REFUSALS_WITH_BODY
)
async def approve_rollout(
    principal: OperatorDep,
    services: ServicesDep,
    rollout_id: RolloutIdPath,
    body: EnvironmentChoice,
) -> ActionResult:
    """Approve the environment the rollout waits at: it then applies its migrations there.
    409 when that environment does not wait for an approval (or was approved already)."""
    return await _answer("approve", services, principal, rollout_id, body.environment)


@router.post(
    "/rollouts/{rollout_id}/retry", response_model=ActionResult, responses=_REFUSALS_WITH_BODY
)
async def retry_rollout(
    principal: OperatorDep,
    services: ServicesDep,
    rollout_id: RolloutIdPath,
    body: EnvironmentChoice,
) -> ActionResult:
    """Run the environment where the rollout failed again (after fixing the cause).
    409 when the rollout did not fail there."""
    return await _answer("retry", services, principal, rollout_id, body.environment)


@router.post("/rollouts/{rollout_id}/cancel", response_model=ActionResult, responses=_REFUSALS)
async def cancel_rollout(
    principal: OperatorDep, services: ServicesDep, rollout_id: RolloutIdPath
) -> ActionResult:
    """Stop the rollout: at once when it waits or failed, after the migration in progress when
    one runs. 409 when it is already finished."""
    return await _answer("cancel", services, principal, rollout_id)
