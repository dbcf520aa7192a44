"""What came before or comes after a statement in its file: creations and neighbours.

Rules whose verdict depends on order ask here: a schema created earlier in the file may be
renamed freely; a rename followed at once by a view under the old name keeps old readers going.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

if TYPE_CHECKING:
    from linters.rule import Context
    from linters.statement import Statement

__all__ = [
    "created_earlier_in_file",
    "following_statements",
    "next_statement",
]


def next_statement(statement: Statement, context: Context) -> Statement | None:
    following = following_statements(statement, context)
    return following[0] if following else None


def following_statements(statement: Statement, context: Context) -> list[Statement]:
    return context.statements[statement.index + 1 :]


def _created_name(create: exp.Create, kind: str) -> str | None:
    table = create.this.this if isinstance(create.this, exp.Schema) else create.this
    if not isinstance(table, exp.Table):
        return None
    # sqlglot keeps a schema's name in the ``db`` slot of its Table node.
    name = table.db if kind == "SCHEMA" and not table.name else table.name
    return name.lower()


def created_earlier_in_file(statement: Statement, context: Context, kind: str, name: str) -> bool:
    """Whether ``CREATE <kind> name`` runs before ``statement`` in the same file.

    Names compare without their schema: ``public.mood`` and ``mood`` are the same type here.
    """
    wanted = name.lower().rsplit(".", 1)[-1]
    for earlier in context.statements[: statement.index]:
        create = earlier.expression
        if not isinstance(create, exp.Create):
            continue
        if (
            str(create.args.get("kind", "")).upper() == kind
            and _created_name(create, kind) == wanted
        ):
            return True
    return False
