"""Database URLs as schemabot prints them: never with their password."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

__all__ = ["mask_passwords", "masked"]

_USERINFO_PASSWORD = re.compile(
    r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s]*):[^@/\s]*@"
)


def masked(url: str) -> str:
    """The URL with its password replaced by ``***`` (and any ``password=`` query value)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return mask_passwords(url)
    query = re.sub(r"(?i)(password=)[^&]*", r"\1***", parts.query)
    if parts.password is None and query == parts.query:
        return url  # nothing to hide; urlunsplit would also drop sqlite:///'s empty host
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:***@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def mask_passwords(text: str) -> str:
    """Mask ``scheme://user:password@`` anywhere in free text (log lines, error messages)."""
    return _USERINFO_PASSWORD.sub(r"\g<scheme>\g<user>:***@", text)
