"""What the statements of a change teach about each MySQL / MariaDB table, replayed in order.

A lint run sees the files of one change, not the live schema. Replaying them gives facts some
rules need from earlier statements: a column's type, ENUM members, nullability or character set
before a MODIFY, and which foreign keys and triggers involve a table. A table created in the
change is known completely; for an existing table only what the change itself did is known: a
column it never defined is absent (unknown), and rules stay quiet on what they cannot see.

The rules that ask are change rules, so nothing here holds a parsed tree: ``table_changes``
reads one parsed file into plain data (once per file, where it is parsed), and ``replay`` walks
every file of the change in order with a ``Catalog`` built from those facts, next to what each
rule observed of the same statements (its own facts function, keyed by statement index).

Unlike ``schema_facts`` (one file, for statement rules), this spans every file of the change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from sqlglot import exp

from linters.rule import table_key, unqualified
from linters.sql.mysql_alter import alter_table
from linters.sql.mysql_column import charset_of, collation_of, is_nullable, references_of
from linters.sql.mysql_version import at_least
from linters.sql.object_names import qualified_name, qualified_name_tokens
from linters.sql.renames import table_renames

if TYPE_CHECKING:
    from linters.rule import Change, ChangedFile, LintedFile
    from linters.statement import Statement

__all__ = ["Catalog", "ColumnFacts", "TableFacts", "column_facts", "replay", "table_changes"]

T = TypeVar("T")


def column_facts(definition: exp.ColumnDef) -> dict[str, Any]:
    """What the catalog keeps of a column definition, as plain data."""
    kind = definition.args.get("kind")
    data_type = kind if isinstance(kind, exp.DataType) else None
    collation = collation_of(definition)
    members = None
    if data_type is not None and data_type.this in (exp.DType.ENUM, exp.DType.SET):
        members = [member.name for member in data_type.expressions]
    return {
        "name": definition.name,
        "type": data_type.this.value if data_type is not None else None,
        "members": members,
        "nullable": is_nullable(definition),
        # Stated, or implied by a stated collation; None when the table default applies.
        "charset": charset_of(definition) or (collation.split("_", 1)[0] if collation else None),
    }


@dataclass(frozen=True)
class ColumnFacts:
    name: str
    #: The type's name as sqlglot spells it (``TEXT``, ``ENUM``...); None when unknown.
    type: str | None
    #: The members of an ENUM or SET.
    members: tuple[str, ...] | None
    nullable: bool
    charset: str | None

    @classmethod
    def of(cls, facts: dict[str, Any]) -> ColumnFacts:
        members = facts["members"]
        return cls(
            facts["name"],
            facts["type"],
            tuple(members) if members is not None else None,
            facts["nullable"],
            facts["charset"],
        )


@dataclass
class TableFacts:
    name: str
    #: Created earlier in the change: nobody uses it yet.
    created_in_change: bool
    #: Columns the change defined (all of them for a table it created), by lower-case name.
    columns: dict[str, ColumnFacts] = field(default_factory=dict)
    #: Foreign keys declared on this table in the change (lower-case name, "" when unnamed).
    foreign_keys: list[str] = field(default_factory=list)
    #: Tables of the change whose foreign keys reference this one.
    referenced_by: set[str] = field(default_factory=set)
    triggers: set[str] = field(default_factory=set)

    def column(self, name: str) -> ColumnFacts | None:
        return self.columns.get(name.lower())

    def copy_as(self, name: str) -> TableFacts:
        """A new, empty table with this one's definition (``CREATE TABLE new LIKE old``)."""
        return TableFacts(
            name,
            created_in_change=True,
            columns=dict(self.columns),
            foreign_keys=list(self.foreign_keys),
        )


# -- reading a file: plain facts per statement -------------------------------------------------


def table_changes(file: LintedFile) -> list[list[Any]]:
    """``[statement index, change]`` for each up statement that changes what the catalog
    knows; ``change`` holds one of the keys ``create``, ``drop_tables``, ``drop_triggers``,
    ``rename_tables``, ``create_trigger``, ``alter``."""
    found: list[list[Any]] = []
    for statement in file.up_statements:
        change = _statement_change(statement)
        if change:
            found.append([statement.index, change])
    return found


