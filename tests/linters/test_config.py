"""The [lint] table: validation naming every field path, rule selection, and server/repo merge."""

from __future__ import annotations

import pytest

from linters.config import ConfigError, LintConfig, config_from_table, merge, rule_severity
from linters.finding import Severity
from linters.registry import RULES

KNOWN = {"drop-table": "common", "parse-error": "common", "create-index": "postgres"}


def test_a_full_table_is_read() -> None:
    config = config_from_table(
        {
            "select": ["postgres"],
            "ignore": ["drop-table"],
            "severity": {"parse-error": "warning", "create-index": "off"},
            "postgres_version": "14.3",
            "mysql_version": "8.0.32",
            "naming": "flyway",
            "dialect": "mysql",
            "runner_sets_timeouts": True,
            "require_suppression_reason": True,
            "options": {"drop-table": {"allow": ["tmp_"]}},
        },
        known_rules=KNOWN,
    )
    assert config.select == {"postgres"}
    assert config.ignore == {"drop-table"}
    assert config.severity == {"parse-error": Severity.WARNING, "create-index": "off"}
    assert config.postgres_version == (14, 3)
    assert config.mysql_version == (8, 0, 32)
    assert (config.naming, config.dialect) == ("flyway", "mysql")
    assert config.runner_sets_timeouts and config.require_suppression_reason
    assert config.option("drop-table", "allow", None) == ["tmp_"]
    assert "naming" in config.fields_set and "options" in config.fields_set


def test_integer_version_is_accepted() -> None:
    assert config_from_table({"postgres_version": 16}, known_rules=KNOWN).postgres_version == (16,)


def test_every_problem_is_reported_at_once_with_its_field_path() -> None:
    with pytest.raises(ConfigError) as raised:
        config_from_table(
            {
                "severity": {"drop-tabel": "error", "parse-error": "fatal"},
                "select": ["postgres", "no-such-rule"],
                "ignore": "drop-table",
                "postgres_version": 14.10,
                "mysql_version": "eight",
                "naming": "rails",
                "dialect": "oracle",
                "runner_sets_timeouts": "yes",
                "options": {"drop-tabel": {}, "parse-error": 3},
                "selct": [],
            },
            known_rules=KNOWN,
        )
    problems = raised.value.problems
    expected = [
        "lint.severity.drop-tabel: unknown rule id (did you mean drop-table?)",
        "lint.severity.parse-error: expected one of error, warning, info, off, got 'fatal'",
        "lint.select[1]: unknown rule id or group 'no-such-rule'",
        "lint.ignore: expected a list of rule ids or groups",
        'lint.postgres_version: expected a version like "16" or "8.0.32" '
        '(write it as a string: "14.1")',
        "lint.mysql_version: expected a version like",
        "lint.naming: expected one of auto, flyway, golang-migrate, dbmate, plain, got 'rails'",
        "lint.dialect: expected one of postgres, mysql, mariadb, sqlite, got 'oracle'",
        "lint.runner_sets_timeouts: expected true or false, got 'yes'",
        "lint.options.drop-tabel: unknown rule id (did you mean drop-table?)",
        "lint.options.parse-error: expected a table of option = value",
        "lint.selct: unknown setting (did you mean select?)",
    ]
    assert len(problems) == len(expected), problems
    for start in expected:
        assert any(problem.startswith(start) for problem in problems), (start, problems)
    assert str(raised.value) == "\n".join(problems)


def test_the_registry_is_the_default_source_of_rule_ids() -> None:
    with pytest.raises(ConfigError, match=r"lint.severity.parse-eror: unknown rule id"):
        config_from_table({"severity": {"parse-eror": "off"}})
    assert config_from_table({"select": list(RULES)}).select == set(RULES)


@pytest.mark.parametrize(
    ("table", "default", "expected"),
    [
        ({}, Severity.ERROR, Severity.ERROR),
        ({}, None, None),
        ({"select": ["create-index"]}, None, Severity.WARNING),
        ({"select": ["postgres"]}, None, Severity.WARNING),
        ({"select": ["ALL"]}, None, Severity.WARNING),
        ({"ignore": ["postgres"]}, Severity.ERROR, None),
        ({"ignore": ["postgres"], "select": ["create-index"]}, Severity.ERROR, Severity.ERROR),
        ({"ignore": ["create-index"], "select": ["postgres"]}, Severity.ERROR, None),
        ({"ignore": ["create-index"], "select": ["create-index"]}, Severity.ERROR, None),
        ({"ignore": ["ALL"]}, Severity.ERROR, None),
        ({"severity": {"create-index": "info"}}, Severity.ERROR, Severity.INFO),
        ({"severity": {"create-index": "error"}}, None, Severity.ERROR),
        ({"severity": {"create-index": "off"}, "select": ["create-index"]}, Severity.ERROR, None),
    ],
)
def test_rule_severity_the_more_specific_mention_wins(
    table: dict[str, object], default: Severity | None, expected: Severity | None
) -> None:
    config = config_from_table(table, known_rules=KNOWN)
    assert rule_severity(config, "create-index", "postgres", default) == expected


def _levels(config: LintConfig) -> dict[str, Severity | None]:
    return {
        rule.id: rule_severity(config, rule.id, rule.group, rule.severity)
        for rule in RULES.values()
    }


def test_merge_keeps_the_server_floor_against_a_weakening_repository() -> None:
    server = config_from_table({"severity": {"unused-suppression": "error"}})
    repository = config_from_table(
        {
            "ignore": ["ALL"],
            "severity": {"unused-suppression": "info", "parse-error": "off"},
            "runner_sets_timeouts": True,
            "postgres_version": "17",
        }
    )
    merged = merge(server, repository)
    assert _levels(merged) == _levels(server)
    assert _levels(merged)["unused-suppression"] == Severity.ERROR
    assert not merged.runner_sets_timeouts
    # The server did not say which version runs in production: the repository may.
    assert merged.postgres_version == (17,)


def test_merge_lets_the_repository_add_rules_and_raise_severities() -> None:
    server = config_from_table(
        {"ignore": ["unused-suppression"], "postgres_version": "14", "naming": "flyway"}
    )
    repository = config_from_table(
        {
            "select": ["unused-suppression"],
            "severity": {"parse-error": "error"},
            "require_suppression_reason": True,
            "postgres_version": "17",
            "naming": "dbmate",
        }
    )
    merged = merge(server, repository)
    assert _levels(merged)["unused-suppression"] == Severity.WARNING
    assert _levels(merged)["parse-error"] == Severity.ERROR
    assert merged.require_suppression_reason
    assert (merged.postgres_version, merged.naming) == ((14,), "flyway")


def test_merge_leaves_a_rule_the_repository_does_not_mention_to_the_server() -> None:
    server = config_from_table({"ignore": ["unused-suppression"]})
    merged = merge(server, config_from_table({"require_suppression_reason": True}))
    assert _levels(merged)["unused-suppression"] is None


def test_merge_server_options_and_timeouts_win() -> None:
    server = config_from_table({"runner_sets_timeouts": True, "options": {"parse-error": {"a": 1}}})
    repository = config_from_table({"options": {"parse-error": {"a": 2, "b": 3}}})
    merged = merge(server, repository)
    assert merged.options == {"parse-error": {"a": 1, "b": 3}}
    assert merged.runner_sets_timeouts
    off = merge(server, config_from_table({"runner_sets_timeouts": False}))
    assert not off.runner_sets_timeouts
