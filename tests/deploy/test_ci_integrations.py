"""Linting in CI without the service: the example migrations, the pre-commit hook and the GitLab
CI snippet of docs/ci.md, each run as written."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.manifests import ROOT

EXAMPLES = ROOT / "examples" / "migrations"
BIN = Path(sys.executable).parent
DROP_COLUMN = "SET lock_timeout = '3s';\nSET statement_timeout = '1min';\n" + (
    "ALTER TABLE customers DROP COLUMN fax_number;\n"
)


def lint(
    *args: str, cwd: Path = ROOT, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "schemabot"), "lint", "--no-cache", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_example_migrations_lint_clean() -> None:
    files = sorted(path.name for path in EXAMPLES.glob("*.sql"))
    assert len(files) >= 4 and all(re.fullmatch(r"V\d+__\w+\.sql", name) for name in files)
    result = lint("examples/migrations")
    assert result.returncode == 0, result.stdout
    assert f"No findings ({len(files)} files checked)" in result.stdout


def test_the_examples_pass_because_of_their_reasoned_suppression() -> None:
    (suppressed,) = [p for p in EXAMPLES.glob("*.sql") if "schemabot:ignore" in p.read_text()]
    text = suppressed.read_text()
    assert re.search(r"schemabot:ignore [\w-]+ -- \S", text), "a suppression needs a reason"
    without = "\n".join(line for line in text.splitlines() if "schemabot:ignore" not in line)
    result = lint("-", "--stdin-filename", suppressed.name, "--format", "json", stdin=without)
    assert result.returncode == 1
    assert [finding["rule"] for finding in json.loads(result.stdout)] == ["drop-column"]


def hooks() -> list[dict[str, Any]]:
    data = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert isinstance(data, list)
    return data


def test_the_pre_commit_hook_runs_the_installed_command_on_sql_files() -> None:
    (hook,) = hooks()
    assert {"id", "name", "entry", "language"} <= set(hook)
    assert (hook["id"], hook["language"]) == ("schemabot-lint", "python")
    command, subcommand = hook["entry"].split()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert command in scripts and subcommand == "lint"
    files = re.compile(hook["files"])
    assert files.search("db/migrations/V1__init.sql") and files.search("V2__x.sql")
    assert not files.search("app/config.py") and not files.search("notes.sqlx")
    assert hook["require_serial"] is True


def test_the_pre_commit_entry_passes_clean_files_and_fails_an_error(tmp_path: Path) -> None:
    (hook,) = hooks()
    command = [str(BIN / hook["entry"].split()[0]), *hook["entry"].split()[1:]]
    clean = [str(path) for path in sorted(EXAMPLES.glob("*.sql"))]
    assert subprocess.run([*command, *clean], capture_output=True, check=False).returncode == 0
    bad = tmp_path / "V9__drop_fax.sql"
    bad.write_text(DROP_COLUMN)
    result = subprocess.run([*command, str(bad)], capture_output=True, text=True, check=False)
    assert result.returncode == 1 and "drop-column" in result.stdout


def _docs_ci() -> str:
    return (ROOT / "docs" / "ci.md").read_text()


def _yaml_block(after_heading: str) -> dict[str, Any]:
    section = _docs_ci().split(after_heading, 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    data = yaml.safe_load(block)
    assert isinstance(data, dict)
    return data


def test_the_gitlab_snippet_writes_the_code_quality_report_it_declares(tmp_path: Path) -> None:
    (job,) = _yaml_block("## GitLab CI").values()
    report = job["artifacts"]["reports"]["codequality"]
    assert job["artifacts"]["when"] == "always"
    assert job["image"]["entrypoint"] == [""]
    (script,) = job["script"]
    assert script.startswith("schemabot lint ") and script.endswith(f"> {report}")
    migrations = tmp_path / "db" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "V1__drop_fax.sql").write_text(DROP_COLUMN)
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env={"PATH": f"{BIN}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr  # an error finding fails the job
    (issue,) = json.loads((tmp_path / report).read_text())
    assert issue["check_name"] == "drop-column" and issue["severity"] == "critical"
    assert issue["location"] == {
        "path": "db/migrations/V1__drop_fax.sql",
        "lines": {"begin": 3, "end": 3},
    }


def test_the_documented_workflow_uses_inputs_the_action_has() -> None:
    workflow = _yaml_block("## GitHub Actions")
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    (step,) = [s for s in workflow["jobs"]["schemabot"]["steps"] if "schemabot@" in s["uses"]]
    assert set(step["with"]) <= set(action["inputs"])
    documented = set(re.findall(r"^\| `([\w-]+)` \|", _docs_ci(), re.MULTILINE))
    assert set(action["inputs"]) <= documented


@pytest.mark.parametrize("name", ["ci.md", "deployment.md", "operations.md", "security.md"])
def test_relative_links_of_the_deployment_docs_resolve(name: str) -> None:
    path = ROOT / "docs" / name
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text()):
        if "://" not in target:
            assert (path.parent / target).exists(), f"{name} links to missing {target}"
