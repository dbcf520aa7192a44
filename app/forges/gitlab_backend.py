"""python-gitlab's HTTP backend, with GitLab's rate limit answered by our retry policy."""

from __future__ import annotations

import time
from typing import Any

from gitlab._backends.requests_backend import RequestsBackend, RequestsResponse

from app.forges.base import RateLimited

__all__ = ["RATE_LIMIT_WAIT", "RateLimitAwareBackend"]

#: A 429 without Retry-After or RateLimit-Reset: GitLab's limits are per minute.
RATE_LIMIT_WAIT = 60.0


class RateLimitAwareBackend(RequestsBackend):
    """Raises :class:`RateLimited` on a 429 before python-gitlab sees it.

    python-gitlab would otherwise sleep and retry up to ten times itself, and its error keeps
    no headers, so the wait GitLab asked for would be lost.
    """

    def http_request(self, method: str, url: str, *args: Any, **kwargs: Any) -> RequestsResponse:
        result = super().http_request(method, url, *args, **kwargs)
        if result.status_code == 429:
            raise RateLimited(
                f"GitLab answered 429: {result.content[:200].decode(errors='replace')}",
                retry_after=_retry_after(result.headers),
                status=429,
            )
        return result


def _retry_after(headers: Any) -> float:
    value = headers.get("Retry-After")
    if value is not None and str(value).strip().isdigit():
        return float(value)
    reset = headers.get("RateLimit-Reset")
    if reset is not None and str(reset).strip().isdigit():
        return max(float(reset) - time.time(), 1.0)
    return RATE_LIMIT_WAIT
