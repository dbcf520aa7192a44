"""The indexes a change leaves on each table, replayed across files from plain per-file facts.

Rules about indexes across files (``index-redundant``, ``index-count-limit``,
``fk-without-index``) are change rules: they see no parsed statement. ``index_changes`` reads
one parsed file into plain data (what each statement does to tables and indexes), once per
file, where the file is parsed; ``IndexCatalog`` replays those facts file after file:

* ``CREATE TABLE t`` starts ``t`` without indexes (a table that existed is gone, or the
  statement fails); ``CREATE TABLE IF NOT EXISTS t`` of a table already known creates nothing;
* ``DROP TABLE`` removes the table's indexes, a table rename moves them;
* ``DROP INDEX`` / ``DROP CONSTRAINT`` / ``DROP PRIMARY KEY`` remove one, by its written name or
  the name PostgreSQL gives an unnamed one (``t_pkey``, ``t_a_key``, ``t_a_idx``);
* ``DROP COLUMN`` removes the indexes over the column, ``RENAME COLUMN`` renames it in them;
* an index named like a live one replaces it (``IF NOT EXISTS``: keeps the old one).

Tables are matched by unqualified name, like ``Context.is_new_table``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from sqlglot import exp

from linters.rule import plain_span, table_key, unqualified
from linters.sql.column_definitions import created_table, statement_columns
from linters.sql.ddl_targets import alter_actions, drop_kind, dropped_names, dropped_objects
from linters.sql.index_definitions import IndexDefinition, statement_indexes
from linters.sql.node_spans import finding_span
from linters.sql.renames import column_renames, table_renames

if TYPE_CHECKING:
    from linters.rule import ChangedFile, LintedFile
    from linters.statement import Statement

__all__ = ["IndexCatalog", "IndexFact", "LiveIndex", "index_changes"]

#: PostgreSQL cuts generated names to this many bytes.
_NAME_LIMIT = 63


class IndexFact(TypedDict):
    """One index as plain data."""

    #: ``table_key`` of its table, and the table's name as written (for messages).
    table: str
    table_name: str
    #: Lower-case name as written; None when the database names it.
    name: str | None
    #: PostgreSQL's name for an unnamed index, so that a later DROP finds it.
    implicit_name: str | None
    #: How a message names it: its name, else ``table(a, b)``.
    label: str
    keys: list[str]
    unique: bool
    primary: bool
    constraint: bool
    method: str
    predicate: str | None
    include: list[str]
    if_not_exists: bool
    #: Where a finding about it points.
    place: list[int] | None


class StatementChanges(TypedDict, total=False):
    """What one statement does to tables and indexes (only the keys that apply)."""

    created_tables: list[list[Any]]  # [table key, IF NOT EXISTS]
    dropped_tables: list[str]
    renamed_tables: list[list[str]]  # [old key, new key]
    dropped_columns: list[list[str]]  # [table key, column]
    renamed_columns: list[list[str]]  # [table key, old, new]
    added_columns: list[list[str]]  # [table key, column]
    indexes: list[IndexFact]
    dropped_indexes: list[list[str | None]]  # [name, table key or None]
    renamed_indexes: list[list[str]]  # [old, new]


#: Statements that may change tables or indexes (an unparsed one too: ``DROP INDEX`` is read
#: from its words).
_SCHEMA_CHANGES = (exp.Create, exp.Drop, exp.Alter, exp.Command)


def index_changes(file: LintedFile) -> list[StatementChanges]:
    """Facts of one file for change rules: what each up statement does to tables and indexes,
    in order (statements that touch neither are left out)."""
    found = []
    for statement in file.up_statements:
        expression = statement.expression
        if expression is not None and not isinstance(expression, _SCHEMA_CHANGES):
            continue  # a query, data change, COMMENT ...: nothing to ask each reading
        changes = _statement_changes(statement)
        if changes:
            found.append(changes)
    return found


def _statement_changes(statement: Statement) -> StatementChanges:
    expression = statement.expression
    changes: StatementChanges = {}
    created = created_table(expression)
    if created is not None and isinstance(expression, exp.Create):
        changes["created_tables"] = [[table_key(created), bool(expression.args.get("exists"))]]
    if isinstance(expression, exp.Drop) and str(expression.args.get("kind")).upper() == "TABLE":
        tables = expression.args.get("tables") or ()
        changes["dropped_tables"] = [table_key(t) for t in tables if isinstance(t, exp.Table)]
    if renamed := [[table_key(r.old), table_key(r.new)] for r in table_renames(statement)]:
        changes["renamed_tables"] = renamed
    if renamed := [
        [table_key(r.table), r.old.lower(), r.new.lower()] for r in column_renames(statement)
    ]:
        changes["renamed_columns"] = renamed
    added = [
        [table_key(column.table), column.column]
        for column in statement_columns(statement)
        if column.action == "add"
    ]
    if added:
        changes["added_columns"] = added
    if indexes := [_fact(statement, index) for index in statement_indexes(statement)]:
        changes["indexes"] = indexes
    _index_drops_and_renames(statement, changes)
    return changes


def _index_drops_and_renames(statement: Statement, changes: StatementChanges) -> None:
    """``DROP INDEX``, and what an ALTER TABLE drops or renames: columns, keys, indexes."""
    dropped: list[list[str | None]] = [
        [unqualified(name.lower()), None] for name in dropped_names(statement, "INDEX")
    ]
    renamed: list[list[str]] = []
    expression = statement.expression
    altered = expression.this if isinstance(expression, exp.Alter) else None
    for action in alter_actions(expression):
        table = table_key(altered) if isinstance(altered, exp.Table) else None
        if isinstance(action, exp.DropPrimaryKey):
            dropped.append(["primary", table])
        elif isinstance(action, exp.Drop) and table is not None:
            names = [item.name.lower() for item in dropped_objects(action)]
            if drop_kind(action) == "COLUMN":
                changes.setdefault("dropped_columns", []).extend([table, n] for n in names)
            elif drop_kind(action) in ("INDEX", "KEY", "CONSTRAINT"):
                dropped.extend([name, table] for name in names)
        elif isinstance(action, exp.RenameIndex):
            renamed.append([action.this.name.lower(), action.args["to"].name.lower()])
    if isinstance(expression, exp.Alter) and str(expression.kind).upper() == "INDEX":
        for action in expression.args.get("actions") or ():
            if isinstance(action, exp.AlterRename) and isinstance(altered, exp.Table):
                renamed.append([altered.name.lower(), action.this.name.lower()])
    if dropped:
        changes["dropped_indexes"] = dropped
    if renamed:
        changes["renamed_indexes"] = renamed


def _fact(statement: Statement, index: IndexDefinition) -> IndexFact:
    expression = statement.expression
    if_not_exists = (
        isinstance(expression, exp.Create)
        and expression.kind == "INDEX"
        and bool(expression.args.get("exists"))
    )
    return {
        "table": table_key(index.table),
        "table_name": index.table.name,
        "name": index.name.name.lower() if index.name is not None else None,
        "implicit_name": _implicit_name(index) if index.name is None else None,
        "label": index.label,
        "keys": list(index.keys),
        "unique": index.unique,
        "primary": index.primary,
        "constraint": index.constraint,
        "method": index.method,
        "predicate": index.predicate,
        "include": list(index.include),
        "if_not_exists": if_not_exists,
        "place": plain_span(finding_span(statement, index.anchor)),
    }


def _implicit_name(index: IndexDefinition) -> str:
    """The name PostgreSQL chooses: ``t_pkey``, ``t_a_b_key``, ``t_a_b_idx``."""
    table = index.table.name.lower()
    if index.primary:
        name = f"{table}_pkey"
    else:
        columns = "_".join(index.columns) or "expr"
        name = f"{table}_{columns}_{'key' if index.constraint else 'idx'}"
    return name.encode()[:_NAME_LIMIT].decode(errors="ignore")


@dataclass(eq=False)
class LiveIndex:
    """An index the change created and has not dropped (yet)."""

    file: ChangedFile
    fact: IndexFact
    #: Creation order across the change.
    order: int
    #: Its key columns and its names, renamed as the change renamed them.
    keys: list[str]
    names: tuple[str | None, str | None]
    dropped: bool = False

    @property
    def table(self) -> str:
        return unqualified(self.fact["table"])


@dataclass
class IndexCatalog:
    """Live indexes per table (by unqualified name), replayed statement by statement."""

    tables: dict[str, list[LiveIndex]] = field(default_factory=dict)
    #: Tables created in the change so far.
    created: set[str] = field(default_factory=set)
    #: Live indexes by each of their names (index names are unique in a schema).
    _named: dict[str, LiveIndex] = field(default_factory=dict)
    _order: int = 0

    def indexes(self, table: str) -> list[LiveIndex]:
        return self.tables.get(unqualified(table), [])

    def apply(self, file: ChangedFile, changes: StatementChanges) -> list[LiveIndex]:
        """Replay one statement's changes; returns the indexes it created."""
        skipped: set[str] = set()
        for key, if_not_exists in changes.get("created_tables", ()):
            table = unqualified(key)
            if if_not_exists and (table in self.created or table in self.tables):
                skipped.add(table)
            else:
                self._keep(table, lambda index: False)
                self.created.add(table)
        for key in changes.get("dropped_tables", ()):
            self._keep(unqualified(key), lambda index: False)
            self.created.discard(unqualified(key))
        for old, new in changes.get("renamed_tables", ()):
            moved = self.tables.pop(unqualified(old), [])
            if unqualified(old) in self.created:
                self.created.discard(unqualified(old))
                self.created.add(unqualified(new))
            if moved:
                self.tables[unqualified(new)] = moved
        for key, column in changes.get("dropped_columns", ()):
            for index in list(self.indexes(key)):
                if column in index.keys:
                    self._remove(index)
        for key, old, new in changes.get("renamed_columns", ()):
            for index in self.indexes(key):
                index.keys = [new if part == old else part for part in index.keys]
        for name, key in changes.get("dropped_indexes", ()):
            self._drop(name, key)
        for old, new in changes.get("renamed_indexes", ()):
            holder = self._holder(old)
            if holder is not None:
                holder.names = (new, None)
                self._named[new] = holder
        created = []
        for fact in changes.get("indexes", ()):
            table = unqualified(fact["table"])
            holder = self._holder(fact["name"])
            if table in skipped or (holder is not None and fact["if_not_exists"]):
                continue
            if holder is not None:  # the name can only be free again: it replaces the old one
                self._remove(holder)
            self._order += 1
            names = (fact["name"], fact["implicit_name"])
            index = LiveIndex(file, fact, self._order, list(fact["keys"]), names)
            self.tables.setdefault(table, []).append(index)
            self._named.update((name, index) for name in names if name is not None)
            created.append(index)
        return created

    def _holder(self, name: str | None) -> LiveIndex | None:
        """The live index called ``name``."""
        holder = self._named.get(name) if name is not None else None
        if holder is None or holder.dropped or name not in holder.names:
            return None
        return holder

    def _keep(self, table: str, keep: Callable[[LiveIndex], bool]) -> None:
        indexes = self.tables.get(table)
        if not indexes:
            return
        for index in indexes:
            index.dropped = index.dropped or not keep(index)
        indexes[:] = [index for index in indexes if not index.dropped]

    def _drop(self, name: str | None, table: str | None) -> None:
        if name == "primary" and table is not None:  # MySQL's DROP PRIMARY KEY
            self._keep(unqualified(table), lambda index: not index.fact["primary"])
            return
        holder = self._holder(name)
        if holder is not None and (table is None or holder.table == unqualified(table)):
            self._remove(holder)

    def _remove(self, removed: LiveIndex) -> None:
        self._keep(removed.table, lambda index: index is not removed)
