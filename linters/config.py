"""How a lint run is configured: which rules, at which severity, for which server version.

The same ``[lint]`` table is read from the server config and from a repository's
``.schemabot.toml`` (read from the base branch, never from the pull request). ``merge`` combines
the two so that the repository can only make the rules stricter: a pull request must not be able
to weaken the rules that judge it.

Only the standard library at import time: the CLI's warm (cached) path imports this module and
must not pay for sqlglot. Validation and merging look rule ids up in the registry lazily.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal, get_args

from linters.dialects import DIALECTS, Dialect
from linters.finding import Severity
from linters.rule_options import option_problems

if TYPE_CHECKING:
    from linters.rule import Rule

__all__ = [
    "GROUPS",
    "ConfigError",
    "LintConfig",
    "NamingScheme",
    "Version",
    "config_from_table",
    "merge",
    "rule_severity",
]

NamingScheme = Literal["auto", "flyway", "golang-migrate", "dbmate", "plain"]
Version = tuple[int, ...]
SeverityOverride = Severity | Literal["off"]

#: The rule groups, as in ``linters/rules/<group>/``; ``select``/``ignore`` accept them.
GROUPS = ("common", "files", "mysql", "postgres")
#: Selects or ignores every rule.
ALL_RULES = "ALL"


@dataclass(frozen=True)
class LintConfig:
    #: Rule ids or groups (``postgres``, ``mysql``, ``common``, ``files``) to enable on top of
    #: the defaults, including rules that are off by default. ``ALL`` enables every rule.
    select: frozenset[str] = frozenset()
    #: Rule ids or groups to disable. The more specific mention wins: ``select = ["x"]`` with
    #: ``ignore = ["postgres"]`` keeps rule ``x``; on a tie, ``ignore`` wins.
    ignore: frozenset[str] = frozenset()
    #: Per-rule severity; "off" disables the rule, a level enables it (even an opt-in rule).
    severity: dict[str, SeverityOverride] = field(default_factory=dict)
    #: The production server's version; rules whose verdict depends on it read it.
    postgres_version: Version | None = None
    #: MySQL version for dialect ``mysql``, MariaDB version for ``mariadb``.
    mysql_version: Version | None = None
    naming: NamingScheme = "auto"
    #: The dialect the CLI lints with when ``--dialect`` is not given.
    dialect: Dialect | None = None
    #: The runner sets lock/statement timeouts per environment: the timeout rules stay quiet.
    runner_sets_timeouts: bool = False
    #: Inline suppressions must carry a reason (``-- schemabot:ignore rule -- why``).
    require_suppression_reason: bool = False
    #: Per-rule options, e.g. ``{"index-too-many-columns": {"max_columns": 3}}``.
    options: dict[str, dict[str, object]] = field(default_factory=dict)
    #: The settings the table spelled out; ``merge`` needs to tell "false" from "not said".
    fields_set: frozenset[str] = field(default=frozenset(), compare=False)

    def server_version(self, dialect: Dialect) -> Version | None:
        """The production server's version for ``dialect``, when configured."""
        if dialect == "postgres":
            return self.postgres_version
        if dialect in ("mysql", "mariadb"):
            return self.mysql_version
        return None


