"""The REST API under ``/api``: one router per noun, each route behind a bearer token."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Security
from fastapi.security import HTTPBearer

from app.api.routes import repositories, reviews, rollout_actions, rollouts, rules
from app.api.routes.query_params import refuse_unknown_query_parameters

__all__ = ["router"]

#: Authentication itself is app.api.auth's (constant-time, named tokens); this declaration only
#: puts the bearer scheme in the OpenAPI description, for clients and schemathesis.
_bearer_scheme = HTTPBearer(auto_error=False, description="An API token from the server config")

router = APIRouter(
    prefix="/api",
    dependencies=[Security(_bearer_scheme), Depends(refuse_unknown_query_parameters)],
)
for _module in (repositories, reviews, rollouts, rollout_actions, rules):
    router.include_router(_module.router)
