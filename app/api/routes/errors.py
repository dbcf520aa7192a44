"""The error answers of the REST API, documented in the OpenAPI description.

Every refusal the routers raise carries one sentence in ``detail`` (FastAPI's shape), and each
route lists the codes it can answer so clients (and schemathesis) know what to expect. Body
and parameter validation stays FastAPI's own 422 with its list of problems.
"""

from __future__ import annotations

from typing import Any

from fastapi import status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

__all__ = ["ErrorMessage", "error_responses", "invalid_field"]


class ErrorMessage(BaseModel):
    detail: str


_DESCRIPTIONS = {
    status.HTTP_400_BAD_REQUEST: "The body is not JSON",
    status.HTTP_401_UNAUTHORIZED: "No bearer token, or one that is not configured",
    status.HTTP_403_FORBIDDEN: "The token has the read role; this needs an operate token",
    status.HTTP_404_NOT_FOUND: "Nothing has this id (or the rollout has no such environment)",
    status.HTTP_409_CONFLICT: "The rollout is not in a state that allows this",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: 401 always (every API route needs a token), plus ``codes``."""
    wanted = (status.HTTP_401_UNAUTHORIZED, *codes)
    return {code: {"model": ErrorMessage, "description": _DESCRIPTIONS[code]} for code in wanted}


def invalid_field(location: tuple[str, ...], message: str) -> RequestValidationError:
    """A 422 in FastAPI's own shape, for a value that is well-formed but names nothing."""
    return RequestValidationError(
        [{"loc": location, "msg": message, "type": "value_error", "input": None}]
    )
