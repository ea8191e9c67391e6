"""The task metadata endpoint v4, as Fargate serves it to a task's containers.

A container finds it in `ECS_CONTAINER_METADATA_URI_V4` (`<fakeecs>/v4/<key>`), and
reads `/` (itself), `/task` (the task and all its containers), `/taskWithTags`,
`/stats` and `/task/stats` (Docker's stats). The shapes follow the AWS developer
guide's "task metadata v4 JSON response for tasks on Fargate"; values come from
the engine's task and from what Docker says of the container.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

from fakeecs.engine import Engine
from fakeecs.model import Container, Task

PREFIX = "/v4/"


class ContainerSource(Protocol):
    """What the docker backend offers the endpoint (`fakeecs.containers.DockerRuntime`)."""

    def container_at(self, key: str) -> tuple[str, str] | None: ...

    def inspect(self, task_arn: str, name: str) -> dict[str, Any]: ...

    def stats(self, task_arn: str, name: str) -> dict[str, Any]: ...


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _network(task: Task) -> list[dict[str, Any]]:
    ip = task.private_ip or "10.0.0.2"
    dashed = ip.replace(".", "-")
    return [
        {
            "NetworkMode": "awsvpc",
            "IPv4Addresses": [ip],
            "AttachmentIndex": 0,
            "IPv4SubnetCIDRBlock": "10.0.0.0/16",
            "DomainNameServers": ["10.0.0.2"],
            "DomainNameSearchList": [f"{task.region}.compute.internal"],
            "PrivateDNSName": f"ip-{dashed}.{task.region}.compute.internal",
            "SubnetGatewayIpv4Address": "10.0.0.1/16",
        }
    ]


def container_document(
    task: Task, container: Container, definition: dict[str, Any], docker: dict[str, Any]
) -> dict[str, Any]:
    """One container as `${ECS_CONTAINER_METADATA_URI_V4}` describes it."""
    config = docker.get("Config") or {}
    state = docker.get("State") or {}
    doc: dict[str, Any] = {
        "DockerId": docker.get("Id", container.runtime_id or ""),
        "Name": container.name,
        "DockerName": (docker.get("Name") or "").lstrip("/"),
        "Image": container.image,
        "ImageID": docker.get("Image", ""),
        "Labels": {
            k: v for k, v in (config.get("Labels") or {}).items() if k.startswith("com.amazonaws")
        },
        "DesiredStatus": task.desired_status,
        "KnownStatus": container.last_status,
        "Limits": {
            "CPU": int(container.cpu or definition.get("cpu") or 0),
            "Memory": int(container.memory or definition.get("memory") or task.memory or 0),
        },
        "CreatedAt": docker.get("Created"),
        "StartedAt": state.get("StartedAt") if container.last_status != "PENDING" else None,
        "Type": "NORMAL",
        "ContainerARN": container.arn,
        "Networks": _network(task),
    }
    if container.last_status == "STOPPED":
        doc["FinishedAt"] = state.get("FinishedAt")
        if container.exit_code is not None:
            doc["ExitCode"] = container.exit_code
    log = definition.get("logConfiguration") or {}
    if log.get("logDriver"):
        doc["LogDriver"] = log["logDriver"]
        doc["LogOptions"] = dict(log.get("options") or {})
    return {k: v for k, v in doc.items() if v is not None}


def task_document(
    engine: Engine, task: Task, containers: list[dict[str, Any]], with_tags: bool
) -> dict[str, Any]:
    """The task as `${ECS_CONTAINER_METADATA_URI_V4}/task` describes it."""
    family, _, revision = task.task_definition_arn.rsplit("/", 1)[-1].partition(":")
    doc: dict[str, Any] = {
        "Cluster": task.cluster_arn,
        "TaskARN": task.arn,
        "Family": family,
        "Revision": revision,
        "DesiredStatus": task.desired_status,
        "KnownStatus": task.last_status,
        "PullStartedAt": _iso(task.pull_started_at),
        "PullStoppedAt": _iso(task.pull_stopped_at),
        "AvailabilityZone": task.availability_zone,
        "LaunchType": task.launch_type,
        "Containers": containers,
        "ClockDrift": {
            "ClockErrorBound": 0.5,
            "ReferenceTimestamp": _iso(engine.now()),
            "ClockSynchronizationStatus": "SYNCHRONIZED",
        },
        "EphemeralStorageMetrics": {"Utilized": 0, "Reserved": 20496},
        "Networks": _network(task),
    }
    if task.cpu or task.memory:
        doc["Limits"] = {
            **({"CPU": int(task.cpu) / 1024} if task.cpu else {}),
            **({"Memory": int(task.memory)} if task.memory else {}),
        }
    if task.execution_stopped_at is not None:
        doc["ExecutionStoppedAt"] = _iso(task.execution_stopped_at)
    if with_tags:
        doc["TaskTags"] = {t["key"]: t["value"] for t in task.tags}
    return {k: v for k, v in doc.items() if v is not None}


def answer(engine: Engine, source: ContainerSource | None, path: str) -> tuple[int, Any]:
    """(status, JSON) for a GET of `/v4/<key>[/task|/taskWithTags|/stats|/task/stats]`."""
    key, _, rest = path[len(PREFIX) :].partition("/")
    found = source.container_at(key) if source is not None else None
    if found is None:
        return 404, {"error": "NotFound", "message": f"no container has metadata key {key!r}"}
    task_arn, name = found
    with engine.transaction():
        task = engine.find_task(task_arn)
        if task is None:
            return 404, {"error": "NotFound", "message": f"task {task_arn} is no longer known"}
        td = engine.region(task.region).task_definition(task.task_definition_arn)
        definitions = {d["name"]: d for d in td.containers}
        names = [c.name for c in task.containers]
    if rest == "stats":
        return 200, source.stats(task_arn, name)
    if rest == "task/stats":
        return 200, {
            (source.inspect(task_arn, n).get("Id") or n): source.stats(task_arn, n) for n in names
        }
    docker = {n: source.inspect(task_arn, n) for n in names}
    with engine.lock:
        documents = {
            c.name: container_document(task, c, definitions[c.name], docker[c.name])
            for c in task.containers
        }
        if rest == "":
            return 200, documents[name]
        if rest in ("task", "taskWithTags"):
            return 200, task_document(
                engine, task, list(documents.values()), rest == "taskWithTags"
            )
    return 404, {"error": "NotFound", "message": f"no metadata path {rest!r}"}
