"""How one ECS container definition becomes the arguments of a Docker `create`.

Pure data in, pure data out, so what ECS would run is checkable without an engine:
the image, entryPoint and command (a container override's command wins), the
environment (overrides merged by name over the definition's), memory and CPU
limits, and the variables Fargate gives every container (region, execution
environment, the task metadata endpoint).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any

from fakeecs.model import Task

#: ECS's default stopTimeout on Fargate: seconds between SIGTERM and SIGKILL.
DEFAULT_STOP_TIMEOUT = 30
#: The longest stopTimeout Fargate accepts.
MAX_STOP_TIMEOUT = 120

#: Labels on every container fakeecs starts; `fakeecs.instance` says which fakeecs owns it.
INSTANCE_LABEL = "fakeecs.instance"
TASK_LABEL = "fakeecs.task-arn"


@dataclass(frozen=True)
class ContainerSpec:
    """What to create for one container, and how to stop it."""

    name: str
    image: str
    #: `APIClient.create_container` arguments (all but host_config).
    config: dict[str, Any]
    #: `APIClient.create_host_config` arguments.
    host_config: dict[str, Any]
    stop_timeout: int
    #: The key in the task metadata endpoint's URL (`/v4/<key>`), unique per container.
    metadata_key: str


def _override(task: Task, name: str) -> dict[str, Any]:
    for override in task.overrides.get("containerOverrides") or []:
        if override.get("name") == name:
            return override
    return {}


def _environment(definition: dict[str, Any], override: dict[str, Any]) -> dict[str, str]:
    merged = {e["name"]: e.get("value", "") for e in definition.get("environment") or []}
    merged.update({e["name"]: e.get("value", "") for e in override.get("environment") or []})
    return merged


def _mebibytes(value: Any) -> int | None:
    return None if value is None else int(value)


def stop_timeout(definition: dict[str, Any]) -> int:
    value = definition.get("stopTimeout")
    return DEFAULT_STOP_TIMEOUT if value is None else max(0, min(int(value), MAX_STOP_TIMEOUT))


def docker_name(family: str, revision: str, container: str, task_arn: str, instance: str) -> str:
    """The agent's `ecs-<family>-<revision>-<container>-<20 hex>` name, unique per fakeecs instance.

    Task ids come from the seed, so two fakeecs instances on one Docker host (two pytest-xdist
    workers, two harness runs, two fixtures in one process) make the same ids; a suffix drawn
    from the instance as well keeps their container names apart, where the task id would collide.
    """
    suffix = hashlib.sha256(f"{instance}|{task_arn}|{container}".encode()).hexdigest()[:20]
    return f"ecs-{family}-{revision}-{container}-{suffix}"


def container_spec(
    task: Task,
    definition: dict[str, Any],
    *,
    instance: str,
    metadata_key: str,
    endpoint_url: str,
) -> ContainerSpec:
    """The Docker arguments for `definition` in `task`, labelled as fakeecs's own."""
    name = definition["name"]
    override = _override(task, name)
    family, _, revision = task.task_definition_arn.rsplit("/", 1)[-1].partition(":")
    fargate = task.launch_type == "FARGATE"
    provided = {
        # What Fargate sets in every container (platform 1.4).
        "AWS_REGION": task.region,
        "AWS_DEFAULT_REGION": task.region,
        "AWS_EXECUTION_ENV": "AWS_ECS_FARGATE" if fargate else "AWS_ECS_EC2",
        "ECS_CONTAINER_METADATA_URI_V4": f"{endpoint_url}/v4/{metadata_key}",
        "ECS_AGENT_URI": f"{endpoint_url}/api/{metadata_key}",
        # Not ECS: so the container's own AWS calls (S3, logs, ...) reach this fakeecs.
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": "fakeecs",
        "AWS_SECRET_ACCESS_KEY": "fakeecs",
    }
    environment = {**provided, **_environment(definition, override)}
    labels = {
        **(definition.get("dockerLabels") or {}),
        "com.amazonaws.ecs.cluster": task.cluster_arn,
        "com.amazonaws.ecs.container-name": name,
        "com.amazonaws.ecs.task-arn": task.arn,
        "com.amazonaws.ecs.task-definition-family": family,
        "com.amazonaws.ecs.task-definition-version": revision,
        INSTANCE_LABEL: instance,
        TASK_LABEL: task.arn,
    }
    timeout = stop_timeout(definition)
    config: dict[str, Any] = {
        "image": definition["image"],
        "name": docker_name(family, revision, name, task.arn, instance),
        "environment": environment,
        "labels": labels,
        "stop_timeout": timeout,
    }
    # No per-task network namespace: the container shares the host's (docs/known-differences.md).
    host: dict[str, Any] = {"network_mode": "host"}
    command = override.get("command", definition.get("command"))
    if command is not None:
        config["command"] = list(command)
    if definition.get("entryPoint") is not None:
        config["entrypoint"] = list(definition["entryPoint"])
    for key, docker_key in (("workingDirectory", "working_dir"), ("user", "user")):
        if definition.get(key):
            config[docker_key] = definition[key]
    memory = _mebibytes(override.get("memory", definition.get("memory"))) or _mebibytes(task.memory)
    if memory:
        # A hard limit with no swap on top: going over it is an OOM kill, as on Fargate.
        host["mem_limit"] = f"{memory}m"
        host["memswap_limit"] = f"{memory}m"
    reservation = _mebibytes(override.get("memoryReservation", definition.get("memoryReservation")))
    if reservation:
        host["mem_reservation"] = f"{reservation}m"
    cpu = override.get("cpu", definition.get("cpu"))
    if cpu:
        host["cpu_shares"] = max(2, int(cpu))
    if task.cpu:  # Docker refuses more CPUs than the machine has
        vcpus = min(int(task.cpu) / 1024, os.cpu_count() or 1)
        host["nano_cpus"] = int(vcpus * 1_000_000_000)
    return ContainerSpec(
        name=name,
        image=definition["image"],
        config=config,
        host_config=host,
        stop_timeout=timeout,
        metadata_key=metadata_key,
    )
