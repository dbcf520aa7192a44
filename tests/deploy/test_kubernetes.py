"""The Kubernetes manifests: valid for the API server (kubernetes-validate), rendered by kustomize
as the docs say, hardened, and carrying a config that schemabot accepts against real PostgreSQL
and Redis."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from kubernetes_validate import utils as kubernetes_schemas  # type: ignore[import-untyped]

from app.api import create_app
from app.config import ConfigError, parse_config
from tests.deploy.manifests import (
    BASE,
    OVERLAY,
    ROOT,
    by_kind,
    container,
    documents,
    env_values,
    kustomize,
    markdown_block,
    required_references,
    selects,
)

#: The oldest Kubernetes docs/deployment.md supports, and the newest the validator knows.
KUBERNETES_VERSIONS = ("1.25", kubernetes_schemas.latest_version())
BASE_FILES = sorted(path for path in BASE.glob("*.yaml") if path.name != "kustomization.yaml")
OVERLAY_FILES = sorted(path for path in OVERLAY.glob("*.yaml") if path.name != "kustomization.yaml")
SCHEMABOT_COMPONENTS = ("api", "worker")


def validate(objects: list[dict[str, Any]], version: str) -> None:
    for manifest in objects:
        try:
            kubernetes_schemas.validate(manifest, version, strict=True)
        except kubernetes_schemas.ValidationError as error:
            name = f"{manifest['kind']}/{manifest['metadata']['name']}"
            pytest.fail(f"{name} is not valid for Kubernetes {version}: {error.message}")


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("path", BASE_FILES + OVERLAY_FILES, ids=lambda p: p.name)
def test_every_manifest_file_is_valid(path: Path, version: str) -> None:
    objects = documents(path)
    if path.parent == OVERLAY and path.name != "namespace.yaml":
        # A strategic merge patch holds only what it changes; kustomize merges it (see below).
        assert objects[0]["kind"] == "Deployment"
        return
    validate(objects, version)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("directory", [BASE, OVERLAY], ids=["base", "overlay"])
def test_the_rendered_kustomization_is_valid(directory: Path, version: str) -> None:
    objects = kustomize(directory)
    validate(objects, version)
    kinds = sorted(o["kind"] for o in objects)
    assert kinds.count("Deployment") == 3 and kinds.count("NetworkPolicy") == 4
    assert {"ConfigMap", "PodDisruptionBudget", "Service", "ServiceAccount"} <= set(kinds)


def test_every_file_and_reference_of_the_kustomizations_exists() -> None:
    base = documents(BASE / "kustomization.yaml")[0]
    assert sorted(base["resources"]) == sorted(path.name for path in BASE_FILES)
    for generator in base["configMapGenerator"]:
        assert all((BASE / name).is_file() for name in generator["files"])
    overlay = documents(OVERLAY / "kustomization.yaml")[0]
    for resource in overlay["resources"]:
        assert (OVERLAY / resource).exists(), resource
    for patch in overlay["patches"]:
        target = documents(OVERLAY / patch["path"])[0]
        assert target["metadata"]["name"] in by_kind(
            [o for path in BASE_FILES for o in documents(path)], target["kind"]
        )
    for generator in overlay["configMapGenerator"]:
        assert generator["name"] in {g["name"] for g in base["configMapGenerator"]}
        assert generator["behavior"] == "replace"
        assert all((OVERLAY / name).is_file() for name in generator["files"])


def test_the_overlay_sets_namespace_image_and_sizes() -> None:
    objects = kustomize(OVERLAY)
    assert all(
        o["metadata"].get("namespace") == "schemabot" for o in objects if o["kind"] != "Namespace"
    )
    deployments = by_kind(objects, "Deployment")
    for name, component in (("schemabot-api", "api"), ("schemabot-worker", "worker")):
        image = container(deployments[name], component)["image"]
        assert image == "registry.example.com/platform/schemabot:0.1.0"
    api = deployments["schemabot-api"]
    assert api["spec"]["replicas"] == 3
    # The config refuses several replicas without PostgreSQL and Redis: it must know the count.
    assert env_values(container(api, "api"))["SCHEMABOT_REPLICAS"]["value"] == "3"
    assert container(api, "api")["resources"]["requests"]["cpu"] == "200m"
    assert deployments["schemabot-worker"]["spec"]["replicas"] == 2
    config_maps = by_kind(objects, "ConfigMap")
    assert len(config_maps) == 1
    (config_map,) = config_maps.values()
    overlay_config = (OVERLAY / "schemabot.toml").read_text()
    assert config_map["data"]["schemabot.toml"] == overlay_config
    for deployment in (api, deployments["schemabot-worker"]):
        volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
        assert volumes["config"]["configMap"]["name"] == config_map["metadata"]["name"]


def test_the_api_runs_two_replicas_probed_on_health_and_readiness() -> None:
    api = documents(BASE / "api-deployment.yaml")[0]
    assert api["spec"]["replicas"] == 2
    main = container(api, "api")
    assert env_values(main)["SCHEMABOT_REPLICAS"]["value"] == str(api["spec"]["replicas"])
    assert main["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert main["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert main["startupProbe"]["httpGet"]["path"] == "/healthz"
    port = {p["name"]: p["containerPort"] for p in main["ports"]}["http"]
    assert main["args"][-2:] == ["--port", str(port)]
    assert f"EXPOSE {port}" in (ROOT / "Dockerfile").read_text()
    # The probe's timeout leaves room for /readyz's own per-check limit of 2 s.
    assert main["readinessProbe"]["timeoutSeconds"] > 2
    worker_deployment = documents(BASE / "worker-deployment.yaml")[0]
    worker = container(worker_deployment, "worker")
    assert worker["args"] == ["worker"]
    # The worker serves its own job metrics, on the port it declares and is scraped on.
    metrics_port = {p["name"]: p["containerPort"] for p in worker["ports"]}["metrics"]
    assert env_values(worker)["SCHEMABOT_WORKER_METRICS_PORT"]["value"] == str(metrics_port)
    annotations = worker_deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(metrics_port)


def test_the_disruption_budget_keeps_one_api_pod() -> None:
    budget = documents(BASE / "api-pdb.yaml")[0]
    assert budget["spec"]["minAvailable"] == 1
    api = documents(BASE / "api-deployment.yaml")[0]
    worker = documents(BASE / "worker-deployment.yaml")[0]
    assert selects(budget["spec"]["selector"], api["spec"]["template"]["metadata"]["labels"])
    assert not selects(budget["spec"]["selector"], worker["spec"]["template"]["metadata"]["labels"])


def _pod_specs() -> dict[str, dict[str, Any]]:
    deployments = [documents(path)[0] for path in BASE.glob("*-deployment.yaml")]
    return {d["metadata"]["name"]: d["spec"]["template"]["spec"] for d in deployments}


@pytest.mark.parametrize("name", sorted(_pod_specs()))
def test_every_pod_is_hardened(name: str) -> None:
    pod = _pod_specs()[name]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    for spec in pod["containers"]:
        security = spec["securityContext"]
        assert security["allowPrivilegeEscalation"] is False
        assert security["readOnlyRootFilesystem"] is True
        assert security["capabilities"] == {"drop": ["ALL"]}
        for kind in ("requests", "limits"):
            assert set(spec["resources"][kind]) == {"cpu", "memory"}, kind
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for spec in pod["containers"]:
        for mount in spec.get("volumeMounts", []):
            volume = volumes[mount["name"]]
            assert "emptyDir" in volume or mount.get("readOnly") is True, mount


@pytest.mark.parametrize("component", SCHEMABOT_COMPONENTS)
def test_schemabot_pods_run_as_the_image_user_with_a_writable_tmp(component: str) -> None:
    deployment = documents(BASE / f"{component}-deployment.yaml")[0]
    pod = deployment["spec"]["template"]["spec"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    user = re.search(r"^USER (\d+)$", dockerfile, re.MULTILINE)
    assert user is not None
    assert pod["securityContext"]["runAsUser"] == int(user.group(1))
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m for m in container(deployment, component)["volumeMounts"]}
    assert "emptyDir" in volumes[mounts["/tmp"]["name"]]


@pytest.mark.parametrize("component", SCHEMABOT_COMPONENTS)
def test_the_config_map_is_mounted_where_schemabot_config_points(component: str) -> None:
    deployment = documents(BASE / f"{component}-deployment.yaml")[0]
    spec = container(deployment, component)
    config_path = Path(env_values(spec)["SCHEMABOT_CONFIG"]["value"])
    assert config_path == Path("/etc/schemabot/schemabot.toml")
    mounts = {m["mountPath"]: m for m in spec["volumeMounts"]}
    volume_name = mounts[str(config_path.parent)]["name"]
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    assert volumes[volume_name]["configMap"]["name"] == "schemabot-config"
    assert documents(BASE / "kustomization.yaml")[0]["configMapGenerator"][0]["files"] == [
        config_path.name
    ]


def test_services_reach_the_pods_they_name() -> None:
    deployments = [documents(path)[0] for path in BASE.glob("*-deployment.yaml")]
    for path in BASE.glob("*-service.yaml"):
        service = documents(path)[0]
        matching = [
            d
            for d in deployments
            if selects(
                {"matchLabels": service["spec"]["selector"]},
                d["spec"]["template"]["metadata"]["labels"],
            )
        ]
        assert len(matching) == 1, path.name
        containers = matching[0]["spec"]["template"]["spec"]["containers"]
        ports = {p["name"] for c in containers for p in c.get("ports", [])}
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= ports


def _labels(component: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": "schemabot", "app.kubernetes.io/component": component}


def test_network_policies_admit_only_what_schemabot_needs() -> None:
    policies = by_kind(documents(BASE / "networkpolicy.yaml"), "NetworkPolicy")
    api_ingress = policies["schemabot-api-ingress"]["spec"]
    assert selects(api_ingress["podSelector"], _labels("api"))
    assert [p["port"] for rule in api_ingress["ingress"] for p in rule["ports"]] == [8080]
    worker = policies["schemabot-worker-ingress"]["spec"]
    assert selects(worker["podSelector"], _labels("worker"))
    assert worker["policyTypes"] == ["Ingress"]
    assert [p["port"] for rule in worker["ingress"] for p in rule["ports"]] == [9090]
    redis = policies["schemabot-redis"]["spec"]
    assert selects(redis["podSelector"], _labels("redis"))
    assert set(redis["policyTypes"]) == {"Ingress", "Egress"} and "egress" not in redis
    (rule,) = redis["ingress"]
    (peer,) = rule["from"]
    assert set(peer) == {"podSelector"}  # this namespace only
    for component in SCHEMABOT_COMPONENTS:
        assert selects(peer["podSelector"], _labels(component))
    assert not selects(peer["podSelector"], _labels("redis"))
    assert not selects(peer["podSelector"], {"app.kubernetes.io/component": "api"})
    egress = policies["schemabot-egress"]["spec"]
    for component in SCHEMABOT_COMPONENTS:
        assert selects(egress["podSelector"], _labels(component))
    allowed = {(p["protocol"], p["port"]) for rule in egress["egress"] for p in rule["ports"]}
    assert allowed == {
        ("TCP", 6379),
        ("TCP", 5432),
        ("TCP", 3306),
        ("TCP", 443),
        ("UDP", 53),
        ("TCP", 53),
    }
    redis_rule = next(r for r in egress["egress"] if r["ports"][0]["port"] == 6379)
    assert selects(redis_rule["to"][0]["podSelector"], _labels("redis"))


def _all_base_objects() -> list[dict[str, Any]]:
    return [o for path in BASE_FILES + OVERLAY_FILES for o in documents(path)]


def test_no_secret_value_is_in_a_manifest() -> None:
    assert all(o["kind"] != "Secret" for o in _all_base_objects())
    secret_name = re.compile(r"TOKEN|SECRET|PASSWORD|AUTH|_URL$|_DSN$")
    for o in _all_base_objects():
        pod = o.get("spec", {}).get("template", {}).get("spec", {})
        for spec in pod.get("containers", []):
            for name, item in env_values(spec).items():
                if not secret_name.search(name):
                    continue
                value = item.get("value")
                # Either read from the Secret, or composed of a Secret value ($(VAR)).
                assert value is None or "$(" in value, f"{name} = {value!r} inline"
                if value is None:
                    assert item["valueFrom"]["secretKeyRef"]["name"] == "schemabot"


@pytest.mark.parametrize("path", [BASE / "schemabot.toml", OVERLAY / "schemabot.toml"])
def test_the_config_holds_no_credential(path: Path) -> None:
    text = path.read_text()
    assert not re.search(r"://[^/\s\"$]*:[^@\s\"]*@", text), "credentials in a URL"
    checked = 0
    for key in ("token", "webhook_secret", "api_token", "state_url", "redis_url", "url"):
        for value in re.findall(rf'^\s*{key}\s*=\s*"([^"]*)"', text, re.MULTILINE):
            assert value.startswith("${"), f"{key} = {value!r} is not a ${{VAR}} reference"
            checked += 1
    assert checked >= 7


def _documented_secret_keys() -> set[str]:
    text = (ROOT / "docs" / "deployment.md").read_text()
    return set(re.findall(r"--from-literal=([A-Z_]+)=", text))


def test_the_documented_secret_provides_every_variable_the_pods_need() -> None:
    documented = _documented_secret_keys()
    for component in SCHEMABOT_COMPONENTS:
        deployment = documents(BASE / f"{component}-deployment.yaml")[0]
        spec = container(deployment, component)
        given = set(env_values(spec))
        needed = required_references((OVERLAY / "schemabot.toml").read_text()) - given
        assert needed <= documented, f"the Secret in docs/deployment.md lacks {needed - documented}"
        keys = {
            item["valueFrom"]["secretKeyRef"]["key"]
            for item in env_values(spec).values()
            if "valueFrom" in item
        }
        assert keys <= documented
        assert [source["secretRef"]["name"] for source in spec["envFrom"]] == ["schemabot"]


def _pod_environment(component: str, secret: dict[str, str]) -> dict[str, str]:
    """The environment Kubernetes gives a container: the Secret, then ``env`` with $(VAR)."""
    deployment = documents(BASE / f"{component}-deployment.yaml")[0]
    environment = dict(secret)
    for item in container(deployment, component)["env"]:
        if "value" in item:
            environment[item["name"]] = re.sub(
                r"\$\((\w+)\)", lambda m: environment[m.group(1)], item["value"]
            )
        else:
            environment[item["name"]] = secret[item["valueFrom"]["secretKeyRef"]["key"]]
    return environment


def _secret(state_url: str) -> dict[str, str]:
    return {
        "SCHEMABOT_STATE_URL": state_url,
        "REDIS_PASSWORD": "0123abcd",
        "GITHUB_TOKEN": "ghp_test",
        "GITHUB_WEBHOOK_SECRET": "hooksecret",
        "STAGING_DATABASE_URL": "postgresql://migrator:pw@staging-db.internal/shop",
        "PRODUCTION_DATABASE_URL": "postgresql://migrator:pw@prod-db.internal/shop",
    }


def test_several_replicas_on_sqlite_are_refused() -> None:
    environment = _pod_environment("api", _secret("sqlite:////tmp/state.db"))
    environment["SCHEMABOT_REPLICAS"] = "3"
    with pytest.raises(ConfigError) as raised:
        parse_config((OVERLAY / "schemabot.toml").read_text(), env=environment)
    assert any("replicas = 3 needs a PostgreSQL state_url" in p for p in raised.value.problems)


@pytest.mark.parametrize("path", [BASE / "schemabot.toml", OVERLAY / "schemabot.toml"])
def test_the_pod_config_serves_on_real_postgres_and_redis(
    path: Path, postgres_url: str, redis_url: str
) -> None:
    """The API pod's environment, with the in-cluster Redis URL pointed at the test Redis."""
    environment = _pod_environment("api", _secret(postgres_url))
    assert environment["SCHEMABOT_REDIS_URL"] == "redis://:0123abcd@schemabot-redis:6379/0"
    environment["SCHEMABOT_REDIS_URL"] = redis_url
    config = parse_config(path.read_text(), env=environment)
    assert config.server.replicas == 2
    with TestClient(create_app(config)) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["forges"]["github"] == "enabled"


