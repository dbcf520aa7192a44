"""``ALTER TYPE name ADD VALUE [IF NOT EXISTS] 'label' [BEFORE | AFTER 'other']``, read from its
words (sqlglot keeps it as a generic command)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from sqlglot import exp
from sqlglot.tokenizer_core import TokenType

from linters.sql.object_names import qualified_name_tokens

if TYPE_CHECKING:
    from linters.statement import Statement

__all__ = ["EnumAddition", "enum_addition"]


class EnumAddition(NamedTuple):
    enum_type: exp.Table
    label: str
    #: ``BEFORE`` or ``AFTER``; None when the value is appended last.
    position: str | None


def enum_addition(statement: Statement) -> EnumAddition | None:
    words, tokens = statement.words, statement.tokens
    if words[:2] != ("ALTER", "TYPE"):
        return None
    enum_type, index = qualified_name_tokens(tokens, 2)
    if enum_type is None or words[index : index + 2] != ("ADD", "VALUE"):
        return None
    index += 2
    if words[index : index + 3] == ("IF", "NOT", "EXISTS"):
        index += 3
    if index >= len(tokens) or tokens[index].token_type != TokenType.STRING:
        return None
    position = (
        words[index + 1] if words[index + 1 : index + 2] in (("BEFORE",), ("AFTER",)) else None
    )
    return EnumAddition(enum_type, tokens[index].text, position)
