"""REINDEX, VACUUM, CLUSTER and REFRESH MATERIALIZED VIEW, read from their words.

sqlglot keeps these PostgreSQL maintenance commands as generic commands. Rules ask the same
questions of all four: which options (``FULL``, ``CONCURRENTLY``, in the parenthesised list or
as bare keywords), which kind of target (``INDEX``, ``TABLE``, ``SCHEMA``...) and which names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from sqlglot import exp
from sqlglot.tokenizer_core import Token, TokenType

from linters.sql.object_names import qualified_name_tokens

if TYPE_CHECKING:
    from linters.statement import Statement

__all__ = ["MaintenanceCommand", "maintenance_command"]

_VERBS = ("REINDEX", "VACUUM", "CLUSTER", "REFRESH")
#: Keywords written without parentheses before the target (older spellings).
_BARE_OPTIONS = frozenset({"FULL", "FREEZE", "VERBOSE", "ANALYZE", "ANALYSE", "CONCURRENTLY"})
_REINDEX_KINDS = frozenset({"INDEX", "TABLE", "SCHEMA", "DATABASE", "SYSTEM"})
_SWITCHED_OFF = frozenset({"FALSE", "OFF", "0"})


class MaintenanceCommand(NamedTuple):
    #: ``REINDEX``, ``VACUUM``, ``CLUSTER`` or ``REFRESH``.
    verb: str
    #: Options switched on, upper-case: ``FULL``, ``VERBOSE``, ``CONCURRENTLY``...
    options: frozenset[str]
    #: REINDEX's ``INDEX`` / ``TABLE`` / ``SCHEMA`` / ``DATABASE`` / ``SYSTEM``; None otherwise.
    kind: str | None
    #: The named tables, indexes or views; empty for "every table" (``VACUUM FULL;``).
    targets: tuple[exp.Table, ...]
    #: ``REFRESH ... WITH NO DATA``.
    with_no_data: bool = False


def _parenthesised_options(
    tokens: list[Token], words: tuple[str, ...], index: int
) -> tuple[set[str], int]:
    """``(FULL, ANALYZE false)`` at ``index``: the options switched on, and the index after."""
    options: set[str] = set()
    if index >= len(tokens) or tokens[index].token_type != TokenType.L_PAREN:
        return options, index
    item: list[str] = []
    for position in range(index + 1, len(tokens)):
        token = tokens[position]
        if token.token_type in (TokenType.COMMA, TokenType.R_PAREN):
            if item and not (len(item) > 1 and item[1] in _SWITCHED_OFF):
                options.add(item[0])
            item = []
            if token.token_type == TokenType.R_PAREN:
                return options, position + 1
        else:
            item.append(words[position])
    return options, len(tokens)


def _names(tokens: list[Token], index: int) -> tuple[list[exp.Table], int]:
    """Comma-separated names at ``index`` (VACUUM's column lists skipped)."""
    names: list[exp.Table] = []
    while index < len(tokens):
        name, index = qualified_name_tokens(tokens, index)
        if name is None:
            break
        names.append(name)
        depth = 0
        while index < len(tokens) and (depth or tokens[index].token_type == TokenType.L_PAREN):
            depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(tokens[index].token_type, 0)
            index += 1
        if index < len(tokens) and tokens[index].token_type == TokenType.COMMA:
            index += 1
            continue
        break
    return names, index


def maintenance_command(statement: Statement) -> MaintenanceCommand | None:
    tokens, words = statement.tokens, statement.words
    if not words or words[0] not in _VERBS:
        return None
    verb = words[0]
    index = 1
    if verb == "REFRESH":
        if words[1:3] != ("MATERIALIZED", "VIEW"):
            return None
        index = 3
    options, index = _parenthesised_options(tokens, words, index)
    kind = None
    while index < len(words) and (words[index] in _BARE_OPTIONS or words[index] in _REINDEX_KINDS):
        if verb == "REINDEX" and kind is None and words[index] in _REINDEX_KINDS:
            kind = words[index]
        elif words[index] in _BARE_OPTIONS:
            options.add(words[index])
        else:
            break
        index += 1
    targets, index = _names(tokens, index)
    if verb == "CLUSTER" and words[index : index + 1] == ("ON",):
        # CLUSTER index ON table (before PostgreSQL 8.3, still accepted)
        targets, index = _names(tokens, index + 1)
    with_no_data = words[index : index + 3] == ("WITH", "NO", "DATA")
    return MaintenanceCommand(verb, frozenset(options), kind, tuple(targets), with_no_data)
