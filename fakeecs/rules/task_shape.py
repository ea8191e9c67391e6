"""A task as DescribeTasks, RunTask and StopTask return it."""

from __future__ import annotations

from typing import Any

from fakeecs.model import STATE_INDEX, Container, Task


def _container_dict(task: Task, c: Container) -> dict[str, Any]:
    out: dict[str, Any] = {
        "containerArn": c.arn,
        "taskArn": task.arn,
        "name": c.name,
        "image": c.image,
        "lastStatus": c.last_status,
        # the agent reports an EC2 container's host ports once the task is RUNNING
        "networkBindings": [dict(b) for b in c.network_bindings]
        if task.started_at is not None
        else [],
        "networkInterfaces": [],
        "healthStatus": "UNKNOWN",
    }
    if task.network_configuration is not None and task.private_ip:
        out["networkInterfaces"] = [
            {"attachmentId": task.eni_id, "privateIpv4Address": task.private_ip}
        ]
    if c.runtime_id:
        out["runtimeId"] = c.runtime_id
    if task.enable_execute_command:
        out["managedAgents"] = [_exec_agent(task, c)]
    if c.exit_code is not None:
        out["exitCode"] = c.exit_code
    if c.reason:
        out["reason"] = c.reason
    if c.cpu is not None:
        out["cpu"] = c.cpu
    if c.memory is not None:
        out["memory"] = c.memory
    return out


def _exec_agent(task: Task, c: Container) -> dict[str, Any]:
    """ECS Exec's agent runs alongside the container (it starts and stops with it)."""
    status = {"RUNNING": "RUNNING", "STOPPED": "STOPPED"}.get(c.last_status, "PENDING")
    agent: dict[str, Any] = {"name": "ExecuteCommandAgent", "lastStatus": status}
    if status != "PENDING" and task.started_at is not None:
        agent["lastStartedAt"] = task.started_at
    return agent


def _attachment(task: Task) -> list[dict[str, Any]]:
    if task.network_configuration is None:
        return []
    vpc = task.network_configuration.get("awsvpcConfiguration", {})
    index = STATE_INDEX[task.last_status]
    status = (
        "PRECREATED"
        if index < STATE_INDEX["PENDING"]
        else "ATTACHED"
        if index < STATE_INDEX["DEPROVISIONING"]
        else "DELETED"
    )
    details = [{"name": "subnetId", "value": vpc.get("subnets", [""])[0]}]
    if status != "PRECREATED":
        details += [
            {"name": "networkInterfaceId", "value": f"eni-{task.id[:17]}"},
            {"name": "macAddress", "value": ":".join(task.id[i : i + 2] for i in range(0, 12, 2))},
            {
                "name": "privateDnsName",
                "value": f"ip-{task.private_ip.replace('.', '-')}.ec2.internal",
            },
            {"name": "privateIPv4Address", "value": task.private_ip},
        ]
    return [
        {"id": task.eni_id, "type": "ElasticNetworkInterface", "status": status, "details": details}
    ]


_TIMES = (
    ("createdAt", "created_at"),
    ("pullStartedAt", "pull_started_at"),
    ("pullStoppedAt", "pull_stopped_at"),
    ("connectivityAt", "connectivity_at"),
    ("startedAt", "started_at"),
    ("executionStoppedAt", "execution_stopped_at"),
    ("stoppingAt", "stopping_at"),
    ("stoppedAt", "stopped_at"),
)


def task_dict(task: Task, include_tags: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "attachments": _attachment(task),
        "attributes": [{"name": "ecs.cpu-architecture", "value": "x86_64"}],
        "availabilityZone": task.availability_zone,
        "clusterArn": task.cluster_arn,
        "containers": [_container_dict(task, c) for c in task.containers],
        "desiredStatus": task.desired_status,
        "enableExecuteCommand": task.enable_execute_command,
        "lastStatus": task.last_status,
        "launchType": task.launch_type,
        "overrides": {
            "containerOverrides": task.overrides.get("containerOverrides", []),
            "inferenceAcceleratorOverrides": [],
            **{k: v for k, v in task.overrides.items() if k != "containerOverrides"},
        },
        "tags": list(task.tags) if include_tags else [],
        "taskArn": task.arn,
        "taskDefinitionArn": task.task_definition_arn,
        "version": task.version,
        "healthStatus": "UNKNOWN",
    }
    if task.last_status != "PROVISIONING":
        out["connectivity"] = "CONNECTED"
    for wire, attr in _TIMES:
        value = getattr(task, attr)
        if value is not None:
            out[wire] = value
    for wire, value in (
        ("cpu", task.cpu),
        ("memory", task.memory),
        ("group", task.group),
        ("startedBy", task.started_by),
        ("stopCode", task.stop_code),
        ("containerInstanceArn", task.container_instance_arn),
        ("stoppedReason", task.stopped_reason),
    ):
        if value is not None:
            out[wire] = value
    if task.launch_type == "FARGATE":
        out["platformVersion"] = task.platform_version or "1.4.0"
        out["platformFamily"] = "Linux"
        out["ephemeralStorage"] = {"sizeInGiB": 20}
        out["capacityProviderName"] = "FARGATE"
    if task.capacity_provider_name is not None:  # the provider its strategy chose
        out["capacityProviderName"] = task.capacity_provider_name
    return out
