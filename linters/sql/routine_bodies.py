"""The body of a function, procedure or DO block, with where it starts in the statement.

sqlglot keeps a routine's body as an opaque string (a dollar-quoted heredoc or a literal) and a
DO block as a generic command; rules that look inside PL/pgSQL start from here.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from sqlglot import exp

from linters.statement import Statement

__all__ = ["RoutineBody", "routine_body"]

_DOLLAR_QUOTED = re.compile(r"\$(?P<tag>[A-Za-z_]\w*)?\$(?P<body>.*?)\$(?P=tag)?\$", re.DOTALL)
_LANGUAGE = re.compile(r"\bLANGUAGE\s+(\w+)", re.IGNORECASE)


class RoutineBody(NamedTuple):
    #: The routine's name; ``DO`` for an anonymous block.
    name: str
    #: Lower case (``plpgsql``, ``sql``...); PostgreSQL's default for DO is plpgsql.
    language: str
    text: str
    #: Offset of ``text`` in the statement's text; None when it is not found verbatim (a
    #: single-quoted body whose quotes were doubled).
    offset: int | None


def routine_body(statement: Statement) -> RoutineBody | None:
    expression = statement.expression
    if isinstance(expression, exp.Create) and str(expression.kind).upper() in (
        "FUNCTION",
        "PROCEDURE",
    ):
        body = expression.args.get("expression")
        if not isinstance(body, exp.Heredoc | exp.Literal):
            return None
        language = expression.find(exp.LanguageProperty)
        target = expression.this
        if isinstance(target, exp.UserDefinedFunction):
            target = target.this
        name = target.name if isinstance(target, exp.Expression) else "?"
        text = str(body.this)
        found = statement.text.find(text)
        return RoutineBody(
            name=name,
            language=language.name.lower() if language is not None else "sql",
            text=text,
            offset=found if found >= 0 else None,
        )
    if statement.is_command:
        return _command_body(statement)
    return None


def _command_body(statement: Statement) -> RoutineBody | None:
    """A DO block, or a CREATE FUNCTION sqlglot could not parse (``RETURNS SETOF ...``)."""
    words = statement.words
    if words[:1] == ("DO",):
        name, default_language = "DO", "plpgsql"
    elif words[:1] == ("CREATE",) and {"FUNCTION", "PROCEDURE"} & set(words[1:5]):
        kind = next(i for i, word in enumerate(words) if word in ("FUNCTION", "PROCEDURE"))
        tokens = statement.tokens
        name = tokens[kind + 1].text if kind + 1 < len(tokens) else "?"
        default_language = "sql"
    else:
        return None
    match = _DOLLAR_QUOTED.search(statement.text)
    if match is None:
        return None
    outside = statement.text[: match.start()] + " " + statement.text[match.end() :]
    declared = _LANGUAGE.search(outside)
    return RoutineBody(
        name=name,
        language=declared.group(1).lower() if declared else default_language,
        text=match.group("body"),
        offset=match.start("body"),
    )
