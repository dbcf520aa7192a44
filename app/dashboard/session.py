"""The dashboard's sign-in: a signed session cookie naming the API token, and CSRF tokens.

Signing in means presenting an API token once (a form, never a URL). The cookie, signed by
Starlette's ``SessionMiddleware`` (itsdangerous, readable but not forgeable), then carries
the token's *name* and a keyed hash of the token, never the token. Every request checks the
hash against the token configured under that name now, so removing or rotating a token in
the config signs its sessions out, and the role always comes from the config.

The signing key comes from ``server.session_secret`` when the config has one; otherwise it is
derived with HKDF-SHA256 (RFC 5869) from every configured API token, so it is as secret as
they are, survives restarts, is the same on every replica, and changes (signing everyone out)
when a token changes. With no token configured nobody can sign in, and a random key is used.

Every form carries the session's CSRF token in a hidden field, compared in constant time; the
cookie is also SameSite=Lax, HttpOnly, and Secure when ``public_url`` is https.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from starlette.datastructures import URL

from app.api.auth import Principal, authenticate
from app.api.deps import ConfigDep
from app.config import Config

__all__ = [
    "SESSION_COOKIE",
    "SESSION_MAX_AGE_SECONDS",
    "SignedInDep",
    "csrf_token",
    "csrf_valid",
    "hkdf_sha256",
    "session_secret",
    "sign_in",
    "sign_out",
    "signed_in",
]

SESSION_COOKIE = "schemabot_session"
#: A working day: a forgotten browser does not stay signed in for two weeks (Starlette's default).
SESSION_MAX_AGE_SECONDS = 12 * 60 * 60
#: HKDF inputs: fixed, so every replica derives the same key from the same tokens.
_HKDF_SALT = b"schemabot/dashboard"
_HKDF_INFO = b"session-cookie-signing-key/v1"


def hkdf_sha256(key_material: bytes, *, salt: bytes, info: bytes, length: int = 32) -> bytes:
    """RFC 5869 extract-then-expand with HMAC-SHA256 (the ``cryptography`` package's HKDF)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(key_material)


def _tokens(config: Config) -> dict[str, bytes]:
    """Configured token secrets by name (``api_token`` is the single operate token's name)."""
    tokens = {
        token.name: token.token.get_secret_value().encode() for token in config.server.api_tokens
    }
    if config.server.api_token is not None:
        tokens["api_token"] = config.server.api_token.get_secret_value().encode()
    return tokens


def session_secret(config: Config) -> str:
    configured = config.server.session_secret
    if configured is not None:
        return configured.get_secret_value()
    tokens = _tokens(config)
    if not tokens:
        return secrets.token_hex(32)
    # Length-prefixed, so ("ab", "c") and ("a", "bc") cannot give the same material.
    material = b"".join(
        len(part).to_bytes(4, "big") + part
        for name in sorted(tokens)
        for part in (name.encode(), tokens[name])
    )
    return hkdf_sha256(material, salt=_HKDF_SALT, info=_HKDF_INFO).hex()


def _token_check(config: Config, token: bytes) -> str:
    """What the cookie keeps to recognise the token: a keyed hash, useless without the key."""
    return hmac.new(session_secret(config).encode(), token, hashlib.sha256).hexdigest()


def sign_in(request: Request, config: Config, presented: str) -> Principal | None:
    principal = authenticate(config, presented)
    if principal is None:
        return None
    # A fresh session (and CSRF token) at sign-in: a session planted before cannot be reused.
    request.session.clear()
    request.session["token"] = principal.name
    request.session["check"] = _token_check(config, presented.encode())
    request.session["csrf"] = secrets.token_urlsafe(32)
    return principal


def sign_out(request: Request) -> None:
    request.session.clear()


def signed_in(request: Request, config: Config) -> Principal | None:
    """The principal of the session, if its token is still configured as it was."""
    name = request.session.get("token")
    check = request.session.get("check")
    if not isinstance(name, str) or not isinstance(check, str):
        return None
    secret = _tokens(config).get(name)
    if secret is None or not hmac.compare_digest(check, _token_check(config, secret)):
        return None
    for token in config.server.api_tokens:
        if token.name == name:
            return Principal(name, token.role)
    return Principal(name, "operate")  # the single ``server.api_token``


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use (the sign-in form needs one too)."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def csrf_valid(request: Request, presented: str) -> bool:
    """The form's hidden token is this session's, compared in constant time."""
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not expected or not presented:
        return False
    return hmac.compare_digest(presented.encode(), expected.encode())


def _sign_in_location(request: Request) -> str:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return str(URL("/sign-in").include_query_params(next=here))


def _signed_in(request: Request, config: ConfigDep) -> Principal:
    principal = signed_in(request, config)
    if principal is None:
        # A redirect raised as an exception: FastAPI's handler keeps the Location header.
        raise HTTPException(
            status.HTTP_303_SEE_OTHER,
            detail="sign in first",
            headers={"Location": _sign_in_location(request)},
        )
    return principal


SignedInDep = Annotated[Principal, Depends(_signed_in)]
