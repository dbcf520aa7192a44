"""The same jobs through arq on real Redis, run by a real `schemabot worker` process."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import load_config
from app.queue.arq_queue import ArqQueue
from app.store import Store

pytestmark = pytest.mark.anyio

SCHEMABOT = [sys.executable, "-c", "from app.cli import main; main()"]


def write_config(tmp_path: Path, redis_url: str) -> Path:
    path = tmp_path / "schemabot.toml"
    path.write_text(
        f'[server]\nstate_url = "sqlite:///{tmp_path}/state.db"\nredis_url = "{redis_url}"\n'
    )
    return path


async def test_a_job_enqueued_twice_runs_once_in_the_worker(tmp_path: Path, redis_url: str) -> None:
    config_path = write_config(tmp_path, redis_url)
    config = load_config(config_path)
    Store(config.server.state_url).upgrade()
    queue = ArqQueue(redis_url)
    await queue.start()
    payload = {"subject": "probe:twice", "token": "t-1"}
    assert await queue.enqueue("probe", job_id="probe:twice", payload=payload)
    assert not await queue.enqueue("probe", job_id="probe:twice", payload=payload)
    await queue.ping()
    await queue.stop()

    worker = await asyncio.to_thread(
        subprocess.run,
        [*SCHEMABOT, "worker", "--burst", "--config", str(config_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SCHEMABOT_LOG_FORMAT": "json"},
        check=False,
    )
    assert worker.returncode == 0, worker.stderr

    # Enqueued again after it ran: arq keeps the result, so the id is still refused.
    queue = ArqQueue(redis_url)
    await queue.start()
    assert not await queue.enqueue("probe", job_id="probe:twice", payload=payload)
    await queue.stop()

    entries = Store(config.server.state_url).audit.entries(subject="probe:twice")
    assert [(e.action, e.detail) for e in entries] == [("probe", {"token": "t-1"})]
    events = [json.loads(line) for line in worker.stderr.splitlines() if line.startswith("{")]
    assert any(event.get("event") == "job.done" for event in events), worker.stderr


async def test_an_unreachable_redis_is_reported_not_fatal() -> None:
    queue = ArqQueue("redis://:pw@127.0.0.1:1/0")
    await queue.start()  # the API still starts; readiness tells the operator
    with pytest.raises(Exception, match=r"127\.0\.0\.1"):
        await queue.ping()
    assert queue.description == "arq on redis://:***@127.0.0.1:1/0"


def test_worker_without_redis_is_bad_usage(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(f'[server]\nstate_url = "sqlite:///{tmp_path}/s.db"\n')
    result = subprocess.run(
        [*SCHEMABOT, "worker", "--config", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "server.redis_url is empty" in result.stderr


def test_the_worker_serves_its_job_metrics(tmp_path: Path, redis_url: str) -> None:
    import socket
    import time

    import httpx

    config_path = write_config(tmp_path, redis_url)
    Store(load_config(config_path).server.state_url).upgrade()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def enqueue() -> None:
        queue = ArqQueue(redis_url)
        await queue.start()
        await queue.enqueue("probe", job_id="probe:metrics", payload={"subject": "probe:metrics"})
        await queue.stop()

    asyncio.run(enqueue())
    worker = subprocess.Popen(
        [*SCHEMABOT, "worker", "--config", str(config_path), "--metrics-port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        text = ""
        while 'schemabot_jobs_total{kind="probe",outcome="success"} 1.0' not in text:
            assert time.monotonic() < deadline, f"no job metric within 30 s: {text[-500:]}"
            time.sleep(0.2)
            try:
                text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=1).text
            except httpx.TransportError:
                assert worker.poll() is None, worker.communicate()[1]
    finally:
        worker.terminate()
        worker.wait(timeout=30)
