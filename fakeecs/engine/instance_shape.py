"""A container instance as RegisterContainerInstance, DescribeContainerInstances and the
other container instance operations return it."""

from __future__ import annotations

from typing import Any

from fakeecs.engine import ec2_identity
from fakeecs.engine.instance_state import held, registered, tasks_on
from fakeecs.engine.state import RegionState
from fakeecs.model import ContainerInstance
from fakeecs.rules.task_counts import instance_pending, instance_running


def _remaining(state: RegionState, ci: ContainerInstance) -> list[dict[str, Any]]:
    """What is left: the registered amounts less what live tasks hold. PORTS lists the
    reserved ports (the agent's and tasks' static hostPorts), not dynamic ones, as ECS does."""
    taken = held(state, ci)
    own = registered(ci)
    tcp = own.tcp | taken.tcp
    udp = own.udp | taken.udp
    return [
        ec2_identity.integer_resource("CPU", own.cpu - taken.cpu),
        ec2_identity.integer_resource("MEMORY", own.memory - taken.memory),
        ec2_identity.set_resource("PORTS", [str(p) for p in tcp]),
        ec2_identity.set_resource("PORTS_UDP", [str(p) for p in udp]),
    ]


def _health(ci: ContainerInstance) -> dict[str, Any]:
    return {
        "overallStatus": "OK",
        "details": [
            {
                "type": "CONTAINER_RUNTIME",
                "status": "OK",
                "lastUpdated": ci.registered_at,
                "lastStatusChange": ci.registered_at,
            }
        ],
    }


def instance_dict(
    state: RegionState, ci: ContainerInstance, include: list[str] | tuple[str, ...] = ()
) -> dict[str, Any]:
    live = tasks_on(state, ci)
    out: dict[str, Any] = {
        "containerInstanceArn": ci.arn,
        "ec2InstanceId": ci.ec2_instance_id,
        "version": ci.version,
        "versionInfo": dict(ci.version_info),
        **({"agentUpdateStatus": ci.agent_update_status} if ci.agent_update_status else {}),
        "remainingResources": _remaining(state, ci),
        "registeredResources": [dict(r) for r in ci.registered_resources],
        "status": ci.status,
        "agentConnected": ci.agent_connected and ci.status != "INACTIVE",
        "runningTasksCount": instance_running(live),
        "pendingTasksCount": instance_pending(live),
        "attributes": [dict(a) for a in ci.attributes],
        "registeredAt": ci.registered_at,
        "attachments": [],
        "tags": list(ci.tags) if "TAGS" in include else [],
    }
    if ci.capacity_provider_name:
        out["capacityProviderName"] = ci.capacity_provider_name
    if ci.status_reason:
        out["statusReason"] = ci.status_reason
    if "CONTAINER_INSTANCE_HEALTH" in include:
        out["healthStatus"] = _health(ci)
    return out
