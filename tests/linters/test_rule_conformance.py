"""Every registered rule looks the same from outside: its docs page, its id, its fixture, and
its line in ``schemabot rules --format json``."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from linters.cli import EXIT_OK, main
from linters.config import LintConfig
from linters.dialects import DIALECTS, Dialect
from linters.engine import Linter, Source
from linters.registry import RULES
from linters.rule import ChangeRule, LintedFile

CASES = Path(__file__).parent / "cases"
#: The sections every docstring has, in this order, each once.
REQUIRED = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")
#: Sections a docstring may add after those. Options are generated from the rule's
#: declarations, so a hand-written ``## Options`` would go stale.
OPTIONAL = ("## Fix safety", "## References", "## Notes")
KEBAB = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
MINIMUM_CASES = 3


def _headings(doc: str) -> list[str]:
    return [line.rstrip() for line in doc.splitlines() if line.startswith("## ")]


def _fixture(rule_id: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CASES / f"{rule_id}.yml").read_text())
    return loaded


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_docstring_has_a_title_and_exactly_the_sections(rule_id: str) -> None:
    doc = RULES[rule_id].doc
    title, _, _ = doc.strip().partition("\n")
    assert title.strip() and not title.startswith("#"), f"{rule_id}: no one-line title"
    assert doc.strip().split("\n")[1].strip() == "", f"{rule_id}: the title is not one line"
    headings = _headings(doc)
    assert headings[: len(REQUIRED)] == list(REQUIRED), f"{rule_id}: {headings}"
    extra = headings[len(REQUIRED) :]
    assert all(heading in OPTIONAL for heading in extra), f"{rule_id}: {extra}"
    assert len(extra) == len(set(extra)), f"{rule_id}: repeated sections {extra}"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_example_shows_sql(rule_id: str) -> None:
    doc = RULES[rule_id].doc
    example = doc.split("## Example", 1)[1].split("## Use instead", 1)[0]
    assert "```sql\n" in example, f"{rule_id}: the example has no ```sql block"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_id_is_kebab_case_and_names_its_module(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert KEBAB.match(rule_id), rule_id
    assert rule.id == rule_id
    assert rule.module.rsplit(".", 1)[-1] == rule_id.replace("-", "_"), rule.module
    assert rule.module.split(".")[:2] == ["linters", "rules"], rule.module


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_fixture_has_three_pass_and_three_fail_cases(rule_id: str) -> None:
    fixture = _fixture(rule_id)
    assert fixture["rule"] == rule_id
    passing, failing = fixture.get("pass") or {}, fixture.get("fail") or {}
    assert len(passing) >= MINIMUM_CASES, f"{rule_id}: {len(passing)} pass cases"
    assert len(failing) >= MINIMUM_CASES, f"{rule_id}: {len(failing)} fail cases"
    for name, case in failing.items():
        assert isinstance(case, dict) and case.get("expect"), f"{rule_id}:{name} expects nothing"


def test_rules_json_lists_every_rule_with_its_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == EXIT_OK
    listed = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert set(listed) == set(RULES)
    for rule_id, row in listed.items():
        rule = RULES[rule_id]
        assert row["group"] == rule.group
        assert row["severity"] == (rule.severity.value if rule.severity else "off")
        assert row["dialects"] == sorted(rule.dialects)
        assert set(row["dialects"]) <= set(DIALECTS)
        assert [option["name"] for option in row["options"]] == [o.name for o in rule.options]


def _is_plain(value: object) -> bool:
    """JSON's own types all the way down: what the cache gives back is what was computed."""
    if value is None or isinstance(value, str | bool | int | float):
        return True
    if isinstance(value, list):
        return all(_is_plain(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and _is_plain(item) for key, item in value.items())
    return False


@cache
def _fixture_files() -> list[tuple[Dialect, LintedFile]]:
    """Every SQL file of every fixture case, read (split and parsed) for its dialect."""
    linters = {dialect: Linter(LintConfig(), dialect) for dialect in DIALECTS}
    found = []
    for path in sorted(CASES.glob("*.yml")):
        fixture = yaml.safe_load(path.read_text())
        for outcome in ("pass", "fail"):
            for case in (fixture.get(outcome) or {}).values():
                case = {"sql": case} if isinstance(case, str) else case
                dialect = case.get("dialect", fixture.get("dialect", "postgres"))
                for name, text in (case.get("files") or {"V2__change.sql": case["sql"]}).items():
                    found.append((dialect, linters[dialect].read(Source(name, text)).file))
    return found


@pytest.mark.parametrize(
    "rule_id", sorted(rule.id for rule in RULES.values() if isinstance(rule, ChangeRule))
)
def test_change_rule_facts_are_plain_data(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert isinstance(rule, ChangeRule)
    checked = 0
    for dialect, file in _fixture_files():
        if dialect not in rule.dialects:
            continue
        for extract in rule.facts:
            value = extract(file)
            assert _is_plain(value), f"{extract.__qualname__} on {file.path}: {value!r}"
            assert json.loads(json.dumps(value)) == value
            checked += 1
    assert checked or not rule.facts
