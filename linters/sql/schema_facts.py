"""What the earlier statements of a file established: new tables, partitions, columns, checks.

A lock rule sometimes needs a fact the current statement does not carry: is ``events``
partitioned? Is the column behind ``PRIMARY KEY USING INDEX ix`` declared NOT NULL? Was a
``CHECK (email IS NOT NULL)`` validated before ``SET NOT NULL``? There is no catalog to ask, only
the migration itself: ``facts_before`` replays the statements before the current one (and knows
the tables created in earlier files of the change). Facts it cannot see stay unknown (None), and
rules stay quiet on unknown facts.

Only the file's own statements are replayed: a statement rule's verdict must depend on its file
and the tables created before it, nothing else (the engine caches per file on that basis).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from sqlglot import exp

from linters.rule import TableKeys, table_key, unqualified
from linters.sql.alter_subcommands import AlterSubcommand, alter_subcommands
from linters.sql.column_definitions import column_definitions, table_primary_key_columns
from linters.sql.index_creations import index_creation
from linters.sql.object_names import qualified_name_tokens

if TYPE_CHECKING:
    from linters.rule import Context
    from linters.statement import Statement

__all__ = ["ColumnFacts", "IndexFacts", "SchemaFacts", "TableFacts", "facts_before"]


@dataclass
class ColumnFacts:
    data_type: exp.DataType | None = None
    #: True / False when a statement said so; None when unknown.
    not_null: bool | None = None


class IndexFacts(NamedTuple):
    table: str
    columns: tuple[str, ...]


@dataclass
class TableFacts:
    partitioned: bool = False
    #: Partitions known from ``PARTITION OF`` / ``ATTACH PARTITION``, by table key.
    partitions: set[str] = field(default_factory=set)
    columns: dict[str, ColumnFacts] = field(default_factory=dict)
    #: Columns with a validated ``CHECK (c IS NOT NULL)``: SET NOT NULL skips its scan (PG 12+).
    not_null_checks: set[str] = field(default_factory=set)
    #: ``NOT VALID`` not-null checks waiting for ``VALIDATE CONSTRAINT``: name -> column.
    pending_checks: dict[str, str] = field(default_factory=dict)
    #: Constraints seen validated (``VALIDATE CONSTRAINT``), lower-case names.
    validated: set[str] = field(default_factory=set)

    def column(self, name: str) -> ColumnFacts:
        return self.columns.setdefault(name.lower(), ColumnFacts())


@dataclass
class SchemaFacts:
    #: Table keys of tables, views and materialized views the observed statements created.
    new_tables: TableKeys = field(default_factory=TableKeys)
    #: The engine's tables created earlier in the change (``Context.new_tables``); it knows
    #: earlier files, but not materialized views, which sqlglot keeps as commands.
    change_tables: TableKeys = field(default_factory=TableKeys)
    tables: dict[str, TableFacts] = field(default_factory=dict)
    #: Indexes created so far, by lower-case name without schema.
    indexes: dict[str, IndexFacts] = field(default_factory=dict)
    #: Types and domains created so far, lower-case names without schema.
    new_types: set[str] = field(default_factory=set)

    def is_new_table(self, table: exp.Table | str) -> bool:
        return self.new_tables.holds(table) or self.change_tables.holds(table)

    def table(self, table: exp.Table | str) -> TableFacts | None:
        key = table_key(table)
        if key in self.tables:
            return self.tables[key]
        short = unqualified(key)
        return next(
            (facts for name, facts in self.tables.items() if unqualified(name) == short), None
        )

    def index(self, name: str) -> IndexFacts | None:
        return self.indexes.get(unqualified(name.lower()))

    def is_new_type(self, name: str) -> bool:
        return unqualified(name.lower()) in self.new_types

    def _facts(self, table: exp.Table | str) -> TableFacts:
        return self.table(table) or self.tables.setdefault(table_key(table), TableFacts())

    def observe(self, statement: Statement) -> None:
        """Learn what ``statement`` establishes."""
        expression = statement.expression
        index = index_creation(statement)
        if index is not None and index.name is not None:
            self.indexes[unqualified(index.name.lower())] = IndexFacts(
                table_key(index.table), index.columns
            )
        elif isinstance(expression, exp.Create):
            self._observe_create(expression)
        elif statement.words[:2] == ("ALTER", "TABLE"):
            self._observe_alter(statement)
        elif statement.words[:1] == ("CREATE",):
            self._observe_create_command(statement)

    def _observe_create(self, create: exp.Create) -> None:
        kind = str(create.args.get("kind") or "").upper()
        target = create.this.this if isinstance(create.this, exp.Schema) else create.this
        if kind in ("TABLE", "VIEW") and isinstance(target, exp.Table):
            self.new_tables.add(table_key(target))
            facts = self._facts(target)
            for prop in create.find_all(exp.PartitionedByProperty, exp.PartitionedOfProperty):
                if isinstance(prop, exp.PartitionedByProperty):
                    facts.partitioned = True
                elif isinstance(prop.this, exp.Table):
                    parent = self._facts(prop.this)
                    parent.partitioned = True
                    parent.partitions.add(table_key(target))
            for column in column_definitions(create):
                not_null = column.is_not_null or column.is_primary_key
                facts.columns[column.column] = ColumnFacts(column.data_type, not_null)
            for name in table_primary_key_columns(create):
                facts.column(name).not_null = True
        elif kind == "TYPE" and isinstance(target, exp.Table):
            self.new_types.add(target.name.lower())

    def _observe_create_command(self, statement: Statement) -> None:
        words = statement.words
        start = 3 if words[1:3] == ("OR", "REPLACE") else 1
        if words[start : start + 2] == ("MATERIALIZED", "VIEW"):
            start += 2
            kind = "VIEW"
        elif words[start : start + 1] in (("DOMAIN",), ("TYPE",)):
            start += 1
            kind = "TYPE"
        else:
            return
        if words[start : start + 3] == ("IF", "NOT", "EXISTS"):
            start += 3
        name, _ = qualified_name_tokens(statement.tokens, start)
        if name is None:
            return
        if kind == "VIEW":
            self.new_tables.add(table_key(name))
        else:
            self.new_types.add(name.name.lower())

    def _observe_alter(self, statement: Statement) -> None:
        alter = alter_subcommands(statement)
        if alter is None:
            return
        facts = self._facts(alter.table)
        for action in alter.subcommands:
            self._observe_action(alter.table, facts, action)

    def _observe_action(self, table: exp.Table, facts: TableFacts, action: AlterSubcommand) -> None:
        added = action.added_column
        words = action.top_words
        if added is not None:
            facts.columns[added.column] = ColumnFacts(
                added.data_type, added.is_not_null or added.is_primary_key
            )
        elif words[:1] == ("ALTER",) and action.column_name is not None:
            column = facts.column(action.column_name)
            if words[-3:] == ("SET", "NOT", "NULL"):
                column.not_null = True
            elif words[-3:] == ("DROP", "NOT", "NULL"):
                column.not_null = False
            elif isinstance(action.node, exp.AlterColumn):
                data_type = action.node.args.get("dtype")
                if isinstance(data_type, exp.DataType):
                    column.data_type = data_type
        elif action.column_name is not None and isinstance(action.node, exp.ModifyColumn):
            self._observe_modify(facts, action.column_name, action.node)
        elif words[:1] in (("ATTACH",), ("DETACH",)) and words[1:2] == ("PARTITION",):
            facts.partitioned = True
            if words[0] == "ATTACH":
                partition, _ = qualified_name_tokens(list(action.tokens), 2)
                if partition is not None:
                    facts.partitions.add(table_key(partition))
        elif words[:2] == ("VALIDATE", "CONSTRAINT") and len(action.tokens) > 2:
            name = action.tokens[2].text.lower()
            facts.validated.add(name)
            if name in facts.pending_checks:
                facts.not_null_checks.add(facts.pending_checks.pop(name))
        elif action.adds_constraint:
            self._observe_constraint(facts, action)

    def _observe_modify(self, facts: TableFacts, old_name: str, modify: exp.ModifyColumn) -> None:
        """MySQL ``MODIFY`` / ``CHANGE``: the column's whole new definition (and name)."""
        definition = modify.this
        if not isinstance(definition, exp.ColumnDef):
            return
        facts.columns.pop(old_name.lower(), None)
        kind = definition.args.get("kind")
        not_null = any(
            isinstance(
                constraint.kind, exp.NotNullColumnConstraint | exp.PrimaryKeyColumnConstraint
            )
            for constraint in definition.args.get("constraints") or ()
            if isinstance(constraint, exp.ColumnConstraint)
        )
        data_type = kind if isinstance(kind, exp.DataType) else None
        facts.columns[definition.name.lower()] = ColumnFacts(data_type, not_null)

    def _observe_constraint(self, facts: TableFacts, action: AlterSubcommand) -> None:
        kind = action.constraint_kind
        if kind == "PRIMARY KEY":
            index = self.index(action.using_index) if action.using_index else None
            columns = index.columns if index else _column_list(action.parenthesised)
            for name in columns:
                facts.column(name).not_null = True
            return
        column = None
        if kind == "CHECK":
            column = not_null_check_column(action.parenthesised)
        elif kind == "NOT NULL" and len(action.tokens) > 5:
            column = action.tokens[5].text.lower()  # ADD CONSTRAINT n NOT NULL c (PG 18)
        if column is None:
            return
        if not action.not_valid:
            facts.not_null_checks.add(column)
        elif action.constraint_name is not None:
            facts.pending_checks[action.constraint_name.lower()] = column


