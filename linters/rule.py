"""The shape of a lint rule, and what a rule sees while it checks.

Three scopes, like Ruff's checkers: a statement rule looks at one statement of the kinds it
names; a file rule looks at a whole file (ordering, mixing, transactions); a change rule looks at
the set of files of one change (naming, versions, edits of merged files).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from linters.config import LintConfig, Version
from linters.finding import Severity, Span

if TYPE_CHECKING:
    from sqlglot import exp

    from linters.dialects import Dialect
    from linters.naming import MigrationName
    from linters.statement import Statement

__all__ = [
    "Change",
    "ChangeRule",
    "Context",
    "FileRule",
    "LintedFile",
    "Rule",
    "StatementRule",
    "Violation",
    "table_key",
]


@dataclass(frozen=True, slots=True)
class Violation:
    """What a rule found. The engine turns it into a ``Finding`` with path and severity."""

    #: One line, imperative, the object named in backticks: "Create index `ix` CONCURRENTLY".
    message: str
    #: The safer alternative, one line.
    help: str
    #: Where, when not the statement being checked (file and change rules must say).
    statement: Statement | None = None
    #: A narrower place than the statement.
    span: Span | None = None
    #: Replacement text for the whole statement when the fix is mechanical.
    suggestion: str | None = None


def table_key(table: exp.Table | str) -> str:
    """A table's identity for "is this table new?": lower-cased, schema-qualified if given."""
    if isinstance(table, str):
        return table.lower()
    parts = [part.name.lower() for part in table.parts]
    return ".".join(parts)


@dataclass
class Context:
    """What a rule may know besides the statement itself."""

    path: str
    dialect: Dialect
    config: LintConfig
    #: Every statement of the file, in order.
    statements: list[Statement]
    #: The runner wraps this file in one transaction (PostgreSQL and SQLite, unless the file
    #: carries the no-transaction directive). MySQL/MariaDB are never wrapped.
    wrapped_in_transaction: bool
    #: Tables created earlier in this change (earlier statements, earlier files), by table_key.
    new_tables: set[str] = field(default_factory=set)
    #: Inside an explicit BEGIN ... COMMIT written in the file, before the current statement.
    in_explicit_transaction: bool = False

    @property
    def in_transaction(self) -> bool:
        return self.wrapped_in_transaction or self.in_explicit_transaction

    @property
    def server_version(self) -> Version | None:
        if self.dialect == "postgres":
            return self.config.postgres_version
        if self.dialect in ("mysql", "mariadb"):
            return self.config.mysql_version
        return None

    def is_new_table(self, table: exp.Table | str) -> bool:
        """Created earlier in this change: lock rules exempt it (nobody else uses it yet)."""
        key = table_key(table)
        if key in self.new_tables:
            return True
        # ``public.t`` created, ``t`` altered (or the reverse): same table for our purpose.
        short = key.rsplit(".", 1)[-1]
        return any(name.rsplit(".", 1)[-1] == short for name in self.new_tables)

    def option(self, rule: str, name: str, default: object) -> object:
        return self.config.option(rule, name, default)


@dataclass
class LintedFile:
    path: str
    source: str
    statements: list[Statement]
    #: The parsed file name; None when it matches no naming scheme.
    name: MigrationName | None
    context: Context


@dataclass
class Change:
    """The files of one lint run (a pull request's migrations, or the paths given on the CLI)."""

    files: list[LintedFile]
    config: LintConfig
    #: Every migration path on the base branch with the sha256 of its content; None when there
    #: is no base to compare with (plain ``schemabot lint``).
    base_files: dict[str, str] | None = None
    #: Paths of other migration files known to exist (in the directory) but not linted.
    other_paths: tuple[str, ...] = ()
    #: Migration paths of the base branch that the change deletes (or renames away).
    deleted_paths: tuple[str, ...] = ()


StatementCheck = Callable[["Statement", Context], Iterable[Violation]]
FileCheck = Callable[[LintedFile], Iterable[Violation]]
ChangeCheck = Callable[[Change], Iterable[tuple[LintedFile | None, Violation]]]


@dataclass(frozen=True)
class Rule:
    #: Stable kebab-case id; never reused for another meaning.
    id: str
    #: Default severity; None: off by default (a policy rule to select).
    severity: Severity | None
    dialects: frozenset[Dialect]
    #: The module docstring: the rule's docs page.
    doc: str
    #: Version of schemabot that introduced it.
    since: str = field(default="0.1.0", kw_only=True)

    @property
    def group(self) -> str:
        module = getattr(self, "check").__module__  # noqa: B009 - every subclass has check
        return str(module).split(".")[2]

    @property
    def title(self) -> str:
        """The first line of the docs."""
        return self.doc.strip().splitlines()[0].strip()


@dataclass(frozen=True)
class StatementRule(Rule):
    #: The sqlglot expression types this rule is asked about (``exp.Command`` for fallbacks).
    on: tuple[type[exp.Expression], ...] = field(kw_only=True)
    check: StatementCheck = field(kw_only=True)


@dataclass(frozen=True)
class FileRule(Rule):
    check: FileCheck = field(kw_only=True)


@dataclass(frozen=True)
class ChangeRule(Rule):
    check: ChangeCheck = field(kw_only=True)


def violations(*items: Violation | None) -> Iterator[Violation]:
    """Yield the non-None items: lets a short check return ``violations(a, b)``."""
    return (item for item in items if item is not None)