class ConfigError(ValueError):
    """Every problem of a ``[lint]`` table at once, each naming its field path."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _specificity(rule_id: str, group: str, names: frozenset[str]) -> int:
    """How precisely ``names`` mention the rule: 3 by id, 2 by group, 1 by ALL, 0 not at all."""
    if rule_id in names:
        return 3
    if group in names:
        return 2
    return 1 if ALL_RULES in names else 0


def rule_severity(
    config: LintConfig, rule_id: str, group: str, default: Severity | None
) -> Severity | None:
    """The severity a rule runs at under ``config``; None when it does not run."""
    override = config.severity.get(rule_id)
    if override == "off":
        return None
    selected = _specificity(rule_id, group, config.select)
    ignored = _specificity(rule_id, group, config.ignore)
    if ignored and ignored >= selected:
        return None
    if isinstance(override, Severity):
        return override
    if default is None:
        # An opt-in policy rule: selecting it is the decision to run it.
        return Severity.WARNING if selected else None
    return default


# -- reading a [lint] table ------------------------------------------------------------------


def _suggest(name: str, known: list[str]) -> str:
    from difflib import get_close_matches

    close = get_close_matches(name, known, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _version(value: object, path: str, problems: list[str]) -> Version | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        hint = f' (write it as a string: "{value}")' if isinstance(value, float) else ""
        problems.append(f'{path}: expected a version like "16" or "8.0.32"{hint}')
        return None
    parts = str(value).strip().split(".")
    if not all(part.isdigit() for part in parts):
        problems.append(f'{path}: expected a version like "16" or "8.0.32", got {value!r}')
        return None
    return tuple(int(part) for part in parts)


def _choice(value: object, path: str, choices: tuple[str, ...], problems: list[str]) -> str | None:
    if isinstance(value, str) and value in choices:
        return value
    problems.append(f"{path}: expected one of {', '.join(choices)}, got {value!r}")
    return None


def _flag(value: object, path: str, problems: list[str]) -> bool:
    if isinstance(value, bool):
        return value
    problems.append(f"{path}: expected true or false, got {value!r}")
    return False


class _Reader:
    """Validates one ``[lint]`` table against the known rules, collecting every problem."""

    def __init__(self, rules: Mapping[str, Rule], prefix: str) -> None:
        self.known_rules = rules
        self.prefix = prefix
        self.problems: list[str] = []

    def _rule_id(self, name: str, path: str) -> bool:
        if name in self.known_rules:
            return True
        self.problems.append(f"{path}: unknown rule id{_suggest(name, list(self.known_rules))}")
        return False

    def names(self, value: object, key: str) -> frozenset[str]:
        path = f"{self.prefix}.{key}"
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.problems.append(f"{path}: expected a list of rule ids or groups")
            return frozenset()
        known = [*self.known_rules, *GROUPS, ALL_RULES]
        names = set()
        for index, name in enumerate(value):
            if name in known:
                names.add(name)
            else:
                self.problems.append(
                    f"{path}[{index}]: unknown rule id or group {name!r}{_suggest(name, known)}"
                )
        return frozenset(names)

    def severities(self, value: object) -> dict[str, SeverityOverride]:
        path = f"{self.prefix}.severity"
        if not isinstance(value, dict):
            self.problems.append(f"{path}: expected a table of rule id = level")
            return {}
        levels: dict[str, SeverityOverride] = {}
        for rule_id, level in value.items():
            choice = _choice(level, f"{path}.{rule_id}", (*Severity, "off"), self.problems)
            if self._rule_id(rule_id, f"{path}.{rule_id}") and choice is not None:
                levels[rule_id] = "off" if choice == "off" else Severity(choice)
        return levels

    def options(self, value: object) -> dict[str, dict[str, object]]:
        path = f"{self.prefix}.options"
        if not isinstance(value, dict):
            self.problems.append(f"{path}: expected a table of [lint.options.<rule-id>] tables")
            return {}
        options: dict[str, dict[str, object]] = {}
        for rule_id, table in value.items():
            if not isinstance(table, dict):
                self.problems.append(f"{path}.{rule_id}: expected a table of option = value")
            elif self._rule_id(rule_id, f"{path}.{rule_id}"):
                declared = self.known_rules[rule_id].options
                self.problems += option_problems(rule_id, declared, table, f"{path}.{rule_id}")
                options[rule_id] = dict(table)
        return options


_SETTINGS = (
    "select",
    "ignore",
    "severity",
    "postgres_version",
    "mysql_version",
    "naming",
    "dialect",
    "runner_sets_timeouts",
    "require_suppression_reason",
    "options",
)


def config_from_table(
    table: Mapping[str, object],
    *,
    rules: Mapping[str, Rule] | None = None,
    prefix: str = "lint",
) -> LintConfig:
    """Build a LintConfig from a ``[lint]`` TOML table.

    Raises ConfigError listing every problem, each naming its field path
    (``lint.severity.drop-tabel: unknown rule id (did you mean drop-table?)``,
    ``lint.options.backfill-unbatched.max_rows: expected an integer, got 'x'``).
    ``rules``: the rules ids and options are checked against; by default the registry.
    """
    if rules is None:
        from linters.registry import RULES

        rules = RULES
    reader = _Reader(rules, prefix)
    problems = reader.problems
    values: dict[str, object] = {}
    for key, value in table.items():
        path = f"{prefix}.{key}"
        if key in ("select", "ignore"):
            values[key] = reader.names(value, key)
        elif key == "severity":
            values[key] = reader.severities(value)
        elif key == "options":
            values[key] = reader.options(value)
        elif key in ("postgres_version", "mysql_version"):
            values[key] = _version(value, path, problems)
        elif key == "naming":
            values[key] = _choice(value, path, get_args(NamingScheme), problems) or "auto"
        elif key == "dialect":
            values[key] = _choice(value, path, DIALECTS, problems)
        elif key in ("runner_sets_timeouts", "require_suppression_reason"):
            values[key] = _flag(value, path, problems)
        else:
            problems.append(f"{path}: unknown setting{_suggest(key, list(_SETTINGS))}")
    if problems:
        raise ConfigError(problems)
    return LintConfig(**values, fields_set=frozenset(values))  # type: ignore[arg-type]


# -- server config + repository config -------------------------------------------------------


def _stronger(a: Severity | None, b: Severity | None) -> Severity | None:
    if a is None or b is None:
        return a or b
    return a if a.rank >= b.rank else b


def merge(
    server: LintConfig, repository: LintConfig, *, rules: Mapping[str, Rule] | None = None
) -> LintConfig:
    """The server's ``[lint]`` with a repository's ``.schemabot.toml`` ``[lint]`` on top.

    The server's config is a floor. For each rule the merged severity is the stronger of the
    server's and the one the repository asks for *explicitly* (by id, group or ALL in
    ``select``, or in ``severity``); a rule the repository merely leaves alone keeps the
    server's verdict. So a repository can enable rules (even ones the server turned off) and
    raise severities, but its ``ignore`` and ``"off"``/lower levels cannot weaken what the
    server runs. Server versions, naming and dialect win when the server sets them; the
    repository can require suppression reasons and turn ``runner_sets_timeouts`` off, not on;
    options the server sets win key by key.
    """
    if rules is None:
        from linters.registry import RULES

        rules = RULES
    severity: dict[str, SeverityOverride] = {}
    for rule in rules.values():
        floor = rule_severity(server, rule.id, rule.group, rule.severity)
        asked = None
        mentioned = rule.id in repository.severity or _specificity(
            rule.id, rule.group, repository.select
        )
        if mentioned:
            asked = rule_severity(repository, rule.id, rule.group, rule.severity)
        merged = _stronger(floor, asked)
        severity[rule.id] = "off" if merged is None else merged

    def server_first(name: str) -> LintConfig:
        """The config whose value of ``name`` counts: the server's unless only the repo set it."""
        if name in server.fields_set or name not in repository.fields_set:
            return server
        return repository

    options = {rule_id: dict(table) for rule_id, table in repository.options.items()}
    for rule_id, table in server.options.items():
        options.setdefault(rule_id, {}).update(table)
    runner_sets_timeouts = server.runner_sets_timeouts and (
        "runner_sets_timeouts" not in repository.fields_set or repository.runner_sets_timeouts
    )
    return replace(
        server,
        select=frozenset(rule_id for rule_id, level in severity.items() if level != "off"),
        ignore=frozenset(),
        severity=severity,
        postgres_version=server_first("postgres_version").postgres_version,
        mysql_version=server_first("mysql_version").mysql_version,
        naming=server_first("naming").naming,
        dialect=server_first("dialect").dialect,
        runner_sets_timeouts=runner_sets_timeouts,
        require_suppression_reason=server.require_suppression_reason
        or repository.require_suppression_reason,
        options=options,
        fields_set=server.fields_set | repository.fields_set,
    )
