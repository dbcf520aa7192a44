"""``CREATE [UNIQUE] INDEX [CONCURRENTLY] ... ON [ONLY] table``, parsed or kept as a command.

sqlglot parses most ``CREATE INDEX`` statements, but keeps some as a generic command
(``... NULLS NOT DISTINCT``). Lock rules must see both the same way: which table, whether the
build is concurrent, whether ``ON ONLY`` limits it to a partitioned parent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from sqlglot import exp

from linters.sql.index_definitions import index_definitions
from linters.sql.object_names import qualified_name_tokens

if TYPE_CHECKING:
    from linters.statement import Statement

__all__ = ["IndexCreation", "index_creation"]

#: Words that may follow a plain key column: ``a DESC NULLS LAST``.
_ORDERING = frozenset({"ASC", "DESC", "NULLS"})


class IndexCreation(NamedTuple):
    table: exp.Table
    #: The name as written; None when PostgreSQL picks one.
    name: str | None
    concurrently: bool
    #: ``ON ONLY parent``: the index is created on the partitioned parent alone.
    only: bool
    #: Key parts that are plain columns, lower-case; expression keys are left out.
    columns: tuple[str, ...]

    def label(self, table_name: str) -> str:
        """``index `ix``` or ``the index on `table```, for messages."""
        return f"index `{self.name}`" if self.name else f"the index on `{table_name}`"


def index_creation(statement: Statement) -> IndexCreation | None:
    create = statement.expression
    if isinstance(create, exp.Create) and create.kind == "INDEX":
        index = next(index_definitions(create), None)
        if index is None:
            return None
        return IndexCreation(
            table=index.table,
            name=index.name.name if index.name is not None else None,
            concurrently=bool(create.args.get("concurrently")),
            only=statement.has_words("ON", "ONLY"),
            columns=index.columns,
        )
    if isinstance(create, exp.Command):
        return _from_words(statement)
    return None


def _from_words(statement: Statement) -> IndexCreation | None:
    words, tokens = statement.words, statement.tokens
    position = 2 if words[1:2] == ("UNIQUE",) else 1
    if words[:1] != ("CREATE",) or words[position : position + 1] != ("INDEX",):
        return None
    position += 1
    concurrently = words[position : position + 1] == ("CONCURRENTLY",)
    position += concurrently
    if words[position : position + 3] == ("IF", "NOT", "EXISTS"):
        position += 3
    name = None
    if words[position : position + 1] != ("ON",):
        name = tokens[position].text if position < len(tokens) else None
        position += 1
    if words[position : position + 1] != ("ON",):
        return None
    position += 1
    only = words[position : position + 1] == ("ONLY",)
    table, position = qualified_name_tokens(tokens, position + only)
    if table is None:
        return None
    return IndexCreation(table, name, concurrently, only, _columns(words[position:]))


def _columns(words: tuple[str, ...]) -> tuple[str, ...]:
    """Plain column names of the first parenthesised key list in ``words``."""
    if "(" not in words:
        return ()
    depth, items, item = 0, list[list[str]](), list[str]()
    for word in words[words.index("(") :]:
        depth += {"(": 1, ")": -1}.get(word, 0)
        if depth == 0 or (depth == 1 and word == ","):
            items.append(item)
            item = []
            if depth == 0:
                break
        elif word != "(" or depth > 1:
            item.append(word)
    return tuple(key[0].lower() for key in items if key and (len(key) == 1 or key[1] in _ORDERING))
