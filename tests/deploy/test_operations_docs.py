"""Generated and hand-written operator docs stay true to the code: the config reference is
current, the metrics table lists what /metrics exports, the alert rules use real series."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import Counter, Histogram
from pydantic import BaseModel

from app import metrics
from app.config import Config
from app.config_reference import REFERENCE_PATH, REGENERATE, main, render, stale, write
from tests.deploy.manifests import ROOT

OPERATIONS = ROOT / "docs" / "operations.md"


def test_the_committed_config_reference_is_current() -> None:
    assert not stale(), f"docs/config-reference.md is stale: run {REGENERATE}"


def test_the_check_fails_on_a_stale_reference_and_names_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config-reference.md"
    assert stale(path) and main(["--check"], path) == 1
    assert main([], path) == 0 and not stale(path) and main(["--check"], path) == 0
    assert write(path) is False
    path.write_text(path.read_text().replace("state_url", "stat_url"))
    assert main(["--check"], path) == 1
    assert f"config-reference.md is stale: run {REGENERATE}" in capsys.readouterr().err


def _tables(model: type[BaseModel], path: str) -> dict[str, set[str]]:
    """Each table of the config file (``server.api_tokens``) with its plain keys."""
    tables: dict[str, set[str]] = {path: set()}
    for name, info in model.model_fields.items():
        nested = [
            candidate
            for candidate in (info.annotation, *getattr(info.annotation, "__args__", ()))
            if isinstance(candidate, type) and issubclass(candidate, BaseModel)
        ]
        if nested:
            tables.update(_tables(nested[0], f"{path}.{name}" if path else name))
        else:
            tables[path].add(name)
    return tables


def _section(text: str, table: str) -> str:
    for heading in (f"## `[{table}]`", f"## `[[{table}]]`", "## Top-level keys"):
        if (table or heading == "## Top-level keys") and heading in text:
            return text.split(heading, 1)[1].split("\n## ", 1)[0]
    raise AssertionError(f"no section for [{table}]")


def test_the_reference_lists_every_key_of_every_table() -> None:
    text = render()
    tables = _tables(Config, "")
    assert {"server", "server.api_tokens", "repositories.environments"} <= set(tables)
    for table, keys in tables.items():
        if keys:
            section = _section(text, table)
            missing = {key for key in keys if f"| `{key}` |" not in section}
            assert not missing, f"[{table}] keys missing from the reference: {missing}"
    assert "## `[[repositories.environments]]`" in text
    assert '| `state_url` | string | `"sqlite:///schemabot.db"` | The service\'s own state' in text
    assert '| `lock_timeout` | duration | `"5s"` |' in text
    assert '| `SCHEMABOT_LOG_FORMAT` | `"json"` \\| `"console"` | `"json"` |' in text
    assert REFERENCE_PATH.read_text() == text


def _exported() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every metric of app/metrics.py: exposed name -> (type, label names)."""
    found: dict[str, tuple[str, tuple[str, ...]]] = {}
    for name in metrics.__all__:
        metric = getattr(metrics, name)
        assert isinstance(metric, Counter | Histogram)
        (family,) = metric.describe()
        exposed = family.name + ("_total" if family.type == "counter" else "")
        found[exposed] = (family.type, tuple(metric._labelnames))
    return found


def test_the_metrics_table_matches_what_metrics_exports() -> None:
    rows = re.findall(
        r"^\| `(schemabot_\w+)` \| (\w+) \| ([^|]*) \|", OPERATIONS.read_text(), re.MULTILINE
    )
    documented = {
        name: (kind, tuple(re.findall(r"`(\w+)`", labels))) for name, kind, labels in rows
    }
    assert documented == _exported()


def _alert_rules() -> list[dict[str, Any]]:
    text = OPERATIONS.read_text()
    block = text.split("### Example alert rules", 1)[1].split("```yaml\n", 1)[1].split("```")[0]
    data = yaml.safe_load(block)
    return [rule for group in data["groups"] for rule in group["rules"]]


def test_alert_rules_are_complete() -> None:
    rules = _alert_rules()
    assert len(rules) >= 4
    for rule in rules:
        assert re.fullmatch(r"Schemabot[A-Z]\w+", rule["alert"])
        assert rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"]
        assert rule["expr"].count("(") == rule["expr"].count(")")


@pytest.mark.parametrize("rule", _alert_rules(), ids=lambda rule: str(rule["alert"]))
def test_alert_rules_use_exported_series_and_labels(rule: dict[str, Any]) -> None:
    exported = _exported()
    expression = rule["expr"]
    for series, matchers in re.findall(r"(schemabot_\w+)(\{[^}]*\})?", expression):
        base = re.sub(r"_(bucket|sum|count)$", "", series)
        assert base in exported, f"{series} is not exported"
        _, labels = exported[base]
        allowed = {*labels, *(("le",) if series.endswith("_bucket") else ())}
        used = set(re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", matchers))
        assert used <= allowed, f"{series}: no label {used - allowed}"
    for grouped in re.findall(r"by \(([^)]*)\)", expression):
        labels_of_all = set().union(*(set(labels) for _, labels in exported.values()), {"le"})
        assert {label.strip() for label in grouped.split(",")} <= labels_of_all
    for label in re.findall(r"\$labels\.(\w+)", yaml.safe_dump(rule["annotations"])):
        by = re.findall(r"by \(([^)]*)\)", expression)
        kept = {item.strip() for group in by for item in group.split(",")}
        assert label in kept or "sum" not in expression, f"{label} is aggregated away"
