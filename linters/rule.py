"""The shape of a lint rule, and what a rule sees while it checks.

Three scopes, like Ruff's checkers: a statement rule looks at one statement of the kinds it
names; a file rule looks at a whole file (ordering, mixing, transactions); a change rule looks at
the set of files of one change (naming, versions, indexes across files).

A change rule never sees parsed statements. It names the per-file facts it needs: functions of
one parsed file returning plain data, computed once per file wherever the file is parsed (a
worker process) and kept with the file's cached outcome. Its check then reasons over those facts
of every file, so that neither the parent process nor a warm run parses a file again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, cast

from sqlglot import exp

from linters.config import LintConfig, Version
from linters.finding import Severity, Span
from linters.rule_options import RuleOption

if TYPE_CHECKING:
    from linters.dialects import Dialect
    from linters.naming import MigrationName
    from linters.sql.transactions import Transaction
    from linters.statement import Statement

__all__ = [
    "Change",
    "ChangeRule",
    "ChangedFile",
    "Context",
    "FileFacts",
    "FileRule",
    "LintedFile",
    "Rule",
    "StatementRule",
    "TableKeys",
    "Violation",
    "facts_key",
    "plain_span",
    "span_from_plain",
    "table_key",
    "unqualified",
]

T = TypeVar("T")


class Violation(NamedTuple):
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

    def plain(self) -> list[Any]:
        """As plain data for a change rule's facts: message, help, span, suggestion."""
        span = self.span or (self.statement.span if self.statement else None)
        return [self.message, self.help, plain_span(span), self.suggestion]

    @classmethod
    def from_plain(cls, data: list[Any]) -> Violation:
        message, help_, span, suggestion = data
        return cls(message, help_, span=span_from_plain(span), suggestion=suggestion)


def plain_span(span: Span | None) -> list[int] | None:
    """A span as plain data for facts: ``[line, column, end_line, end_column]``."""
    return [span.line, span.column, span.end_line, span.end_column] if span else None


def span_from_plain(data: list[int] | None) -> Span | None:
    return Span(*data) if data else None


def table_key(table: exp.Table | str) -> str:
    """A table's identity for "is this table new?": lower-cased, schema-qualified if given."""
    if isinstance(table, str):
        return table.lower()
    args = table.args
    name = args.get("this")
    if isinstance(name, exp.Identifier) and args.get("db") is None and args.get("catalog") is None:
        # The common case, asked for every statement: no list of parts to build.
        return str(name.this).lower()
    return ".".join([part.name.lower() for part in table.parts])


def unqualified(key: str) -> str:
    return key.rsplit(".", 1)[-1] if "." in key else key


