"""Files that are not Python but must stay correct: Dockerfile, CI workflow, README, CI script."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[1]


def test_dockerfile_is_clean_under_hadolint() -> None:
    hadolint = shutil.which("hadolint") or str(Path(ROOT / ".venv/bin/hadolint"))
    if not Path(hadolint).exists():
        pytest.fail("hadolint is a dev dependency and must be installed (make test installs it)")
    result = subprocess.run(
        [hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_workflow_runs_the_suite_against_real_services() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    job = workflow["jobs"]["test"]
    assert set(job["services"]) == {"postgres", "mariadb", "redis"}
    assert any(step.get("run") == "make test" for step in job["steps"])


def test_readme_shows_the_two_commands_first() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```sh", 1)[1].split("```", 1)[0]
    assert "make run" in first_block and "make test" in first_block


def test_ci_script_runs_the_readme_test_command() -> None:
    script = (ROOT / ".ci/run").read_text()
    assert script.rstrip().endswith("make test")
    assert (ROOT / ".ci/run").stat().st_mode & 0o111