def test_the_worker_pod_command_runs_with_the_overlay_config(
    postgres_url: str, redis_url: str
) -> None:
    environment = _pod_environment("worker", _secret(postgres_url))
    environment["SCHEMABOT_REDIS_URL"] = redis_url
    environment["SCHEMABOT_CONFIG"] = str(OVERLAY / "schemabot.toml")
    args = container(documents(BASE / "worker-deployment.yaml")[0], "worker")["args"]
    schemabot = Path(sys.executable).parent / "schemabot"
    result = subprocess.run(
        [str(schemabot), *args, "--burst"],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "pw@" not in result.stderr and "0123abcd" not in result.stderr


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_the_documented_ingress_is_valid_and_routes_only_webhooks(version: str) -> None:
    text = (ROOT / "docs" / "deployment.md").read_text()
    ingress = yaml.safe_load(markdown_block(text, "Expose the webhooks", "yaml"))
    validate([ingress], version)
    service = documents(BASE / "api-service.yaml")[0]
    (rule,) = ingress["spec"]["rules"]
    (path,) = rule["http"]["paths"]
    assert (path["path"], path["pathType"]) == ("/webhooks/", "Prefix")
    backend = path["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] in {port["name"] for port in service["spec"]["ports"]}


def test_the_documented_config_check_passes_on_the_example_overlay() -> None:
    text = (ROOT / "docs" / "deployment.md").read_text()
    command = markdown_block(text, "**Check the config**")
    assert "overlays/production/" in command  # the docs' copy of the example overlay
    command = command.replace("overlays/production/", "overlays/example/")
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command],
        cwd=ROOT,
        env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "queue: arq on redis://:***@schemabot-redis:6379/0" in result.stdout
    assert "-> production: postgresql://m:***@prod-db.internal/shop approval" in result.stdout