class TableKeys:
    """A growing set of table keys that also answers by unqualified name: ``public.t`` created,
    ``t`` altered (or the reverse) is the same table for a migration's purposes."""

    __slots__ = ("_keys", "_names")

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self._keys: set[str] = set()
        #: How many keys have each unqualified name.
        self._names: dict[str, int] = {}
        self.update(keys)

    def add(self, key: str) -> None:
        if key not in self._keys:
            self._keys.add(key)
            name = unqualified(key)
            self._names[name] = self._names.get(name, 0) + 1

    def update(self, keys: Iterable[str]) -> None:
        for key in keys:
            self.add(key)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"TableKeys({sorted(self._keys)!r})"

    def copy(self) -> TableKeys:
        return TableKeys(self._keys)

    def holds(self, table: exp.Table | str) -> bool:
        """Whether the table is in the set, by key or by unqualified name."""
        if not self._keys:  # most files of a history create nothing before most statements
            return False
        key = table_key(table)
        return key in self._keys or unqualified(key) in self._names


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
    #: The statements that run when the migration is applied: not those of a down file, nor
    #: those after dbmate's ``-- migrate:down``.
    up_statements: list[Statement] = field(default_factory=list)
    #: Tables created earlier in this change (earlier statements, earlier files), by table_key.
    new_tables: TableKeys = field(default_factory=TableKeys)
    #: What ``derived`` computed, by function.
    _derived: dict[Callable[[Context], Any], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def derived(self, compute: Callable[[Context], T]) -> T:
        """``compute(self)``, computed once per file however many rules and statements ask:
        for readings of the whole file that rules share."""
        try:
            return self._derived[compute]  # type: ignore[no-any-return]
        except KeyError:
            value = self._derived[compute] = compute(self)
            return value

    @cached_property
    def transactions(self) -> list[Transaction]:
        """The up statements grouped by the transaction they run in (computed once per file)."""
        from linters.sql.transactions import transactions

        return transactions(
            self.up_statements, wrapped=self.wrapped_in_transaction, dialect=self.dialect
        )

    @cached_property
    def created_here(self) -> TableKeys:
        """Tables and views the file's statements create (``NewTables`` tells earlier files'
        tables from this file's)."""
        from linters.sql.new_tables import created_key

        return TableKeys(
            key for statement in self.statements if (key := created_key(statement)) is not None
        )

    @cached_property
    def _transaction_at(self) -> dict[int, Transaction]:
        return {
            statement.index: transaction
            for transaction in self.transactions
            for statement in transaction.statements
        }

    def transaction_of(self, statement: Statement) -> Transaction | None:
        """The transaction ``statement`` runs in; None for transaction control statements."""
        return self._transaction_at.get(statement.index)

    def in_transaction(self, statement: Statement) -> bool:
        """Whether the statement shares a transaction block (the runner's or a BEGIN's)."""
        transaction = self.transaction_of(statement)
        return transaction is not None and transaction.is_block

    def in_explicit_transaction(self, statement: Statement) -> bool:
        """Whether the statement runs between a BEGIN and its COMMIT written in the file."""
        from linters.sql.transactions import TransactionKind

        transaction = self.transaction_of(statement)
        return transaction is not None and transaction.kind is TransactionKind.EXPLICIT

    @property
    def server_version(self) -> Version | None:
        return self.config.server_version(self.dialect)

    def is_new_table(self, table: exp.Table | str) -> bool:
        """Created earlier in this change: lock rules exempt it (nobody else uses it yet)."""
        return self.new_tables.holds(table)


@dataclass
class LintedFile:
    path: str
    source: str
    statements: list[Statement]
    #: The parsed file name; None when it matches no naming scheme.
    name: MigrationName | None
    context: Context

    @property
    def up_statements(self) -> list[Statement]:
        """The statements that run when the migration is applied (``Context.up_statements``)."""
        return self.context.up_statements


#: What a change rule reads of one file: a function of the parsed file that returns plain data
#: (dicts with string keys, lists, strings, numbers, booleans, None), so that it can cross
#: processes and be cached. Each function runs once per file, however many rules name it.
FileFacts = Callable[[LintedFile], Any]


def facts_key(facts: FileFacts) -> str:
    """A facts function's name, the same in every process and every run."""
    return f"{facts.__module__}:{facts.__qualname__}"


@dataclass(frozen=True, slots=True)
class ChangedFile:
    """One file of a change as change rules see it: its name and the facts they asked for."""

    path: str
    #: The parsed file name; None when it matches no naming scheme.
    name: MigrationName | None
    #: The file's text (naming rules compare digests and look for dbmate sections).
    source: str
    #: Facts by ``facts_key``.
    known_facts: Mapping[str, Any] = field(default_factory=dict)

    def facts(self, extract: Callable[[LintedFile], T]) -> T:
        """What ``extract`` returned for this file (as plain data)."""
        return cast(T, self.known_facts[facts_key(extract)])


@dataclass
class Change:
    """The files of one lint run (a pull request's migrations, or the paths given on the CLI)."""

    files: list[ChangedFile]
    config: LintConfig
    #: Every migration path on the base branch with the sha256 of its content; None when there
    #: is no base to compare with (plain ``schemabot lint``).
    base_files: dict[str, str] | None = None
    #: Paths of other migration files known to exist (in the directory) but not linted.
    other_paths: tuple[str, ...] = ()
    #: Migration paths of the base branch that the change deletes (or renames away).
    deleted_paths: tuple[str, ...] = ()
    dialect: Dialect = "postgres"
    #: Each file is deployed on its own (a migration history): a table created by an earlier
    #: file is an existing, populated table for the files after it.
    separate_files: bool = False

    @property
    def server_version(self) -> Version | None:
        return self.config.server_version(self.dialect)


StatementCheck = Callable[["Statement", Context], Iterable[Violation]]
FileCheck = Callable[[LintedFile], Iterable[Violation]]
ChangeCheck = Callable[[Change], Iterable[tuple[ChangedFile | None, Violation]]]


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
    #: What ``[lint.options.<id>]`` may set; validated when the config is read.
    options: tuple[RuleOption[Any], ...] = field(default=(), kw_only=True)

    @property
    def module(self) -> str:
        """The module that defines the rule's check (and holds its docs)."""
        return str(getattr(self, "check").__module__)  # noqa: B009 - every subclass has check

    @property
    def group(self) -> str:
        return self.module.split(".")[2]

    @property
    def title(self) -> str:
        """The first line of the docs."""
        return self.doc.strip().splitlines()[0].strip()


@dataclass(frozen=True)
class StatementRule(Rule):
    #: The sqlglot expression types this rule is asked about (``exp.Command`` for fallbacks).
    on: tuple[type[exp.Expression], ...] = field(kw_only=True)
    check: StatementCheck = field(kw_only=True)
    #: When set, the rule has nothing to say about a statement none of whose ``words`` is one
    #: of these: the engine skips ``check`` there. Only for words whose absence is certain to
    #: mean no finding (sqlglot builds the node the rule looks for from that keyword).
    needs_words: frozenset[str] | None = field(default=None, kw_only=True)
    #: When set, the rule only reads ALTER TABLE statements (``alter_subcommands``) and only
    #: judges subcommands of these kinds (``AlterSubcommand.kinds``): the engine skips
    #: ``check`` on every other statement.
    alter_actions: frozenset[str] | None = field(default=None, kw_only=True)

    def applies(self, words: frozenset[str], actions: frozenset[str] | None) -> bool:
        """Whether the rule may find something in a statement with these of the words the
        rules need (``needs_words``), and these ALTER TABLE subcommand kinds (None: not an
        ALTER TABLE)."""
        if self.needs_words is not None and self.needs_words.isdisjoint(words):
            return False
        if self.alter_actions is not None:
            return actions is not None and not self.alter_actions.isdisjoint(actions)
        return True


@dataclass(frozen=True)
class FileRule(Rule):
    check: FileCheck = field(kw_only=True)


@dataclass(frozen=True)
class ChangeRule(Rule):
    #: The per-file facts ``check`` reads (``ChangedFile.facts``); none for rules about names.
    facts: tuple[FileFacts, ...] = field(default=(), kw_only=True)
    check: ChangeCheck = field(kw_only=True)


def violations(*items: Violation | None) -> Iterator[Violation]:
    """Yield the non-None items: lets a short check return ``violations(a, b)``."""
    return (item for item in items if item is not None)
