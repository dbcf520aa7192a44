"""``${VAR}`` and ``${VAR:-default}`` references in the config file, resolved with their paths.

Secrets stay out of the file: it names the variable, the process environment holds the value.
Every unresolved reference is reported at once, each with the field path it sits in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["field_path", "resolve_references"]

_REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}|\$\$")


def field_path(location: tuple[str | int, ...]) -> str:
    """``("repositories", 0, "url")`` -> ``repositories[0].url``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _resolve_string(
    value: str, location: tuple[str | int, ...], env: Mapping[str, str], errors: list[str]
) -> str:
    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"  # "$$" escapes a literal dollar sign
        name, default = match.group("name"), match.group("default")
        if name in env:
            return env[name]
        if default is not None:
            return default
        errors.append(f"{field_path(location)}: environment variable {name} is not set")
        return ""

    return _REFERENCE.sub(substitute, value)


def resolve_references(
    data: object, env: Mapping[str, str], errors: list[str], location: tuple[str | int, ...] = ()
) -> object:
    """A copy of ``data`` with every string's references resolved; problems go to ``errors``."""
    if isinstance(data, str):
        return _resolve_string(data, location, env, errors)
    if isinstance(data, dict):
        return {
            key: resolve_references(v, env, errors, (*location, key)) for key, v in data.items()
        }
    if isinstance(data, list):
        return [resolve_references(v, env, errors, (*location, i)) for i, v in enumerate(data)]
    return data
