"""How a lint run is configured: which rules, at which severity, for which server version.

The same ``[lint]`` table is read from the server config and from a repository's
``.schemabot.toml`` (base branch). Only the standard library: ``app`` validates and merges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from linters.finding import Severity

__all__ = ["LintConfig", "NamingScheme", "Version"]

NamingScheme = Literal["auto", "flyway", "golang-migrate", "dbmate", "plain"]
Version = tuple[int, ...]


@dataclass(frozen=True)
class LintConfig:
    #: Rule ids or groups (``postgres``, ``mysql``, ``common``, ``files``) to enable on top of
    #: the defaults, including rules that are off by default. ``ALL`` enables every rule.
    select: frozenset[str] = frozenset()
    #: Rule ids or groups to disable.
    ignore: frozenset[str] = frozenset()
    #: Per-rule severity; "off" disables the rule.
    severity: dict[str, Severity | Literal["off"]] = field(default_factory=dict)
    #: The production server's version; rules whose verdict depends on it read it.
    postgres_version: Version | None = None
    #: MySQL version for dialect ``mysql``, MariaDB version for ``mariadb``.
    mysql_version: Version | None = None
    naming: NamingScheme = "auto"
    #: The runner sets lock/statement timeouts per environment: the timeout rules stay quiet.
    runner_sets_timeouts: bool = False
    #: Inline suppressions must carry a reason (``-- schemabot:ignore rule -- why``).
    require_suppression_reason: bool = False
    #: Per-rule options, e.g. ``{"index-too-many-columns": {"max_columns": 3}}``.
    options: dict[str, dict[str, object]] = field(default_factory=dict)

    def option(self, rule: str, name: str, default: object) -> object:
        return self.options.get(rule, {}).get(name, default)


def _version(value: object, field_name: str) -> Version:
    text = str(value).strip()
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        raise ValueError(
            f"{field_name}: expected a version like 16 or 8.0.32, got {text!r}"
        ) from None


def config_from_table(table: dict[str, object]) -> LintConfig:
    """Build a LintConfig from a ``[lint]`` TOML table. PROVISIONAL: full validation to come."""
    severity: dict[str, Severity | Literal["off"]] = {}
    for rule, level in dict(table.get("severity", {})).items():  # type: ignore[call-overload]
        severity[str(rule)] = "off" if level == "off" else Severity(str(level))
    return LintConfig(
        select=frozenset(str(x) for x in table.get("select", ())),  # type: ignore[attr-defined]
        ignore=frozenset(str(x) for x in table.get("ignore", ())),  # type: ignore[attr-defined]
        severity=severity,
        postgres_version=_version(table["postgres_version"], "postgres_version")
        if "postgres_version" in table
        else None,
        mysql_version=_version(table["mysql_version"], "mysql_version")
        if "mysql_version" in table
        else None,
        runner_sets_timeouts=bool(table.get("runner_sets_timeouts", False)),
        options={str(k): dict(v) for k, v in dict(table.get("options", {})).items()},  # type: ignore[call-overload]
    )
