"""docker-compose.yml and init.yml: every service, volume, variable and port they reference is
defined, and the compose tool itself accepts them (where it is installed)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW_COMPONENTS = {"api-server", "scheduler", "dag-processor", "triggerer", "worker"}
VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?:[:]?[-?][^}]*)?\}")


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / name).read_text())


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_the_stack_has_every_component() -> None:
    services = load("docker-compose.yml")["services"]
    assert set(services) == {"postgres", "redis", "fakeecs", "airflow-cli", *AIRFLOW_COMPONENTS}
    for name in AIRFLOW_COMPONENTS:
        assert services[name]["command"] == [name], name
        assert services[name]["environment"]["COMPONENT"] == name


def test_airflow_points_at_fakeecs_by_default_and_mounts_workflows() -> None:
    compose = load("docker-compose.yml")
    scheduler = compose["services"]["scheduler"]
    assert scheduler["environment"]["AWS_ENDPOINT_URL"] == "${AWS_ENDPOINT_URL-http://fakeecs:5090}"
    assert "./workflows:/opt/airflow/dags" in scheduler["volumes"]
    assert scheduler["environment"]["AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL"] == "30"
    assert compose["services"]["api-server"]["ports"] == ["127.0.0.1:8080:8080"]
    assert compose["services"]["worker"]["stop_grace_period"] == "120s"


@pytest.mark.parametrize("name", ["docker-compose.yml", "init.yml"])
def test_references_resolve(name: str) -> None:
    compose = load(name)
    services, volumes = compose["services"], set(compose.get("volumes") or {})
    for service_name, service in services.items():
        for dependency in service.get("depends_on") or {}:
            assert dependency in services, f"{service_name} depends on unknown {dependency}"
        for mount in service.get("volumes") or []:
            source = mount.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in volumes, f"{service_name} mounts undeclared volume {source}"
            else:
                assert (ROOT / source).exists() or source.startswith("/"), f"{source} missing"
        for port in service.get("ports") or []:
            assert port.startswith("127.0.0.1:"), f"{service_name} publishes {port} beyond loopback"
        extends = service.get("extends")
        if extends:
            assert extends["service"] in load(extends["file"])["services"]


@pytest.mark.parametrize("name", ["docker-compose.yml", "init.yml"])
def test_every_variable_is_documented_in_env_example(name: str) -> None:
    documented = set(env_example())
    used = set(VARIABLE.findall((ROOT / name).read_text()))
    assert used <= documented, f"undocumented in .env.example: {sorted(used - documented)}"


def test_env_example_has_a_comment_for_every_variable() -> None:
    """Every variable sits under a comment (a comment may explain a small group of lines)."""
    explained = False
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.startswith("#"):
            explained = True
        elif not line.strip():
            explained = False
        else:
            assert explained, f"no comment above {line.split('=')[0]}"


def compose_tool() -> list[str] | None:
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


@pytest.mark.parametrize("name", ["docker-compose.yml", "init.yml"])
def test_the_compose_tool_accepts_the_file(name: str) -> None:
    tool = compose_tool()
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have a compose tool: .ci/system-deps installs docker-compose")
        pytest.skip("no compose tool here (apt-get install docker-compose); CI runs this")
    result = subprocess.run(
        [*tool, "-f", name, "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYPI_INDEX_URL": "https://index.invalid/simple"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_local_task_definitions_cover_every_dag() -> None:
    """init.yml registers on fakeecs every task definition family the workflows launch."""
    import json

    families = {
        d["family"].replace("{env}", "dev")
        for d in json.loads((ROOT / "deploy" / "local-task-definitions.json").read_text())
    }
    used = set()
    for dag in (ROOT / "workflows").glob("*.py"):
        for match in re.finditer(r'task_definition="([^"]+)"', dag.read_text()):
            used.add(match.group(1).replace("{{ airflow_environment() }}", "dev"))
    assert used and used <= families, f"not registered locally: {sorted(used - families)}"


def test_the_local_fakeecs_accepts_the_made_up_default_network() -> None:
    """The compose default ECS_NETWORK_CONFIG names subnets no EC2 has: the fakeecs service
    runs lenient on purpose, with arguments `fakeecs serve` takes."""
    from click.testing import CliRunner

    from fakeecs.cli import main

    command = load("docker-compose.yml")["services"]["fakeecs"]["command"]
    assert command[0] == "fakeecs" and "--lenient-network" in command
    answer = CliRunner().invoke(main, ["serve", *command[1:], "--help"])
    assert answer.exit_code == 0, answer.output
    default = env_example()["ECS_NETWORK_CONFIG"]
    assert f"ECS_NETWORK_CONFIG:-{default}" in (ROOT / "docker-compose.yml").read_text()
