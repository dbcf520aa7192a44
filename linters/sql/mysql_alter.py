"""ALTER TABLE in MySQL and MariaDB, read the same way whether sqlglot parsed it or not.

sqlglot parses most ALTER TABLE forms into ``exp.Alter`` with ``actions`` and ``options``
(``ALGORITHM=``, ``LOCK=``, ``ENGINE=`` ...), but falls back to ``exp.Command`` for others
(``CONVERT TO CHARACTER SET``, ``ADD CHECK (...)``, ``PARTITION BY``, ``ALTER ONLINE TABLE``,
``ADD COLUMN (a int, b int)``). ``AlterTable`` gives rules one view of both: the table, the
parsed actions (empty for a command), the words after the table name, the algorithm and lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp
from sqlglot.tokenizer_core import Token, TokenType

from linters.sql.object_names import qualified_name_tokens

if TYPE_CHECKING:
    from linters.statement import Statement

__all__ = ["AlterTable", "ChangedColumn", "alter_table"]

#: Words allowed between ALTER and TABLE (MariaDB ``ALTER ONLINE TABLE``, old ``ALTER IGNORE``).
_HEAD_MODIFIERS = frozenset({"ONLINE", "OFFLINE", "IGNORE"})
_ALGORITHMS = frozenset({"DEFAULT", "INSTANT", "INPLACE", "COPY", "NOCOPY"})
_LOCKS = frozenset({"DEFAULT", "NONE", "SHARED", "EXCLUSIVE"})
_NAME_TOKENS = frozenset({TokenType.VAR, TokenType.IDENTIFIER})
_STRING_TOKENS = frozenset({TokenType.STRING, TokenType.NATIONAL_STRING})


@dataclass(frozen=True)
class ChangedColumn:
    """A ``MODIFY`` or ``CHANGE`` action: the column's old name and its full new definition."""

    old_name: str
    definition: exp.ColumnDef

    @property
    def name(self) -> str:
        return self.definition.name


@dataclass(frozen=True)
class AlterTable:
    statement: Statement
    table: exp.Table
    #: sqlglot's actions; empty when the statement is a command fallback.
    actions: tuple[exp.Expression, ...]
    #: Upper-cased words after the table name, for forms sqlglot does not model.
    clause_words: tuple[str, ...]
    #: ``ALGORITHM=`` / ``LOCK=`` values, upper-cased, None when not stated.
    algorithm: str | None
    lock: str | None

    @property
    def is_command(self) -> bool:
        return self.statement.is_command

    @property
    def table_name(self) -> str:
        return ".".join(part.name for part in self.table.parts)

    def has_clause(self, *words: str) -> bool:
        """Whether ``words`` occur contiguously after the table name."""
        n = len(words)
        return any(
            self.clause_words[i : i + n] == words for i in range(len(self.clause_words) - n + 1)
        )

    def added_columns(self) -> list[exp.ColumnDef]:
        return [action for action in self.actions if isinstance(action, exp.ColumnDef)]

    def changed_columns(self) -> list[ChangedColumn]:
        changed = []
        for action in self.actions:
            if isinstance(action, exp.ModifyColumn) and isinstance(action.this, exp.ColumnDef):
                renamed = action.args.get("rename_from")
                old = renamed.name if isinstance(renamed, exp.Expression) else action.this.name
                changed.append(ChangedColumn(old, action.this))
        return changed

    def added_constraints(self) -> list[tuple[str | None, exp.Expression]]:
        """Each ``ADD [CONSTRAINT name] ...`` item: its name (if any) and its kind's node."""
        added: list[tuple[str | None, exp.Expression]] = []
        for action in self.actions:
            if not isinstance(action, exp.AddConstraint):
                continue
            for item in action.expressions:
                if isinstance(item, exp.Constraint):
                    added.extend((item.name or None, inner) for inner in item.expressions)
                else:
                    added.append((None, item))
        return added

    def dropped(self, kind: str) -> list[str]:
        """Names dropped with ``DROP <kind> name`` (kind: COLUMN, INDEX, FOREIGN KEY, CHECK ...)."""
        names: list[str] = []
        for action in self.actions:
            if isinstance(action, exp.Drop) and str(action.args.get("kind", "")).upper() == kind:
                names.extend(target.name for target in action.args.get("tables") or [])
        return names

    @property
    def drops_primary_key(self) -> bool:
        return any(isinstance(a, exp.DropPrimaryKey) for a in self.actions) or self.has_clause(
            "DROP", "PRIMARY", "KEY"
        )

    def options(self) -> list[exp.Expression]:
        """Options of a parsed statement (``ENGINE=``, ``CHARACTER SET=``, ``ORDER BY``...)."""
        expression = self.statement.expression
        if isinstance(expression, exp.Alter):
            return list(expression.args.get("options") or [])
        return []


def _after_table_name(tokens: list[Token]) -> tuple[exp.Table, int] | None:
    words = [token.text.upper() for token in tokens]
    index = 1
    while index < len(words) and words[index] in _HEAD_MODIFIERS:
        index += 1
    if index >= len(words) or words[index] != "TABLE":
        return None
    index += 1
    if words[index : index + 2] == ["IF", "EXISTS"]:
        index += 2
    table, end = qualified_name_tokens(tokens, index)
    return (table, end) if table is not None else None


def _stated(words: tuple[str, ...], option: str, values: frozenset[str]) -> str | None:
    """``ALGORITHM [=] value`` as a clause of its own (after the table name or a comma)."""
    for i, word in enumerate(words):
        if word != option or (i > 0 and words[i - 1] != ","):
            continue
        at = i + 2 if words[i + 1 : i + 2] == ("=",) else i + 1
        if at < len(words) and words[at] in values:
            return words[at]
    return None


def alter_table(statement: Statement) -> AlterTable | None:
    """The ALTER TABLE view of ``statement``; None for any other statement."""
    expression = statement.expression
    if isinstance(expression, exp.Alter):
        if str(expression.args.get("kind", "")).upper() != "TABLE":
            return None
    elif not (isinstance(expression, exp.Command) and statement.words[:1] == ("ALTER",)):
        return None
    located = _after_table_name(statement.tokens)
    if located is None:
        return None
    table, end = located
    # The tokenizer keeps some keyword pairs as one token ("PARTITION BY", "ORDER BY").
    clause_words = tuple(
        part
        for word, token in zip(statement.words[end:], statement.tokens[end:], strict=True)
        for part in ([word] if token.token_type in _STRING_TOKENS else word.split())
    )
    actions: tuple[exp.Expression, ...] = ()
    if isinstance(expression, exp.Alter):
        if isinstance(expression.this, exp.Table):
            table = expression.this
        actions = tuple(expression.args.get("actions") or ())
    return AlterTable(
        statement=statement,
        table=table,
        actions=actions,
        clause_words=clause_words,
        algorithm=_stated(clause_words, "ALGORITHM", _ALGORITHMS),
        lock=_stated(clause_words, "LOCK", _LOCKS),
    )
