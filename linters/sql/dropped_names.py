"""The names a ``DROP <kind> [IF EXISTS] a, b [CASCADE | RESTRICT]`` statement removes, from words.

Read from tokens rather than sqlglot's tree, so it also answers for statements sqlglot cannot
parse (``DROP SCHEMA a, b``, ``DROP DATABASE x WITH (FORCE)``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linters.sql.generic_command import qualified_name_tokens
from linters.sql.object_names import qualified_name

if TYPE_CHECKING:
    from linters.statement import Statement

__all__ = ["dropped_names"]


def dropped_names(statement: Statement, kind: str) -> list[str]:
    """Names dropped by ``DROP <kind> ...`` (``kind`` one upper-case word); empty otherwise."""
    words = statement.words
    if words[:2] != ("DROP", kind):
        return []
    index = 4 if words[2:4] == ("IF", "EXISTS") else 2
    names: list[str] = []
    while True:
        name, index = qualified_name_tokens(statement.tokens, index)
        if name is None:
            break
        names.append(qualified_name(name))
        if words[index : index + 1] != (",",):
            break
        index += 1
    return names
