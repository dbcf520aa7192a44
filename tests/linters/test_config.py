"""The [lint] table: validation naming every field path, rule selection, and server/repo merge."""

from __future__ import annotations

from dataclasses import replace

import pytest

from linters.config import ConfigError, LintConfig, config_from_table, merge, rule_severity
from linters.finding import Severity
from linters.registry import RULES
from linters.rule import Rule

KNOWN: dict[str, Rule] = {
    "drop-table": RULES["drop-table"],
    "parse-error": RULES["parse-error"],
    "backfill-unbatched": RULES["backfill-unbatched"],
    "create-index": replace(RULES["create-index-not-concurrently"], id="create-index"),
}


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
            "options": {"backfill-unbatched": {"max_rows": 500}},
        },
        rules=KNOWN,
    )
    assert config.select == {"postgres"}
    assert config.ignore == {"drop-table"}
    assert config.severity == {"parse-error": Severity.WARNING, "create-index": "off"}
    assert config.postgres_version == (14, 3)
    assert config.mysql_version == (8, 0, 32)
    assert (config.naming, config.dialect) == ("flyway", "mysql")
    assert config.runner_sets_timeouts and config.require_suppression_reason
    assert config.options == {"backfill-unbatched": {"max_rows": 500}}
    assert "naming" in config.fields_set and "options" in config.fields_set


def test_integer_version_is_accepted() -> None:
    assert config_from_table({"postgres_version": 16}, rules=KNOWN).postgres_version == (16,)


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
                "options": {
                    "drop-tabel": {},
                    "parse-error": 3,
                    "backfill-unbatched": {"max_rows": "x", "max_row": 5},
                },
                "selct": [],
            },
            rules=KNOWN,
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
        "lint.options.backfill-unbatched.max_rows: expected an integer, got 'x'",
        "lint.options.backfill-unbatched.max_row: unknown option (did you mean max_rows?)",
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
    config = config_from_table(table, rules=KNOWN)
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
    server = config_from_table(
        {"runner_sets_timeouts": True, "options": {"comment-policy": {"max_length": 100}}}
    )
    repository = config_from_table(
        {"options": {"comment-policy": {"max_length": 20, "require_column_comment": True}}}
    )
    merged = merge(server, repository)
    assert merged.options == {"comment-policy": {"max_length": 100, "require_column_comment": True}}
    assert merged.runner_sets_timeouts
    off = merge(server, config_from_table({"runner_sets_timeouts": False}))
    assert not off.runner_sets_timeouts


@pytest.mark.parametrize(
    ("rule_id", "options", "problem"),
    [
        ("backfill-unbatched", {"max_rows": "x"}, "max_rows: expected an integer, got 'x'"),
        ("backfill-unbatched", {"max_rows": 0}, "max_rows: expected an integer >= 1, got 0"),
        ("backfill-unbatched", {"max_rows": True}, "max_rows: expected an integer, got True"),
        ("avoid-char", {"mysql_max_length": "lots"}, "expected an integer, got 'lots'"),
        ("column-alignment", {"min_wasted_bytes": "many"}, "expected an integer, got 'many'"),
        ("column-type-policy", {"max_varchar_length": "big"}, "expected an integer, got 'big'"),
        ("index-too-many-columns", {"max_columns": "three"}, "expected an integer, got 'three'"),
        (
            "column-nullability-default-policy",
            {"require_not_null": "no"},
            "require_not_null: expected true or false, got 'no'",
        ),
        ("function-denylist", {"deny": "pg_sleep"}, "expected a list of strings, got 'pg_sleep'"),
        ("drop-requires-marker-name", {"pattern": "(["}, "expected a regular expression"),
        ("naming-convention", {"index": "idx_{table"}, ""),
        ("naming-convention", {"index": "(idx_{table}"}, "expected a regular expression"),
        (
            "object-kind-denylist",
            {"deny": ["trigers"]},
            "unknown 'trigers' (did you mean trigger?)",
        ),
        (
            "mysql-osc-incompatible",
            {"tool": "lhm"},
            'tool: expected one of "gh-ost", "pt-osc", got \'lhm\'',
        ),
        (
            "charset-collation-policy",
            {"table_level": "sometimes"},
            'expected one of "allow", "forbid", "require"',
        ),
        ("drop-table", {"allow": ["tmp_"]}, "allow: unknown option (drop-table takes no options)"),
        (
            "index-count-limit",
            {"maximum": 3},
            "maximum: unknown option (index-count-limit takes max_indexes)",
        ),
    ],
)
def test_rule_options_are_checked_against_their_declarations(
    rule_id: str, options: dict[str, object], problem: str
) -> None:
    table = {"options": {rule_id: options}}
    if not problem:
        assert config_from_table(table).options == {rule_id: options}
        return
    with pytest.raises(ConfigError) as raised:
        config_from_table(table)
    [reported] = raised.value.problems
    assert reported.startswith(f"lint.options.{rule_id}."), reported
    assert problem in reported, reported


def test_aliases_of_a_choice_are_read_as_the_choice() -> None:
    from linters.rules.mysql.mysql_osc_incompatible import TOOL

    config = config_from_table({"options": {TOOL.rule: {"tool": "pt-online-schema-change"}}})
    assert TOOL.value(config) == "pt-osc"
    assert TOOL.value(LintConfig()) == "gh-ost"


def test_every_declared_option_belongs_to_its_rule_and_has_a_valid_default() -> None:
    for rule in RULES.values():
        names = [option.name for option in rule.options]
        assert len(names) == len(set(names)), rule.id
        for option in rule.options:
            assert option.rule == rule.id, (rule.id, option.name)
            assert option.description.strip(), (rule.id, option.name)
            assert option.parse(option.default) == option.default, (rule.id, option.name)