def not_null_check_column(condition: tuple[str, ...]) -> str | None:
    """The column of a ``CHECK (c IS NOT NULL)`` condition (upper-case words), lower-case."""
    if len(condition) == 4 and condition[1:] == ("IS", "NOT", "NULL"):
        return condition[0].lower()
    return None


def _column_list(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(word.lower() for word in words if word != ",")


@dataclass
class _Replay:
    """How far the facts of one file have been replayed."""

    context: Context
    #: Statements observed so far: ``context.statements[:observed]``.
    observed: int
    facts: SchemaFacts


#: Rules ask in statement order, several times per statement: replaying each file once keeps a
#: long file linear. Per thread, as the app may lint in several threads.
_replays = threading.local()


def facts_before(statement: Statement, context: Context) -> SchemaFacts:
    """The facts established by the statements before ``statement`` in its file, plus the
    tables created earlier in the change. Read it, do not keep it: it moves on with the file."""
    replay: _Replay | None = getattr(_replays, "last", None)
    if replay is None or replay.context is not context or replay.observed > statement.index:
        replay = _Replay(context, 0, SchemaFacts())
        _replays.last = replay
    # Read afresh: the engine may check the file again with another set of earlier tables.
    replay.facts.change_tables = context.new_tables
    for earlier in context.statements[replay.observed : statement.index]:
        replay.facts.observe(earlier)
    replay.observed = max(replay.observed, statement.index)
    return replay.facts
