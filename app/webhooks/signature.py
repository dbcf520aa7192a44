"""Is a delivery really from the forge? Both checks run in constant time.

GitHub signs the raw body with HMAC-SHA256 (``X-Hub-Signature-256: sha256=<hex>``); GitLab sends
the shared secret itself (``X-Gitlab-Token``). A plain ``==`` would leak, byte by byte, how much
of a guess is right (CVE-2022-24912 in Atlantis), hence ``hmac.compare_digest`` everywhere.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["github_signature_valid", "gitlab_token_valid", "sign_github"]

_PREFIX = "sha256="


def sign_github(secret: bytes, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value GitHub sends for ``body``."""
    return _PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest()


def github_signature_valid(secret: bytes, body: bytes, header: str | None) -> bool:
    if not header or not header.startswith(_PREFIX):
        return False
    expected = sign_github(secret, body)
    # Compare as bytes: compare_digest refuses non-ASCII str, and a header is attacker input.
    return hmac.compare_digest(expected.encode(), header.encode("utf-8", "replace"))


def gitlab_token_valid(secret: bytes, header: str | None) -> bool:
    if not header:
        return False
    return hmac.compare_digest(secret, header.encode("utf-8", "replace"))
