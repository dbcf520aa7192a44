"""Unknown query parameters are refused (422), not ignored.

``/api/rollouts?stauts=failed`` would otherwise answer every rollout, as if the filter had
applied: a typo in a script would go unnoticed. Each route's own parameters are read from the
route itself, so a new parameter needs no list kept in step here.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.routing import APIRoute

from app.api.auth import ReaderDep
from app.api.routes.errors import invalid_field

__all__ = ["refuse_unknown_query_parameters"]


def refuse_unknown_query_parameters(request: Request, principal: ReaderDep) -> None:
    # ``principal``: who is asking is settled first; a stranger gets 401, not a hint.
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = {field.alias for field in route.dependant.query_params}
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        expected = ", ".join(sorted(known)) or "none"
        raise invalid_field(
            ("query", unknown[0]),
            f"unknown query parameter {unknown[0]!r} (this endpoint takes: {expected})",
        )
