"""Runs every rule fixture in tests/linters/cases/<rule-id>.yml.

A fixture names its rule and has ``pass:`` cases (no finding of that rule) and ``fail:`` cases
(exactly the findings listed, as ``[rule, line]`` or ``[rule, line, path]``). A case is either
SQL text or a mapping with ``sql`` or ``files`` (path -> SQL, linted as one change), and optional
``dialect``, ``config`` (a ``[lint]`` table), ``base`` (path -> SQL on the base branch),
``deleted`` (base paths the change deletes), ``expect``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
import yaml

from linters.config import LintConfig
from linters.engine import Source, lint
from linters.registry import RULES

CASES = Path(__file__).parent / "cases"


def _config(table: dict[str, Any]) -> LintConfig:
    from linters.config import config_from_table

    return config_from_table(table)


def _cases() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("*.yml")):
        fixture = yaml.safe_load(path.read_text())
        for outcome in ("pass", "fail"):
            for name, case in (fixture.get(outcome) or {}).items():
                params.append(
                    pytest.param(fixture, outcome, case, id=f"{path.stem}:{outcome}:{name}")
                )
    return params


@pytest.mark.parametrize(("fixture", "outcome", "case"), _cases())
def test_rule_case(fixture: dict[str, Any], outcome: str, case: Any) -> None:
    rule = fixture["rule"]
    case = {"sql": case} if isinstance(case, str) else case
    files = case.get("files") or {fixture.get("path", "V2__change.sql"): case["sql"]}
    dialect = case.get("dialect", fixture.get("dialect", "postgres"))
    table = {**fixture.get("config", {}), **case.get("config", {})}
    table.setdefault("select", [rule])
    base = {
        path: hashlib.sha256(text.encode()).hexdigest()
        for path, text in (case.get("base") or {}).items()
    }
    sources = [Source(path, text) for path, text in files.items()]
    deleted = tuple(case.get("deleted") or ())
    findings = lint(
        sources,
        dialect=dialect,
        config=_config(table),
        base_files=base or None,
        deleted_paths=deleted,
    )
    got = sorted(
        [f.rule, f.span.line] + ([f.path] if len(files) > 1 else [])
        for f in findings
        if f.rule == rule
    )
    if outcome == "pass":
        assert got == [], f"expected no {rule} finding, got {findings}"
    else:
        expected = sorted(list(item) for item in case["expect"])
        assert got == expected, f"findings: {findings}"


def test_every_rule_has_a_fixture() -> None:
    fixtures = {path.stem for path in CASES.glob("*.yml")}
    assert set(RULES) <= fixtures, sorted(set(RULES) - fixtures)
