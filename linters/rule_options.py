"""The options a rule takes: declared on the rule, validated when the config is read.

A rule lists its options on its ``Rule`` object (``options=(MAX_ROWS,)``); each option has a
name, a type, a default and a description, which the generated docs show. ``[lint.options.
<rule-id>]`` tables are checked against the declarations when the config is loaded, so that a
wrong value or a misspelt name is a configuration error with its field path
(``lint.options.backfill-unbatched.max_rows: expected an integer, got 'x'``), never a crash or a
silently ignored setting in the middle of a lint run. A rule reads its value with
``OPTION.value(config)``, already of the right type.

Only the standard library: the config module reads these at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

if TYPE_CHECKING:
    from linters.config import LintConfig

__all__ = [
    "BooleanOption",
    "ChoiceOption",
    "IntegerOption",
    "OptionError",
    "PatternOption",
    "RuleOption",
    "StringListOption",
    "StringOption",
    "option_problems",
]

T = TypeVar("T")


class OptionError(ValueError):
    """A configured value the option cannot take; the message says what it expected."""


@dataclass(frozen=True)
class RuleOption(Generic[T]):
    #: The rule that declares it: the ``[lint.options.<rule>]`` table it is read from.
    rule: str
    name: str
    default: T
    description: str

    #: How error messages call the type: "an integer", "a list of strings"...
    expected: ClassVar[str] = "a value"
    #: How the docs call the type.
    type_name: ClassVar[str] = "value"

    def parse(self, value: object) -> T:
        """The value to use for ``value`` as configured; raises OptionError when it cannot be."""
        raise NotImplementedError

    def value(self, config: LintConfig) -> T:
        """The configured value (validated when the config was read), else the default."""
        raw = config.options.get(self.rule, {}).get(self.name, _UNSET)
        return self.default if raw is _UNSET else self.parse(raw)

    def _wrong(self, value: object) -> OptionError:
        return OptionError(f"expected {self.expected}, got {value!r}")

    @property
    def default_text(self) -> str:
        """The default as it is written in TOML."""
        return _toml(self.default)

    @property
    def type_text(self) -> str:
        """The accepted values, for the docs."""
        return self.type_name


_UNSET: Any = object()


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return str(value)


@dataclass(frozen=True)
class IntegerOption(RuleOption[int]):
    minimum: int = field(default=0, kw_only=True)

    expected: ClassVar[str] = "an integer"
    type_name: ClassVar[str] = "integer"

    @property
    def type_text(self) -> str:
        return f"integer >= {self.minimum}"

    def parse(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._wrong(value)
        if value < self.minimum:
            raise OptionError(f"expected an integer >= {self.minimum}, got {value!r}")
        return value


@dataclass(frozen=True)
class BooleanOption(RuleOption[bool]):
    expected: ClassVar[str] = "true or false"
    type_name: ClassVar[str] = "boolean"

    def parse(self, value: object) -> bool:
        if not isinstance(value, bool):
            raise self._wrong(value)
        return value


@dataclass(frozen=True)
class StringOption(RuleOption[str]):
    expected: ClassVar[str] = "a string"
    type_name: ClassVar[str] = "string"

    def parse(self, value: object) -> str:
        if not isinstance(value, str):
            raise self._wrong(value)
        return value


@dataclass(frozen=True)
class StringListOption(RuleOption[tuple[str, ...]]):
    #: When not empty, the only words the list may hold (compared in lower case).
    choices: tuple[str, ...] = field(default=(), kw_only=True)

    expected: ClassVar[str] = "a list of strings"
    type_name: ClassVar[str] = "list of strings"

    @property
    def type_text(self) -> str:
        if not self.choices:
            return self.type_name
        return "list of " + ", ".join(f'`"{choice}"`' for choice in self.choices)

    def parse(self, value: object) -> tuple[str, ...]:
        if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
            raise self._wrong(value)
        for item in value:
            if self.choices and item.lower() not in self.choices:
                close = _closest(item.lower(), self.choices)
                hint = f" (did you mean {close}?)" if close else ""
                raise OptionError(
                    f"unknown {item!r}{hint}; expected some of {', '.join(self.choices)}"
                )
        return tuple(value)


@dataclass(frozen=True)
class PatternOption(RuleOption[str]):
    """A regular expression (Python syntax), kept as text; ``compiled`` gives the pattern."""

    expected: ClassVar[str] = "a regular expression"
    type_name: ClassVar[str] = "regular expression"

    def parse(self, value: object) -> str:
        if not isinstance(value, str):
            raise self._wrong(value)
        try:
            re.compile(value)
        except re.error as error:
            raise OptionError(f"expected a regular expression, got {value!r}: {error}") from None
        return value

    def compiled(self, config: LintConfig) -> re.Pattern[str]:
        return re.compile(self.value(config))


@dataclass(frozen=True)
class ChoiceOption(RuleOption[str]):
    """One of a few words; ``aliases`` map other accepted spellings to one of them."""

    choices: tuple[str, ...] = field(kw_only=True)
    aliases: Mapping[str, str] = field(default_factory=dict, kw_only=True)

    type_name: ClassVar[str] = "choice"

    @property
    def type_text(self) -> str:
        return "one of " + ", ".join(f'`"{choice}"`' for choice in self.choices)

    def _wrong(self, value: object) -> OptionError:
        expected = ", ".join(f'"{choice}"' for choice in self.choices)
        return OptionError(f"expected one of {expected}, got {value!r}")

    def parse(self, value: object) -> str:
        if isinstance(value, str):
            word = self.aliases.get(value.lower(), value.lower())
            if word in self.choices:
                return word
        raise self._wrong(value)


def _closest(word: str, known: Iterable[str]) -> str | None:
    from difflib import get_close_matches

    close = get_close_matches(word, list(known), n=1)
    return close[0] if close else None


def option_problems(
    rule: str, declared: tuple[RuleOption[Any], ...], table: Mapping[str, object], path: str
) -> list[str]:
    """What is wrong with a ``[lint.options.<rule>]`` table, each with its field path."""
    by_name = {option.name: option for option in declared}
    problems = []
    for name, value in table.items():
        option = by_name.get(name)
        if option is None:
            close = _closest(name, by_name)
            if close:
                hint = f" (did you mean {close}?)"
            elif by_name:
                hint = f" ({rule} takes {', '.join(sorted(by_name))})"
            else:
                hint = f" ({rule} takes no options)"
            problems.append(f"{path}.{name}: unknown option{hint}")
            continue
        try:
            option.parse(value)
        except OptionError as error:
            problems.append(f"{path}.{name}: {error}")
    return problems
