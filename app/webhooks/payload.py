"""Reading fields out of a webhook's JSON, with errors that name the field.

A forge (or someone testing a hook by hand) that sends a payload without a field we need gets a
400 saying which: ``pull_request.head.sha is missing``, not a stack trace or a silent skip.

A pull request delivery is ~20 KB of JSON of which a webhook needs a dozen fields: simdjson
parses it into a document whose values become Python objects only when read (6 us, where
building every dict and list of it takes 25 us with orjson, and burdens the garbage collector
with hundreds of young objects per request). Two differences from ``json`` are handled: what
simdjson refuses and ``json`` reads (a lone surrogate escape such as "\\ud800" in a title, an
integer beyond 64 bits) is read again with ``json``, which also words the error of a body that
is not JSON at all; and a key repeated in one object counts at its first occurrence, not its
last (forges never repeat keys; the delivery is signed or carries the secret).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

import simdjson

__all__ = ["JsonObject", "PayloadError", "optional", "parse_json", "required"]

#: A parsed JSON object: simdjson's lazy document, or a dict where ``json`` read the body.
JsonObject = Mapping[str, Any]

T = TypeVar("T", str, int, bool, dict[str, Any], list[Any])

_KIND_NAMES = {str: "a string", int: "a number", bool: "true or false", dict: "an object",
               list: "a list"}  # fmt: skip
_OBJECTS = (dict, simdjson.Object)


class PayloadError(ValueError):
    """The delivery cannot be understood; the message names the problem (answered with 400)."""


def parse_json(body: bytes) -> JsonObject:
    data: Any
    try:
        data = simdjson.Parser().parse(body)
    except (ValueError, RuntimeError):  # not JSON, not UTF-8, or beyond simdjson: see above
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
            raise PayloadError(f"the body is not valid JSON: {error}") from None
    if not isinstance(data, _OBJECTS):
        raise PayloadError("the body is not a JSON object")
    return data


def _lookup(data: JsonObject, path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, _OBJECTS) or part not in value:
            return None
        value = value[part]
    return value


def _plain(value: Any) -> Any:
    """A simdjson object or array as the dict or list ``json`` would have read."""
    if isinstance(value, simdjson.Object):
        return value.as_dict()
    if isinstance(value, simdjson.Array):
        return value.as_list()
    return value


def optional(data: JsonObject, path: str, kind: type[T]) -> T | None:
    """The value at the dotted ``path``; None when absent or null, PayloadError when mistyped."""
    value = _plain(_lookup(data, path))
    if value is None:
        return None
    # JSON true is a Python int too; a number field holding true is a malformed payload.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise PayloadError(f"{path}: expected {_KIND_NAMES[kind]}, got {json.dumps(value)[:40]}")
    return value


def required(data: JsonObject, path: str, kind: type[T]) -> T:
    value = optional(data, path, kind)
    if value is None or value == "":
        raise PayloadError(f"{path} is missing")
    return value
