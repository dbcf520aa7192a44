"""Reading the deployment files the tests check: kustomize output, YAML documents, the config."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
BASE = KUBERNETES / "base"
OVERLAY = KUBERNETES / "overlays" / "example"

#: ``${VAR}`` without a default: the process must have VAR or the config is refused.
REQUIRED_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def documents(path: Path) -> list[dict[str, Any]]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


def kustomize(directory: Path) -> list[dict[str, Any]]:
    """The objects ``kubectl kustomize DIRECTORY`` renders, as the docs tell operators to run."""
    kustomize_binary = shutil.which("kustomize")
    kubectl = shutil.which("kubectl")
    if kustomize_binary:
        command = [kustomize_binary, "build", str(directory)]
    elif kubectl:
        command = [kubectl, "kustomize", str(directory)]
    else:
        pytest.skip(
            "neither kustomize nor kubectl is installed: the rendered kustomization is not"
            " checked (each base file and the overlay's references still are)"
        )
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return [document for document in yaml.safe_load_all(result.stdout) if document]


def by_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def container(deployment: dict[str, Any], name: str) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    return next(c for c in containers if c["name"] == name)


def env_values(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in spec.get("env", [])}


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Does a label selector (matchLabels and matchExpressions) pick pods with ``labels``?"""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression["key"], expression["operator"]
        values = expression.get("values") or []
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def required_references(toml_text: str) -> set[str]:
    """The variables a config file needs set: ``${VAR}`` without a default in any value."""

    def strings(value: object) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)

    found: set[str] = set()
    for text in strings(tomllib.loads(toml_text)):
        found |= set(REQUIRED_REFERENCE.findall(text))
    return found


def markdown_block(markdown: str, after: str, language: str = "sh") -> str:
    """The first fenced block of ``language`` after the text ``after``, as a reader copies it
    (a block inside a list item loses the item's indentation)."""
    section = markdown.split(after, 1)[1]
    match = re.search(rf"^( *)```{language}\n(.*?)^\1```", section, re.MULTILINE | re.DOTALL)
    assert match is not None, f"no {language} block after {after!r}"
    indent = len(match.group(1))
    return "".join(line[indent:] + "\n" for line in match.group(2).splitlines())
