"""Bearer-token authentication for the API and the dashboard.

Tokens come from the server config: ``server.api_token`` (one operate token, named
``api_token``) and ``[[server.api_tokens]]`` (named, each ``read`` or ``operate``). Every
configured token is compared in constant time, so a wrong token takes as long as a right one.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request, status

from app.api.deps import ConfigDep
from app.config import Config

__all__ = ["OperatorDep", "Principal", "ReaderDep", "authenticate"]

Role = Literal["read", "operate"]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the token's name (recorded in the audit log) and its role."""

    name: str
    role: Role

    def may(self, role: Role) -> bool:
        return role == "read" or self.role == "operate"


def _configured(config: Config) -> list[tuple[str, bytes, Role]]:
    tokens: list[tuple[str, bytes, Role]] = []
    if config.server.api_token is not None:
        tokens.append(("api_token", config.server.api_token.get_secret_value().encode(), "operate"))
    for token in config.server.api_tokens:
        tokens.append((token.name, token.token.get_secret_value().encode(), token.role))
    return tokens


def authenticate(config: Config, presented: str) -> Principal | None:
    """The principal whose token matches, comparing against every token (no early exit)."""
    given = presented.encode()
    found: Principal | None = None
    for name, secret, role in _configured(config):
        if hmac.compare_digest(given, secret) and found is None:
            found = Principal(name, role)
    return found


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def _principal(request: Request, config: ConfigDep) -> Principal:
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    presented = _bearer(request)
    principal = authenticate(config, presented) if presented else None
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="a valid bearer token is required (Authorization: Bearer <token>)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    request.state.principal = principal
    return principal


def _operator(principal: Annotated[Principal, Depends(_principal)]) -> Principal:
    if not principal.may("operate"):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"token {principal.name!r} has the read role; this needs an operate token",
        )
    return principal


ReaderDep = Annotated[Principal, Depends(_principal)]
OperatorDep = Annotated[Principal, Depends(_operator)]
