"""How findings name database objects, when two written names mean the same table, and how
a name is read from tokens (statements sqlglot keeps as a generic command have no tree)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp
from sqlglot.tokenizer_core import TokenType

if TYPE_CHECKING:
    from sqlglot.tokenizer_core import Token

__all__ = ["qualified_name", "qualified_name_tokens", "same_table"]

#: Tokens that cannot be part of an object name.
_NOT_NAME = frozenset({TokenType.STRING, TokenType.L_PAREN, TokenType.COMMA})


def qualified_name_tokens(tokens: list[Token], start: int) -> tuple[exp.Table | None, int]:
    """Read ``name``, ``schema.name`` or ``catalog.schema.name`` at ``start``.

    Returns the name as a Table node and the index of the token after it.
    """
    parts: list[exp.Identifier] = []
    index = start
    while index < len(tokens) and tokens[index].token_type not in _NOT_NAME:
        token = tokens[index]
        parts.append(
            exp.Identifier(this=token.text, quoted=token.token_type == TokenType.IDENTIFIER)
        )
        index += 1
        if index < len(tokens) and tokens[index].token_type == TokenType.DOT:
            index += 1
            continue
        break
    if not parts:
        return None, start
    *qualifiers, name = parts
    table = exp.Table(this=name)
    if qualifiers:
        table.set("db", qualifiers[-1])
    if len(qualifiers) > 1:
        table.set("catalog", qualifiers[-2])
    return table, index


def qualified_name(node: exp.Expression) -> str:
    """``schema.table`` for a table, ``name`` for an identifier or column, without quotes."""
    if isinstance(node, exp.Table):
        args = node.args
        name, db, catalog = args.get("this"), args.get("db"), args.get("catalog")
        if (
            isinstance(name, exp.Identifier)
            and not isinstance(db, exp.Expr)
            and not isinstance(catalog, exp.Expr)
        ):
            return name.name  # ``parts`` is [name] then; asked by a dozen rules per ALTER
        return ".".join(part.name for part in node.parts)
    return node.name


def same_table(left: exp.Table, right: exp.Table) -> bool:
    """Same name, ignoring case; the schema counts only when both names are qualified.

    ``public.orders`` and ``orders`` are the same table for a migration that uses both, as
    ``Context.is_new_table`` also assumes.
    """
    if left.name.lower() != right.name.lower():
        return False
    return not (left.db and right.db) or left.db.lower() == right.db.lower()
