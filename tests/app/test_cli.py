"""The `schemabot` command: version, check-config, and a real `serve` answering /healthz."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.json_logs import logged_events

ROOT = Path(__file__).parents[2]
SCHEMABOT = [sys.executable, "-c", "from app.cli import main; main()"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SCHEMABOT, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
        cwd=ROOT,
    )


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("schemabot ")


def test_check_config_prints_the_setup_with_masked_secrets() -> None:
    result = run(
        "check-config",
        env={
            "SCHEMABOT_CONFIG": "schemabot.example.toml",
            "PRODUCTION_DATABASE_URL": "postgresql://migrator:hunter2@db.internal/shop",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "-> production: postgresql://migrator:***@db.internal/shop approval" in result.stdout
    assert "forge github: disabled" in result.stdout
    assert "hunter2" not in result.stdout + result.stderr


def test_a_bad_config_lists_every_problem_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        '[[repositories]]\nforge = "github"\nname = "a/b"\n'
        '[[repositories.environments]]\nname = "prod"\nurl = "${PROD_URL}"\nsoak = "soon"\n'
    )
    result = run("check-config", "--config", str(path))
    assert result.returncode == 2
    assert f"{path} is not a valid schemabot config" in result.stderr
    assert "repositories[0].environments[0].url: environment variable PROD_URL is not set" in (
        result.stderr
    )
    assert "repositories[0].environments[0].soak: expected a duration" in result.stderr


def test_no_config_is_bad_usage() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SCHEMABOT_CONFIG"}
    result = subprocess.run(
        [*SCHEMABOT, "check-config"], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 2
    assert "pass --config FILE or set SCHEMABOT_CONFIG" in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_healthz_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "SCHEMABOT_STATE_URL": f"sqlite:///{tmp_path}/state.db"}
    process = subprocess.Popen(
        [*SCHEMABOT, "serve", "--config", "schemabot.example.toml", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.communicate()[1]
                assert time.monotonic() < deadline, "serve did not answer within 30 s"
                time.sleep(0.1)
        assert response.json() == {"status": "ok"}
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        assert ready.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    # uvicorn finishes its shutdown, then re-raises the signal so the exit status tells it.
    assert process.returncode in (0, -signal.SIGTERM), stderr
    events = logged_events(stderr)
    assert "forge.disabled" in events and "service.stopped" in events
