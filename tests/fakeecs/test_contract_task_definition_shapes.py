"""RegisterTaskDefinition details moto's own ECS tests exposed, checked against the ECS API reference."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.fakeecs.conftest import fargate_task_definition


def test_fargate_refuses_host_pid_mode_and_keeps_nothing(ecs: Any) -> None:
    """RegisterTaskDefinition's pidMode: "On Fargate for Linux containers, the only valid value is task"."""
    body = {**fargate_task_definition(), "family": "pid-host", "pidMode": "host"}
    with pytest.raises(ClientError) as exc:
        ecs.register_task_definition(**body)
    assert exc.value.response["Error"]["Code"] == "ClientException"
    assert "pidMode 'host'" in exc.value.response["Error"]["Message"]
    assert ecs.list_task_definitions(familyPrefix="pid-host")["taskDefinitionArns"] == []

    shared = ecs.register_task_definition(**{**body, "pidMode": "task"})["taskDefinition"]
    assert shared["pidMode"] == "task"


def test_an_efs_volume_without_root_directory_mounts_the_root(ecs: Any) -> None:
    """EFSVolumeConfiguration.rootDirectory: omitted means the root of the file system, answered as "/"."""
    volumes = [
        {"name": "data", "efsVolumeConfiguration": {"fileSystemId": "fs-1234"}},
        {
            "name": "logs",
            "efsVolumeConfiguration": {"fileSystemId": "fs-1234", "rootDirectory": "/logs"},
        },
    ]
    body = {**fargate_task_definition(), "family": "efs", "volumes": volumes}
    registered = ecs.register_task_definition(**body)["taskDefinition"]
    described = ecs.describe_task_definition(taskDefinition="efs")["taskDefinition"]
    for answer in (registered, described):
        roots = {v["name"]: v["efsVolumeConfiguration"]["rootDirectory"] for v in answer["volumes"]}
        assert roots == {"data": "/", "logs": "/logs"}


def test_a_container_without_cpu_is_shown_with_zero(ecs: Any) -> None:
    """ContainerDefinition.cpu left out: ECS answers 0 (no units reserved), given ones as given."""
    containers = [
        {"name": "main", "image": "example/worker:1"},
        {"name": "side", "image": "example/side:1", "cpu": 128},
    ]
    body = {**fargate_task_definition(), "family": "cpu", "containerDefinitions": containers}
    registered = ecs.register_task_definition(**body)["taskDefinition"]
    described = ecs.describe_task_definition(taskDefinition="cpu")["taskDefinition"]
    for answer in (registered, described):
        assert [c["cpu"] for c in answer["containerDefinitions"]] == [0, 128]
