"""What fakeecs knows of a container instance: finding it, its tasks, and what they hold.

What remains on an instance is never stored: it is the registered amount less what
its tasks that are not STOPPED hold (their `reservations` entries), so resources come
back when a task stops. Reading only: nothing here changes state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fakeecs.api.cluster_query import InstanceFacts
from fakeecs.engine.state import RegionState
from fakeecs.ids import arn
from fakeecs.model import Cluster, ContainerInstance, Task


def instance_id(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def instance_arn(region: str, cluster: Cluster, ident: str) -> str:
    return arn(region, f"container-instance/{cluster.name}/{ident}")


def ref_arn(region: str, cluster: Cluster, ref: str) -> str:
    """The ARN an ID or ARN names (failures name instances by ARN, known or not)."""
    return ref if ref.startswith("arn:") else instance_arn(region, cluster, ref)


def find(state: RegionState, cluster: Cluster, ref: str) -> ContainerInstance | None:
    """A container instance of `cluster` by ID or ARN (INACTIVE ones included)."""
    found = state.container_instances.get(ref) or state.container_instances.get(
        instance_arn(state.name, cluster, instance_id(ref))
    )
    return found if found is not None and found.cluster_arn == cluster.arn else None


def find_usable(
    state: RegionState, cluster: Cluster, ref: str
) -> tuple[ContainerInstance | None, dict[str, str] | None]:
    """(the instance, None), or (None, the MISSING or INACTIVE failure ECS answers for `ref`)."""
    ci = find(state, cluster, ref)
    if ci is not None and ci.status != "INACTIVE":
        return ci, None
    reason = "MISSING" if ci is None else "INACTIVE"
    return None, {"arn": ref_arn(state.name, cluster, ref), "reason": reason}


def cluster_instances(state: RegionState, cluster: Cluster) -> list[ContainerInstance]:
    return [ci for ci in state.container_instances.values() if ci.cluster_arn == cluster.arn]


def tasks_on(state: RegionState, ci: ContainerInstance) -> list[Task]:
    """The tasks on `ci` that still hold its resources (every one not yet STOPPED)."""
    tasks = (state.tasks.get(a) for a in ci.reservations)
    return [t for t in tasks if t is not None and t.last_status != "STOPPED"]


def _resource(ci: ContainerInstance, name: str) -> dict[str, Any]:
    return next((r for r in ci.registered_resources if r.get("name") == name), {})


def registered_amount(ci: ContainerInstance, name: str) -> int:
    r = _resource(ci, name)
    return int(r.get("integerValue") or r.get("longValue") or r.get("doubleValue") or 0)


def registered_ports(ci: ContainerInstance, name: str) -> set[int]:
    """PORTS or PORTS_UDP as registered: the ports the agent and the host keep for themselves."""
    return {int(p) for p in _resource(ci, name).get("stringSetValue") or [] if str(p).isdigit()}


@dataclass
class Held:
    """What the live tasks of one instance hold: CPU units, MiB, and host ports.

    Static host ports (`tcp`, `udp`) are what ECS lists as reserved in remainingResources;
    dynamic ones (given from the ephemeral range) are held too, but ECS does not list them.
    """

    cpu: int = 0
    memory: int = 0
    tcp: set[int] = field(default_factory=set)
    udp: set[int] = field(default_factory=set)
    dynamic_tcp: set[int] = field(default_factory=set)
    dynamic_udp: set[int] = field(default_factory=set)


def held(state: RegionState, ci: ContainerInstance) -> Held:
    out = Held()
    for task in tasks_on(state, ci):
        taken = ci.reservations[task.arn]
        out.cpu += taken["cpu"]
        out.memory += taken["memory"]
        out.tcp |= set(taken["tcp"])
        out.udp |= set(taken["udp"])
        out.dynamic_tcp |= set(taken.get("dynamic_tcp", ()))
        out.dynamic_udp |= set(taken.get("dynamic_udp", ()))
    return out


def _attribute_map(ci: ContainerInstance) -> dict[str, str | None]:
    return {a["name"]: a.get("value") for a in ci.attributes}


def facts(state: RegionState, ci: ContainerInstance) -> InstanceFacts:
    """The instance as the cluster query language sees it."""
    live = tasks_on(state, ci)
    return InstanceFacts(
        ec2_instance_id=ci.ec2_instance_id,
        registered_at=ci.registered_at,
        running_tasks=sum(1 for t in live if t.last_status == "RUNNING"),
        agent_connected=ci.agent_connected,
        agent_version=str((ci.version_info or {}).get("agentVersion", "")),
        attributes=_attribute_map(ci),
        groups=[t.group or "" for t in live if t.desired_status == "RUNNING"],
    )
