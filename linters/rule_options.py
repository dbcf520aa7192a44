"""Typed reading of a rule's options, falling back to the default when a value has the wrong type.

Options come from TOML written by people (``[lint.options.<rule-id>]``). A wrong type must not
crash the lint run nor silently change a rule's meaning: each reader returns the value to use
and a note for the rule's message (empty when the option was fine), so the finding says that
the configured value was ignored.
"""

from __future__ import annotations

import re

from linters.rule import Context

__all__ = [
    "boolean_option",
    "integer_option",
    "pattern_option",
    "string_list_option",
    "string_option",
]


def _ignored(name: str, value: object, expected: str, default: object) -> str:
    return f" (option {name}={value!r} is not {expected}; using {default!r})"


def integer_option(
    context: Context, rule: str, name: str, default: int, *, minimum: int = 0
) -> tuple[int, str]:
    value = context.option(rule, name, default)
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return value, ""
    return default, _ignored(name, value, f"a whole number >= {minimum}", default)


def boolean_option(context: Context, rule: str, name: str, default: bool) -> tuple[bool, str]:
    value = context.option(rule, name, default)
    if isinstance(value, bool):
        return value, ""
    return default, _ignored(name, value, "true or false", default)


def string_option(context: Context, rule: str, name: str, default: str) -> tuple[str, str]:
    value = context.option(rule, name, default)
    if isinstance(value, str):
        return value, ""
    return default, _ignored(name, value, "a string", default)


def string_list_option(
    context: Context, rule: str, name: str, default: tuple[str, ...]
) -> tuple[tuple[str, ...], str]:
    value = context.option(rule, name, default)
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return tuple(value), ""
    return default, _ignored(name, value, "a list of strings", list(default))


def pattern_option(
    context: Context, rule: str, name: str, default: str
) -> tuple[re.Pattern[str], str]:
    """A regular expression option; an invalid expression falls back to the default."""
    text, note = string_option(context, rule, name, default)
    try:
        return re.compile(text), note
    except re.error as error:
        return re.compile(default), f" (option {name}={text!r} is not a valid regex: {error})"