def _statement_change(statement: Statement) -> dict[str, Any]:
    expression = statement.expression
    kind = str(expression.args.get("kind") or "") if expression is not None else ""
    if isinstance(expression, exp.Create) and kind == "TABLE":
        return _create_table(expression)
    if isinstance(expression, exp.Drop) and kind == "TABLE":
        return {"drop_tables": [table_key(t) for t in expression.args.get("tables") or []]}
    if isinstance(expression, exp.Drop) and kind == "TRIGGER":
        return {"drop_triggers": [t.name.lower() for t in expression.args.get("tables") or []]}
    if statement.words[:2] == ("RENAME", "TABLE"):
        renamed = [
            [table_key(r.old), table_key(r.new), qualified_name(r.new)]
            for r in table_renames(statement)
        ]
        return {"rename_tables": renamed}
    if statement.words[:1] == ("CREATE",) and "TRIGGER" in statement.words:
        trigger = _created_trigger(statement)
        return {"create_trigger": trigger} if trigger else {}
    return _alter(statement)


def _foreign_keys(items: Iterable[tuple[str | None, exp.Expression]]) -> list[list[str]]:
    """``[constraint name, referenced table key]`` of the (name, item) pairs that are
    FOREIGN KEYs."""
    found = []
    for name, item in items:
        if isinstance(item, exp.ForeignKey):
            reference = item.args.get("reference")
            parent = reference.find(exp.Table) if isinstance(reference, exp.Expression) else None
            found.append([(name or "").lower(), table_key(parent) if parent else ""])
    return found


def _named_elements(elements: list[exp.Expression]) -> Iterator[tuple[str | None, exp.Expression]]:
    """CREATE TABLE elements with the constraint name each stands under."""
    for element in elements:
        if isinstance(element, exp.Constraint):
            yield from ((element.name or None, inner) for inner in element.expressions)
        elif not isinstance(element, exp.ColumnDef):
            yield None, element


def _inline_references(columns: list[exp.ColumnDef]) -> list[str]:
    """Tables referenced by ``col ... REFERENCES t`` (foreign keys only on newer servers)."""
    found = []
    for column in columns:
        reference = references_of(column)
        parent = reference.find(exp.Table) if reference is not None else None
        if parent is not None:
            found.append(table_key(parent))
    return found


def _create_table(create: exp.Create) -> dict[str, Any]:
    target = create.this
    schema = target if isinstance(target, exp.Schema) else None
    table = schema.this if schema is not None else target
    if not isinstance(table, exp.Table):
        return {}
    elements = list(schema.expressions) if schema is not None else []
    columns = [element for element in elements if isinstance(element, exp.ColumnDef)]
    like = create.find(exp.LikeProperty)
    return {
        "create": {
            "table": table_key(table),
            "name": qualified_name(table),
            "like": table_key(like.this) if like is not None and like.this is not None else None,
            "columns": [column_facts(column) for column in columns],
            "foreign_keys": _foreign_keys(_named_elements(elements)),
            "inline_references": _inline_references(columns),
        }
    }


def _created_trigger(statement: Statement) -> list[str] | None:
    words, tokens = statement.words, statement.tokens
    at = words.index("TRIGGER") + 1
    if words[at : at + 3] == ("IF", "NOT", "EXISTS"):
        at += 3
    on = words.index("ON", at) if "ON" in words[at:] else -1
    table = qualified_name_tokens(tokens, on + 1)[0] if on > 0 else None
    if table is None or at >= len(tokens):
        return None
    return [tokens[at].text.lower(), table_key(table), qualified_name(table)]


def _alter(statement: Statement) -> dict[str, Any]:
    alter = alter_table(statement)
    if alter is None:
        return {}
    renamed_columns, rename_to = [], None
    for action in alter.actions:
        if isinstance(action, exp.RenameColumn) and action.args.get("to") is not None:
            renamed_columns.append([action.this.name, action.args["to"].name])
        elif isinstance(action, exp.AlterRename) and isinstance(action.this, exp.Table):
            rename_to = [table_key(action.this), qualified_name(action.this)]
    added = alter.added_columns()
    return {
        "alter": {
            "table": table_key(alter.table),
            "name": alter.table_name,
            "added": [column_facts(column) for column in added],
            "changed": [[c.old_name, column_facts(c.definition)] for c in alter.changed_columns()],
            "renamed_columns": renamed_columns,
            "rename_to": rename_to,
            "dropped_columns": [name.lower() for name in alter.dropped("COLUMN")],
            "dropped_foreign_keys": [name.lower() for name in alter.dropped("FOREIGN KEY")],
            "foreign_keys": _foreign_keys(alter.added_constraints()),
            "inline_references": _inline_references(added),
        }
    }


# -- the change: replaying the facts -----------------------------------------------------------


