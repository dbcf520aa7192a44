"""deploy/compose.yaml: the four services, healthchecks that the depends_on conditions can wait
for, the config mounted where SCHEMABOT_CONFIG points, no secret inline; and the secrets step of
docs/deployment.md, run as written, gives an environment schemabot starts with."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from app.api import create_app
from app.config import load_config
from tests.deploy.manifests import ROOT, markdown_block, required_references

COMPOSE = ROOT / "deploy" / "compose.yaml"
SCHEMABOT_SERVICES = ("api", "worker")
SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|_URL$|_DSN$")


def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(data, dict)
    return data


def services() -> dict[str, dict[str, Any]]:
    return dict(compose()["services"])


def test_the_file_runs_api_worker_redis_and_postgres() -> None:
    assert set(services()) == {"api", "worker", "redis", "postgres"}
    assert services()["api"]["command"][0] == "serve"
    assert services()["worker"]["command"] == ["worker"]
    assert "worker" in (ROOT / "app" / "cli.py").read_text()


def test_every_dependency_waits_for_a_healthcheck_that_exists() -> None:
    all_services = services()
    for name in SCHEMABOT_SERVICES:
        depends_on = all_services[name]["depends_on"]
        assert {"postgres", "redis"} <= set(depends_on), name
        for dependency, condition in depends_on.items():
            assert condition == {"condition": "service_healthy"}, (name, dependency)
            check = all_services[dependency].get("healthcheck", {})
            assert check.get("test") and not check.get("disable"), dependency
    assert all_services["worker"]["depends_on"]["api"] == {"condition": "service_healthy"}


def test_healthchecks_ask_the_right_things() -> None:
    all_services = services()
    api_check = " ".join(all_services["api"]["healthcheck"]["test"])
    port = all_services["api"]["command"][all_services["api"]["command"].index("--port") + 1]
    assert f"http://127.0.0.1:{port}/readyz" in api_check
    assert all_services["api"]["ports"][0].endswith(f":{port}")
    assert "redis-cli" in all_services["redis"]["healthcheck"]["test"]
    assert "pg_isready" in all_services["postgres"]["healthcheck"]["test"]
    # The image's own HEALTHCHECK asks port 8080, which a worker does not serve.
    assert "HEALTHCHECK" in (ROOT / "Dockerfile").read_text()
    assert all_services["worker"]["healthcheck"] == {"disable": True}


def test_only_the_api_publishes_a_port_on_loopback_by_default() -> None:
    all_services = services()
    assert all("ports" not in all_services[name] for name in ("worker", "redis", "postgres"))
    (published,) = all_services["api"]["ports"]
    assert published.startswith("${SCHEMABOT_BIND:-127.0.0.1}:")


@pytest.mark.parametrize("name", SCHEMABOT_SERVICES)
def test_schemabot_containers_are_hardened_and_read_the_mounted_config(name: str) -> None:
    service = services()[name]
    assert service["read_only"] is True and service["tmpfs"] == ["/tmp"]
    assert service["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in service["security_opt"]
    (mount,) = service["volumes"]
    assert mount["target"] == service["environment"]["SCHEMABOT_CONFIG"]
    assert mount["read_only"] is True
    default = re.fullmatch(r"\$\{SCHEMABOT_CONFIG_FILE:-(.+)\}", mount["source"])
    assert default is not None
    assert (COMPOSE.parent / default.group(1)).resolve() == ROOT / "schemabot.example.toml"
    assert service["build"]["context"] == ".."
    assert (COMPOSE.parent / service["build"]["context"] / "Dockerfile").is_file()


def test_no_secret_value_is_inline() -> None:
    all_services = services()
    for name, service in all_services.items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(key) and not key.endswith("_FILE"):
                assert "://" in str(value) and "@" not in str(value), f"{name}: {key} inline"
    for name in SCHEMABOT_SERVICES:
        assert all_services[name]["env_file"] == "schemabot.env"
        assert "SCHEMABOT_STATE_URL" not in all_services[name]["environment"]
    postgres = all_services["postgres"]
    assert "POSTGRES_PASSWORD" not in postgres["environment"]
    secret_file = Path(postgres["environment"]["POSTGRES_PASSWORD_FILE"])
    assert secret_file.parent == Path("/run/secrets")
    assert postgres["secrets"] == [secret_file.name]
    assert compose()["secrets"][secret_file.name] == {"file": secret_file.name}
    text = COMPOSE.read_text()
    assert not re.search(r"://[^/\s\"$]*:[^@\s\"]*@", text), "credentials in a URL"
    assert not re.search(r"(?i)(password|secret|token)[ \t]*[:=][ \t]*[\"']?\w{6,}", text)


def _docs_secrets_step() -> str:
    text = (ROOT / "docs" / "deployment.md").read_text()
    return markdown_block(text, "## Single host: docker compose")


def _env_file(path: Path) -> dict[str, str]:
    lines = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_the_documented_secrets_step_writes_what_compose_reads(tmp_path: Path) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: the documented secrets step cannot run here")
    script = _docs_secrets_step()
    # The step starts with `cd deploy` from the repository root: run it in a copy of that.
    (tmp_path / "deploy").mkdir()
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    deploy = tmp_path / "deploy"
    password = (deploy / "postgres_password").read_text()
    assert re.fullmatch(r"[0-9a-f]{48}", password)
    environment = _env_file(deploy / "schemabot.env")
    postgres = services()["postgres"]["environment"]
    assert environment["SCHEMABOT_STATE_URL"] == (
        f"postgresql://{postgres['POSTGRES_USER']}:{password}@postgres:5432/{postgres['POSTGRES_DB']}"
    )
    for name in ("schemabot.env", "postgres_password"):
        assert (deploy / name).stat().st_mode & 0o077 == 0, f"{name} is readable by others"


def test_the_compose_environment_starts_schemabot_on_real_postgres_and_redis(
    tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    """The API container's environment: schemabot.env from the docs, then compose's own."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: the documented secrets step cannot run here")
    (tmp_path / "deploy").mkdir()
    subprocess.run(["bash", "-c", _docs_secrets_step()], cwd=tmp_path, check=True, timeout=60)
    environment = {
        **_env_file(tmp_path / "deploy" / "schemabot.env"),
        **services()["api"]["environment"],
    }
    config_text = (ROOT / "schemabot.example.toml").read_text()
    assert required_references(config_text) <= set(environment)
    # The compose host names (postgres, redis) are this machine's test servers here.
    environment["SCHEMABOT_STATE_URL"] = postgres_url
    environment["SCHEMABOT_REDIS_URL"] = redis_url
    config = load_config(ROOT / "schemabot.example.toml", env=environment)
    assert config.server.redis_url == redis_url
    assert config.forges.github.enabled
    with TestClient(create_app(config)) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"store": "ok", "queue": "ok"}
