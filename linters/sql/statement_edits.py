"""Mechanical fixes as text edits of a statement: insert ``CONCURRENTLY``, append ``NOT VALID``.

Editing the text keeps the author's formatting and comments, which regenerating SQL from
sqlglot's tree would lose.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linters.statement import Statement

__all__ = ["append", "insert_after"]


def insert_after(statement: Statement, keywords: re.Pattern[str], addition: str) -> str | None:
    """The statement with ``addition`` after the first match of ``keywords``; None if absent."""
    match = keywords.search(statement.text)
    if match is None:
        return None
    return statement.text[: match.end()] + addition + statement.text[match.end() :]


def append(statement: Statement, addition: str) -> str:
    """The statement with ``addition`` at its end (its text ends with its last token)."""
    text = statement.text.rstrip()
    return text + addition