class Catalog:
    """Tables by ``table_key``; ``apply`` one statement's facts at a time, in change order."""

    def __init__(self, *, inline_references_create_keys: bool = False) -> None:
        self.tables: dict[str, TableFacts] = {}
        self._trigger_tables: dict[str, str] = {}
        #: MySQL 9.0+ and MariaDB 10.5+ make ``col REFERENCES t (id)`` a foreign key; older
        #: servers parse and ignore it.
        self._inline_references = inline_references_create_keys

    def table(self, key: str) -> TableFacts | None:
        if key in self.tables:
            return self.tables[key]
        short = unqualified(key)
        matches = [facts for name, facts in self.tables.items() if unqualified(name) == short]
        return matches[0] if len(matches) == 1 else None

    def _existing(self, key: str) -> TableFacts:
        found = self.table(key)
        if found is None:
            found = TableFacts(key, created_in_change=False)
            self.tables[key] = found
        return found

    def forget_new_tables(self) -> None:
        """A new file that is deployed on its own: earlier files' tables exist by then."""
        for facts in self.tables.values():
            facts.created_in_change = False

    def apply(self, change: dict[str, Any]) -> None:
        if "create" in change:
            self._create(change["create"])
        for key in change.get("drop_tables", ()):
            self.tables.pop(key, None)
        for trigger in change.get("drop_triggers", ()):
            owner = self.tables.get(self._trigger_tables.pop(trigger, ""))
            if owner is not None:
                owner.triggers.discard(trigger)
        for old, new, written in change.get("rename_tables", ()):
            facts = self.table(old)
            if facts is not None:
                self._move(facts, new, written)
        if "create_trigger" in change:
            trigger, key, _ = change["create_trigger"]
            self._existing(key).triggers.add(trigger)
            self._trigger_tables[trigger] = key
        if "alter" in change:
            self._alter(change["alter"])

    def _create(self, create: dict[str, Any]) -> None:
        facts = TableFacts(create["name"], created_in_change=True)
        source = self.table(create["like"]) if create["like"] is not None else None
        if source is not None:
            facts = source.copy_as(create["name"])
        self.tables[create["table"]] = facts
        self._add(facts, create)

    def _add(self, facts: TableFacts, definition: dict[str, Any]) -> None:
        for column in definition.get("columns", definition.get("added", ())):
            facts.columns[column["name"].lower()] = ColumnFacts.of(column)
        references = [["", parent] for parent in definition["inline_references"]]
        for name, parent in definition["foreign_keys"] + (
            references if self._inline_references else []
        ):
            facts.foreign_keys.append(name)
            if parent:
                self._existing(parent).referenced_by.add(facts.name.lower())

    def _alter(self, alter: dict[str, Any]) -> None:
        facts = self._existing(alter["table"])
        for old_name, column in alter["changed"]:
            facts.columns.pop(old_name.lower(), None)
            facts.columns[column["name"].lower()] = ColumnFacts.of(column)
        for old_name, new_name in alter["renamed_columns"]:
            old = facts.columns.pop(old_name.lower(), None)
            if old is not None:
                facts.columns[new_name.lower()] = ColumnFacts(
                    new_name, old.type, old.members, old.nullable, old.charset
                )
        if alter["rename_to"] is not None:
            self._move(facts, *alter["rename_to"])
        for name in alter["dropped_columns"]:
            facts.columns.pop(name, None)
        for name in alter["dropped_foreign_keys"]:
            if name in facts.foreign_keys:
                facts.foreign_keys.remove(name)
        self._add(facts, alter)

    def _move(self, facts: TableFacts, key: str, written: str) -> None:
        for old_key, value in list(self.tables.items()):
            if value is facts:
                del self.tables[old_key]
                for trigger in facts.triggers:
                    self._trigger_tables[trigger] = key
        facts.name = written
        self.tables[key] = facts


def replay(
    change: Change, observed: Callable[[LintedFile], list[list[Any]]]
) -> Iterator[tuple[ChangedFile, Any, Catalog]]:
    """What a rule observed of each statement (``observed``: a facts function returning
    ``[statement index, observation]`` in order), with the catalog as it was just before that
    statement. With ``separate_files``, tables of earlier files are not new."""
    catalog = Catalog(inline_references_create_keys=at_least(change, mysql=(9, 0), mariadb=(10, 5)))
    for file in change.files:
        if change.separate_files:
            catalog.forget_new_tables()
        changes = iter(file.facts(table_changes))
        pending = next(changes, None)
        for index, observation in file.facts(observed):
            while pending is not None and pending[0] < index:
                catalog.apply(pending[1])
                pending = next(changes, None)
            yield file, observation, catalog
        while pending is not None:
            catalog.apply(pending[1])
            pending = next(changes, None)
