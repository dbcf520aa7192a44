"""What the statements of a change teach about each MySQL / MariaDB table, replayed in order.

A lint run sees the files of one change, not the live schema. Replaying them gives facts some
rules need from earlier statements: a column's type, ENUM members, nullability or character set
before a MODIFY, and which foreign keys and triggers involve a table. A table created in the
change is known completely; for an existing table only what the change itself did is known: a
column it never defined is absent (unknown), and rules stay quiet on what they cannot see.

Unlike ``schema_facts`` (one file, for statement rules), this replays every file of the change,
in order, for change rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlglot import exp

from linters.rule import table_key
from linters.sql.migration_sections import up_statements
from linters.sql.mysql_alter import AlterTable, alter_table, table_from_tokens
from linters.sql.mysql_column import charset_of, collation_of, is_nullable, references_of
from linters.sql.mysql_version import at_least

if TYPE_CHECKING:
    from linters.rule import Change, LintedFile
    from linters.statement import Statement

__all__ = ["Catalog", "ColumnFacts", "TableFacts", "replay"]


@dataclass(frozen=True)
class ColumnFacts:
    name: str
    definition: exp.ColumnDef

    @property
    def data_type(self) -> exp.DataType | None:
        kind = self.definition.args.get("kind")
        return kind if isinstance(kind, exp.DataType) else None

    @property
    def nullable(self) -> bool:
        return is_nullable(self.definition)

    @property
    def charset(self) -> str | None:
        """Stated (or implied by a stated collation); None when the table default applies."""
        collation = collation_of(self.definition)
        implied = collation.split("_", 1)[0] if collation else None
        return charset_of(self.definition) or implied


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


class Catalog:
    """Tables by ``table_key``; ``apply`` one statement at a time, in file order."""

    def __init__(self, *, inline_references_create_keys: bool = False) -> None:
        self.tables: dict[str, TableFacts] = {}
        self._trigger_tables: dict[str, str] = {}
        #: MySQL 9.0+ and MariaDB 10.5+ make ``col REFERENCES t (id)`` a foreign key; older
        #: servers parse and ignore it.
        self._inline_references = inline_references_create_keys

    def table(self, table: exp.Table | str) -> TableFacts | None:
        key = table_key(table)
        if key in self.tables:
            return self.tables[key]
        short = key.rsplit(".", 1)[-1]
        matches = [facts for name, facts in self.tables.items() if name.rsplit(".", 1)[-1] == short]
        return matches[0] if len(matches) == 1 else None

    def _existing(self, table: exp.Table) -> TableFacts:
        found = self.table(table)
        if found is None:
            found = TableFacts(".".join(p.name for p in table.parts), created_in_change=False)
            self.tables[table_key(table)] = found
        return found

    def apply(self, statement: Statement) -> None:
        expression = statement.expression
        if isinstance(expression, exp.Create) and str(expression.args.get("kind")) == "TABLE":
            self._create_table(expression)
        elif isinstance(expression, exp.Drop) and str(expression.args.get("kind")) == "TABLE":
            for table in expression.args.get("tables") or []:
                self.tables.pop(table_key(table), None)
        elif isinstance(expression, exp.Drop) and str(expression.args.get("kind")) == "TRIGGER":
            for trigger in expression.args.get("tables") or []:
                owner = self.tables.get(self._trigger_tables.pop(trigger.name.lower(), ""))
                if owner is not None:
                    owner.triggers.discard(trigger.name.lower())
        elif statement.words[:2] == ("RENAME", "TABLE"):
            self._rename_tables(statement)
        elif statement.words[:1] == ("CREATE",) and "TRIGGER" in statement.words:
            self._create_trigger(statement)
        else:
            alter = alter_table(statement)
            if alter is not None:
                self._alter(alter)

    def _create_table(self, create: exp.Create) -> None:
        target = create.this
        schema = target if isinstance(target, exp.Schema) else None
        table = schema.this if schema is not None else target
        if not isinstance(table, exp.Table):
            return
        name = ".".join(p.name for p in table.parts)
        facts = TableFacts(name, created_in_change=True)
        like = create.find(exp.LikeProperty)
        source = self.table(like.this) if like is not None and like.this is not None else None
        if source is not None:
            facts = source.copy_as(name)
        self.tables[table_key(table)] = facts
        for element in schema.expressions if schema is not None else []:
            if isinstance(element, exp.ColumnDef):
                self._add_column(facts, element)
            else:
                self._add_element(facts, element, None)

    def _add_column(self, facts: TableFacts, definition: exp.ColumnDef) -> None:
        facts.columns[definition.name.lower()] = ColumnFacts(definition.name, definition)
        reference = references_of(definition)
        if reference is not None and self._inline_references:
            self._add_foreign_key(facts, "", reference)

    def _add_element(self, facts: TableFacts, element: exp.Expression, name: str | None) -> None:
        if isinstance(element, exp.Constraint):
            for inner in element.expressions:
                self._add_element(facts, inner, element.name or None)
        elif isinstance(element, exp.ForeignKey):
            reference = element.args.get("reference")
            self._add_foreign_key(facts, name or "", reference)

    def _add_foreign_key(self, facts: TableFacts, name: str, reference: object) -> None:
        facts.foreign_keys.append(name.lower())
        parent = reference.find(exp.Table) if isinstance(reference, exp.Expression) else None
        if parent is not None:
            self._existing(parent).referenced_by.add(facts.name.lower())

    def _alter(self, alter: AlterTable) -> None:
        facts = self._existing(alter.table)
        for column in alter.added_columns():
            self._add_column(facts, column)
        for changed in alter.changed_columns():
            facts.columns.pop(changed.old_name.lower(), None)
            self._add_column(facts, changed.definition)
        for action in alter.actions:
            if isinstance(action, exp.RenameColumn) and action.args.get("to") is not None:
                old = facts.columns.pop(action.this.name.lower(), None)
                new_name = action.args["to"].name
                if old is not None:
                    renamed = old.definition.copy()
                    renamed.set("this", exp.to_identifier(new_name))
                    facts.columns[new_name.lower()] = ColumnFacts(new_name, renamed)
            elif isinstance(action, exp.AlterRename) and isinstance(action.this, exp.Table):
                self._move(facts, action.this)
        for name in alter.dropped("COLUMN"):
            facts.columns.pop(name.lower(), None)
        for name in alter.dropped("FOREIGN KEY"):
            if name.lower() in facts.foreign_keys:
                facts.foreign_keys.remove(name.lower())
        for constraint_name, element in alter.added_constraints():
            self._add_element(facts, element, constraint_name)

    def _move(self, facts: TableFacts, target: exp.Table) -> None:
        for key, value in list(self.tables.items()):
            if value is facts:
                del self.tables[key]
                for trigger in facts.triggers:
                    self._trigger_tables[trigger] = table_key(target)
        facts.name = ".".join(p.name for p in target.parts)
        self.tables[table_key(target)] = facts

    def _rename_tables(self, statement: Statement) -> None:
        tokens, index = statement.tokens, 2
        while index < len(tokens):
            old = table_from_tokens(tokens, index)
            if old is None or old[1] >= len(tokens) or tokens[old[1]].text.upper() != "TO":
                return
            new = table_from_tokens(tokens, old[1] + 1)
            if new is None:
                return
            facts = self.table(old[0])
            if facts is not None:
                self._move(facts, new[0])
            index = new[1] + 1

    def _create_trigger(self, statement: Statement) -> None:
        words, tokens = statement.words, statement.tokens
        at = words.index("TRIGGER") + 1
        if words[at : at + 3] == ("IF", "NOT", "EXISTS"):
            at += 3
        on = words.index("ON", at) if "ON" in words[at:] else -1
        located = table_from_tokens(tokens, on + 1) if on > 0 else None
        if located is None or at >= len(tokens):
            return
        facts = self._existing(located[0])
        trigger = tokens[at].text.lower()
        facts.triggers.add(trigger)
        self._trigger_tables[trigger] = table_key(located[0])


def replay(change: Change) -> Iterator[tuple[LintedFile, Statement, Catalog]]:
    """Each statement of the change (up parts only) with the catalog as it was just before it."""
    first = change.files[0].context if change.files else None
    creates_keys = first is not None and at_least(first, mysql=(9, 0), mariadb=(10, 5))
    catalog = Catalog(inline_references_create_keys=creates_keys)
    for file in change.files:
        for statement in up_statements(file):
            yield file, statement, catalog
            catalog.apply(statement)
