"""Commands people give in pull request comments: ``/schemabot approve <environment>``,
``/schemabot retry <environment>`` and ``/schemabot cancel``.

Only a line that *starts* with ``/schemabot`` is a command, outside code fences: a quoted reply
(``> /schemabot ...``) or an example in backticks is not. schemabot's own comments mention
commands only in backticks, mid-sentence, so they never command the bot themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["COMMAND_PREFIX", "USAGE", "Command", "CommandError", "parse_command"]

COMMAND_PREFIX = "/schemabot"

Verb = Literal["approve", "retry", "cancel"]
_TAKES_ENVIRONMENT: dict[str, bool] = {"approve": True, "retry": True, "cancel": False}

USAGE = (
    "schemabot understands `/schemabot approve <environment>`, `/schemabot retry <environment>` "
    "and `/schemabot cancel`, each at the start of a line."
)


@dataclass(frozen=True, slots=True)
class Command:
    verb: Verb
    #: The environment named (approve, retry); None for cancel.
    environment: str | None = None

    def __str__(self) -> str:
        return f"{COMMAND_PREFIX} {self.verb}" + (
            f" {self.environment}" if self.environment else ""
        )


@dataclass(frozen=True, slots=True)
class CommandError:
    """A line addressed to schemabot that is not a command it knows: the reply says why."""

    line: str
    reason: str


def _command_lines(text: str) -> list[str]:
    lines: list[str] = []
    fenced = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced:
            continue
        head, _, _ = line.partition(" ")
        if head.lower() == COMMAND_PREFIX:
            lines.append(line)
    return lines


def parse_command(text: str) -> Command | CommandError | None:
    """The first command in a comment; None when the comment addresses no command to us."""
    lines = _command_lines(text)
    if not lines:
        return None
    line = lines[0]
    words = line.split()[1:]
    if not words:
        return CommandError(line, "no command given")
    verb, arguments = words[0].lower(), words[1:]
    if verb not in _TAKES_ENVIRONMENT:
        return CommandError(line, f"`{words[0]}` is not a command")
    if _TAKES_ENVIRONMENT[verb]:
        if len(arguments) != 1:
            return CommandError(line, f"`{verb}` takes one environment name")
        return Command(verb, arguments[0].lower())  # type: ignore[arg-type]
    if arguments:
        return CommandError(line, f"`{verb}` takes no arguments")
    return Command(verb)  # type: ignore[arg-type]
