"""Run the enabled rules over the files of one change and return findings in file order."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlglot import exp

from linters.config import LintConfig
from linters.dialects import Dialect
from linters.finding import Finding, Severity
from linters.parse import parse_file
from linters.registry import RULES
from linters.rule import (
    Change,
    ChangeRule,
    Context,
    FileRule,
    LintedFile,
    Rule,
    StatementRule,
    Violation,
    table_key,
)
from linters.statement import Statement

__all__ = ["Source", "enabled_rules", "lint"]


@dataclass(frozen=True, slots=True)
class Source:
    path: str
    text: str


def _selected(rule: Rule, names: frozenset[str]) -> bool:
    return "ALL" in names or rule.id in names or rule.group in names


def enabled_rules(config: LintConfig, dialect: Dialect) -> dict[str, tuple[Rule, Severity]]:
    """Rules that run for this config and dialect, each with its effective severity."""
    enabled: dict[str, tuple[Rule, Severity]] = {}
    for rule in RULES.values():
        if dialect not in rule.dialects:
            continue
        override = config.severity.get(rule.id)
        if override == "off" or (_selected(rule, config.ignore) and rule.id not in config.select):
            continue
        severity = override if isinstance(override, Severity) else rule.severity
        if severity is None:
            if not _selected(rule, config.select):
                continue
            severity = Severity.WARNING
        enabled[rule.id] = (rule, severity)
    return enabled


def _observe(statement: Statement, context: Context) -> None:
    """Update what later statements know: new tables, explicit transaction state."""
    expression = statement.expression
    if isinstance(expression, exp.Create) and str(expression.args.get("kind", "")).upper() in (
        "TABLE",
        "VIEW",
    ):
        table = expression.find(exp.Table)
        if table is not None:
            context.new_tables.add(table_key(table))
    elif isinstance(expression, exp.Transaction):
        context.in_explicit_transaction = True
    elif isinstance(expression, exp.Commit | exp.Rollback):
        context.in_explicit_transaction = False


def lint(
    sources: Sequence[Source],
    *,
    dialect: Dialect,
    config: LintConfig | None = None,
    base_files: dict[str, str] | None = None,
) -> list[Finding]:
    from linters.naming import parse_name

    config = config or LintConfig()
    enabled = enabled_rules(config, dialect)
    by_type: dict[type[exp.Expression], list[StatementRule]] = {}
    for rule, _ in enabled.values():
        if isinstance(rule, StatementRule):
            for kind in rule.on:
                by_type.setdefault(kind, []).append(rule)

    found: list[tuple[LintedFile | None, Rule, Violation]] = []
    files: list[LintedFile] = []
    new_tables: set[str] = set()
    for source in sources:
        parsed = parse_file(source.text, dialect)
        context = Context(
            path=source.path,
            dialect=dialect,
            config=config,
            statements=parsed.statements,
            wrapped_in_transaction=dialect in ("postgres", "sqlite") and not parsed.no_transaction,
            new_tables=new_tables,
        )
        try:
            name = parse_name(source.path.rsplit("/", 1)[-1], config.naming)
        except NotImplementedError:
            name = None
        file = LintedFile(source.path, source.text, parsed.statements, name, context)
        files.append(file)
        for statement in parsed.statements:
            expression = statement.expression
            if expression is not None:
                for kind in type(expression).__mro__:
                    for statement_rule in by_type.get(kind, ()):
                        for violation in statement_rule.check(statement, context):
                            found.append((file, statement_rule, _at(violation, statement)))
            _observe(statement, context)
        for rule, _ in enabled.values():
            if isinstance(rule, FileRule):
                found.extend((file, rule, violation) for violation in rule.check(file))
    change = Change(files, config, base_files)
    for rule, _ in enabled.values():
        if isinstance(rule, ChangeRule):
            found.extend((file, rule, violation) for file, violation in rule.check(change))
    return _findings(found, enabled)


def _at(violation: Violation, statement: Statement) -> Violation:
    if violation.statement is not None:
        return violation
    return Violation(
        violation.message, violation.help, statement, violation.span, violation.suggestion
    )


def _findings(
    found: Iterable[tuple[LintedFile | None, Rule, Violation]],
    enabled: dict[str, tuple[Rule, Severity]],
) -> list[Finding]:
    findings = []
    for file, rule, violation in found:
        span = violation.span or (violation.statement.span if violation.statement else None)
        if span is None:
            from linters.finding import Span

            span = Span(1, 1, 1, 1)
        findings.append(
            Finding(
                path=file.path if file else "",
                span=span,
                rule=rule.id,
                severity=enabled[rule.id][1],
                message=violation.message,
                help=violation.help,
                suggestion=violation.suggestion,
            )
        )
    findings.sort(key=lambda f: (f.path, f.span.line, f.span.column, f.rule))
    return findings
