"""The Docker image builds and answers /healthz, hardened as the manifests run it. Needs a Docker
daemon: skipped, with the reason, where none answers (the client alone is not enough)."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.deploy.manifests import ROOT


def _docker() -> str:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker client installed: the image is not built")
    info = subprocess.run(
        [docker, "info", "--format", "{{.ServerVersion}}"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if info.returncode != 0:
        reason = (info.stderr.strip().splitlines() or ["no answer"])[-1]
        pytest.skip(f"no Docker daemon answers ({reason}): the image is not built")
    return docker


@pytest.fixture(scope="module")
def image() -> Iterator[tuple[str, str]]:
    docker = _docker()
    tag = f"schemabot-test:{uuid.uuid4().hex[:12]}"
    build = subprocess.run(
        [docker, "build", "--tag", tag, str(ROOT)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-4000:]
    yield docker, tag
    subprocess.run([docker, "image", "rm", "--force", tag], capture_output=True, check=False)


@pytest.mark.slow
def test_the_image_answers_healthz_read_only_as_its_user(image: tuple[str, str]) -> None:
    docker, tag = image
    name = f"schemabot-test-{uuid.uuid4().hex[:12]}"
    started = subprocess.run(
        [
            docker,
            "run",
            "--detach",
            "--name",
            name,
            # As the Kubernetes manifests run it: read-only root, /tmp writable, no capability.
            "--read-only",
            "--tmpfs",
            "/tmp",
            "--cap-drop",
            "ALL",
            "--security-opt",
            "no-new-privileges:true",
            "--publish",
            "127.0.0.1::8080",
            tag,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode == 0, started.stderr
    try:
        port = (
            subprocess.run(
                [docker, "port", name, "8080/tcp"], capture_output=True, text=True, check=True
            )
            .stdout.split(":")[-1]
            .strip()
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                logs = subprocess.run([docker, "logs", name], capture_output=True, text=True)
                assert time.monotonic() < deadline, f"no answer within 60 s:\n{logs.stderr}"
                time.sleep(0.5)
        assert response.json() == {"status": "ok"}
        user = subprocess.run(
            [docker, "exec", name, "python", "-c", "import os; print(os.getuid())"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert user.stdout.strip() == "10001"
    finally:
        subprocess.run([docker, "rm", "--force", name], capture_output=True, check=False)


@pytest.mark.slow
def test_the_image_runs_the_linter(image: tuple[str, str]) -> None:
    docker, tag = image
    result = subprocess.run(
        [
            docker,
            "run",
            "--rm",
            "--read-only",
            "--volume",
            f"{ROOT / 'examples'}:/examples:ro",
            tag,
            "lint",
            "--no-cache",
            "/examples/migrations",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings" in result.stdout
