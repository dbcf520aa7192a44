"""Run the enabled rules over the files of one change and return findings in file order.

``Linter.read`` splits and parses a file; ``Linter.check`` runs the statement and file rules
over it and returns a ``FileOutcome``: findings before suppression, the tables the file creates,
its suppression comments and the plain-data facts the change rules asked for. That is the unit
the CLI caches and forked workers send back. ``lint`` plans a whole change
(``linters.schedule``), runs the change rules over every file's facts, then applies
suppressions over all findings at once, since change rules report into files too.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlglot import exp

from linters.config import ConfigError, LintConfig, rule_severity
from linters.dialects import Dialect
from linters.dispatch import StatementDispatch
from linters.finding import Finding, Severity, Span
from linters.naming import (
    MigrationName,
    MigrationNameError,
    has_dbmate_sections,
    parse_name,
    split_dbmate,
)
from linters.parse import Comment, parse_file
from linters.registry import RULES, Registry
from linters.rule import (
    Change,
    ChangeRule,
    Context,
    FileFacts,
    FileRule,
    LintedFile,
    Rule,
    StatementRule,
    TableKeys,
    Violation,
    facts_key,
)
from linters.rule_options import option_problems
from linters.rules.common import unused_suppression
from linters.sql.new_tables import created_key
from linters.suppression import Suppression, apply, find_suppressions

if TYPE_CHECKING:
    from linters.schedule import OutcomeStore
    from linters.statement import Statement

__all__ = ["FileOutcome", "Linter", "ReadFile", "Source", "enabled_rules", "lint"]

#: Where findings that belong to no particular place point.
FILE_START = Span(1, 1, 1, 1)
#: The statement kinds most migrations are made of (see ``Linter.warm_up``).
WARM_UP_SQL = """
CREATE TABLE t (id bigint PRIMARY KEY, a text NOT NULL DEFAULT 'x' REFERENCES u (id));
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a) WHERE a IS NOT NULL;
ALTER TABLE t ADD COLUMN b integer, ADD CONSTRAINT c CHECK (b > 0) NOT VALID;
ALTER TABLE t ALTER COLUMN a SET NOT NULL;
INSERT INTO t (id, a) VALUES (1, 'x');
UPDATE t SET a = 'y' WHERE id = 1;
DELETE FROM t WHERE id = 1;
CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql;
DROP INDEX i;
DROP TABLE t;
"""


class Source(NamedTuple):
    path: str
    #: The file's content; bytes are decoded as UTF-8 (a BOM is dropped) by the engine.
    text: str | bytes


@dataclass(slots=True)
class FileOutcome:
    """What the statement and file rules found in one file, before suppressions."""

    findings: list[Finding]
    #: Tables (``table_key``) the file's up statements create, in order.
    creates: tuple[str, ...]
    suppressions: list[Suppression] = field(default_factory=list)
    #: What the change rules' facts functions returned for the file, by ``facts_key``; plain
    #: data. A function that failed on the file is missing.
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ReadFile:
    """A file split and parsed, not yet checked."""

    file: LintedFile
    comments: list[Comment]
    #: Tables its up statements create (``table_key``), in order.
    creates: tuple[str, ...]
    #: Why it could not be read (not UTF-8, the splitter failed): then it has no statements.
    problems: list[Finding]


def enabled_rules(
    config: LintConfig, dialect: Dialect, rules: Mapping[str, Rule] = RULES
) -> dict[str, tuple[Rule, Severity]]:
    """Rules that run for this config and dialect, each with its effective severity."""
    enabled: dict[str, tuple[Rule, Severity]] = {}
    candidates = rules.for_run(config, dialect) if isinstance(rules, Registry) else rules.values()
    for rule in candidates:
        if dialect in rule.dialects:
            severity = rule_severity(config, rule.id, rule.group, rule.severity)
            if severity is not None:
                enabled[rule.id] = (rule, severity)
    return enabled


def decode(source: Source) -> tuple[str, int | None]:
    """The text of a source, and the offset of the first byte that is not UTF-8, if any."""
    if isinstance(source.text, str):
        return source.text.removeprefix("\ufeff"), None
    try:
        return source.text.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        return source.text.decode("utf-8", errors="replace"), error.start


def _byte_span(data: bytes, offset: int) -> Span:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return Span(line, column, line, column)


class Linter:
    """The enabled rules of one config and dialect, ready to check files."""

    def __init__(
        self, config: LintConfig, dialect: Dialect, rules: Mapping[str, Rule] = RULES
    ) -> None:
        self.config = config
        self.dialect = dialect
        self.known = rules
        self.enabled = enabled_rules(config, dialect, rules)
        running = [rule for rule, _ in self.enabled.values()]
        self.statement_rules = [rule for rule in running if isinstance(rule, StatementRule)]
        self.file_rules = [rule for rule in running if isinstance(rule, FileRule)]
        self.change_rules = [rule for rule in running if isinstance(rule, ChangeRule)]
        #: Every facts function the change rules name, each computed once per file.
        self.facts: dict[str, FileFacts] = {
            facts_key(facts): facts for rule in self.change_rules for facts in rule.facts
        }
        self._dispatch = StatementDispatch(self.statement_rules)
        # ``config_from_table`` checks options when it reads them; a config built in code is
        # checked here, with the same declarations, before any file rather than mid-run.
        problems = [
            problem
            for rule_id, table in config.options.items()
            if rule_id in rules
            for problem in option_problems(
                rule_id, rules[rule_id].options, table, f"lint.options.{rule_id}"
            )
        ]
        if problems:
            raise ConfigError(problems)

    def rules_for(self, kind: type[exp.Expression]) -> list[StatementRule]:
        """Statement rules asking about ``kind`` or one of its base classes, in registry order."""
        return self._dispatch.for_type(kind)

    def _finding(self, path: str, rule: Rule, violation: Violation) -> Finding:
        span = violation.span or (violation.statement.span if violation.statement else FILE_START)
        return Finding(
            path=path,
            span=span,
            rule=rule.id,
            severity=self.enabled[rule.id][1],
            message=violation.message,
            help=violation.help,
            suggestion=violation.suggestion,
        )

    def _internal_error(self, path: str, rule: Rule, error: Exception, span: Span) -> Finding:
        return Finding(
            path=path,
            span=span,
            rule=rule.id,
            severity=self.enabled[rule.id][1],
            message=f"Internal error in rule `{rule.id}`: {type(error).__name__}: {error}",
            help=f"Report this schemabot bug; meanwhile `-- schemabot:ignore {rule.id} -- why`",
        )

    def _parse_error(self, path: str, message: str, span: Span = FILE_START) -> list[Finding]:
        if "parse-error" not in self.enabled:
            return []
        return [
            Finding(
                path=path,
                span=span,
                rule="parse-error",
                severity=self.enabled["parse-error"][1],
                message=message,
                help="Fix the file so that it can be read; no rule could check it",
            )
        ]

    def warm_up(self) -> None:
        """Run the parser and the rules once over common statements before forking, so that
        workers share what they initialise lazily instead of each paying for it."""
        self.check(self.read(Source("warm-up.sql", WARM_UP_SQL)), TableKeys())

    def name_of(self, path: str) -> MigrationName | None:
        return parse_name(os.path.basename(path), self.config.naming)

    def _down_from(self, text: str, name: MigrationName | None) -> int | None:
        """Offset where the down part starts: statement rules check only the up part."""
        if name is not None and name.direction == "down":
            return 0
        if self.config.naming == "dbmate" or has_dbmate_sections(text):
            try:
                down = split_dbmate(text).down
            except MigrationNameError:
                return None
            return down.offset if down is not None else None
        return None

    def read(self, source: Source) -> ReadFile:
        """Decode, split and parse a file without checking it: the expensive half of linting,
        which needs nothing from other files."""
        text, bad_byte = decode(source)
        name = self.name_of(source.path)
        statements: list[Statement] = []
        comments: list[Comment] = []
        problems: list[Finding] = []
        wrapped = self.dialect in ("postgres", "sqlite")
        if bad_byte is not None and isinstance(source.text, bytes):
            message = f"Save the file as UTF-8: file is not valid UTF-8 at byte {bad_byte}"
            problems = self._parse_error(source.path, message, _byte_span(source.text, bad_byte))
        else:
            try:
                parsed = parse_file(text, self.dialect)
                statements, comments = parsed.statements, parsed.comments
                wrapped = wrapped and not parsed.no_transaction
            except Exception as error:  # a splitter bug must not hide the file
                problems = self._parse_error(source.path, f"Could not split the file: {error!r}")
        down_from = self._down_from(text, name)
        up = [s for s in statements if down_from is None or s.start < down_from]
        context = Context(source.path, self.dialect, self.config, statements, wrapped, up)
        file = LintedFile(source.path, text, statements, name, context)
        creates = tuple(key for statement in up if (key := created_key(statement)) is not None)
        return ReadFile(file, comments, creates, problems)

    def check(self, read: ReadFile, new_tables: TableKeys) -> FileOutcome:
        """Run the statement and file rules and gather the change rules' facts.
        ``new_tables`` (tables created earlier in the change) grows by the tables this file
        creates."""
        file = read.file
        file.context.new_tables = new_tables
        if read.problems:
            return FileOutcome(read.problems, ())
        findings = self._check_statements(file)
        for rule in self.file_rules:
            try:
                found = [self._finding(file.path, rule, v) for v in rule.check(file)]
            except Exception as error:
                found = [self._internal_error(file.path, rule, error, FILE_START)]
            findings.extend(found)
        facts = self._facts(file, findings)
        suppressions = find_suppressions(read.comments, file.statements, self.known)
        return FileOutcome(findings, read.creates, suppressions, facts)

    def _facts(self, file: LintedFile, findings: list[Finding]) -> dict[str, Any]:
        facts = {}
        for key, extract in self.facts.items():
            try:
                facts[key] = extract(file)
            except Exception as error:
                findings.extend(
                    self._internal_error(file.path, rule, error, FILE_START)
                    for rule in self.change_rules
                    if extract in rule.facts
                )
        return facts

    def _check_statements(self, file: LintedFile) -> list[Finding]:
        # The innermost loop of a run (rules x statements): plain appends, no list per pair.
        context, path = file.context, file.path
        findings: list[Finding] = []
        for statement in file.up_statements:
            expression = statement.expression
            if expression is not None:
                for rule in self._dispatch.for_statement(statement, expression):
                    before = len(findings)
                    try:
                        for violation in rule.check(statement, context):
                            findings.append(self._finding(path, rule, _at(violation, statement)))
                    except Exception as error:
                        # What the rule yielded before it failed is replaced by the failure.
                        del findings[before:]
                        findings.append(self._internal_error(path, rule, error, statement.span))
            _observe(statement, context)
        return findings

    def check_change(self, change: Change) -> list[Finding]:
        findings = []
        for rule in self.change_rules:
            wanted = [facts_key(facts) for facts in rule.facts]
            # A file whose facts could not be computed already carries an internal error.
            files = [f for f in change.files if all(key in f.known_facts for key in wanted)]
            seen = replace(change, files=files)
            try:
                found = [
                    self._finding(file.path if file else "", rule, violation)
                    for file, violation in rule.check(seen)
                ]
            except Exception as error:
                found = [self._internal_error("", rule, error, FILE_START)]
            findings.extend(found)
        return findings

    def finish(
        self, findings: Iterable[Finding], suppressions: dict[str, list[Suppression]]
    ) -> list[Finding]:
        """Apply suppressions, report the unused ones, sort by path, line, column."""
        kept, unused = apply(
            findings,
            suppressions,
            require_reason=self.config.require_suppression_reason,
            enabled=self.enabled,
        )
        if unused_suppression.RULE.id in self.enabled:
            rule = self.enabled[unused_suppression.RULE.id][0]
            for problem in unused:
                kept.extend(
                    self._finding(problem.path, rule, violation)
                    for violation in unused_suppression.report(problem)
                )
        kept.sort(key=lambda f: (f.path, f.span.line, f.span.column, f.rule, f.message))
        return kept


def _at(violation: Violation, statement: Statement) -> Violation:
    if violation.statement is not None:
        return violation
    return Violation(
        violation.message, violation.help, statement, violation.span, violation.suggestion
    )


def _observe(statement: Statement, context: Context) -> None:
    """What later statements know: the table this one creates is new for them. (Transaction
    state needs no tracking here: ``Context.transactions`` reads the whole file at once.)"""
    created = created_key(statement)
    if created is not None:
        context.new_tables.add(created)


def lint(
    sources: Sequence[Source],
    *,
    dialect: Dialect,
    config: LintConfig | None = None,
    base_files: dict[str, str] | None = None,
    other_paths: tuple[str, ...] = (),
    jobs: int = 1,
    store: OutcomeStore | None = None,
    rules: Mapping[str, Rule] = RULES,
    separate_files: bool = False,
    deleted_paths: tuple[str, ...] = (),
) -> list[Finding]:
    """Lint the files of one change, in the order given (their migration order).

    ``jobs`` > 1 forks worker processes for large inputs (only from a single-threaded program
    such as the CLI). ``store`` reuses and keeps per-file outcomes (the CLI's cache).
    ``rules``: the registry, or another table of rules (tests). ``separate_files``: each file
    is deployed on its own, so a table is new only in the file that creates it (not in the
    files after it), as when linting a whole migration history. ``deleted_paths``: base-branch
    migrations the change deletes or renames away.
    """
    from linters.schedule import run

    linter = Linter(config or LintConfig(), dialect, rules)
    return run(
        linter,
        sources,
        base_files=base_files,
        other_paths=other_paths,
        jobs=jobs,
        store=store,
        separate_files=separate_files,
        deleted_paths=deleted_paths,
    )
