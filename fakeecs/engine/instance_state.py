"""What fakeecs knows of a container instance: finding it, its tasks, and what they hold.

What remains on an instance is never stored: it is the registered amount less what
its tasks that are not STOPPED hold (their `reservations` entries), so resources come
back when a task stops. Reading only: nothing here changes state.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from fakeecs.engine.state import RegionState
from fakeecs.ids import arn
from fakeecs.model import Cluster, ContainerInstance, Task
from fakeecs.rules.cluster_query import InstanceFacts
from fakeecs.rules.task_counts import instance_running


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


@dataclass
class Registered:
    """What an instance registered, read in one pass over its registeredResources: CPU units,
    MiB, and the host ports the agent and the host keep for themselves (PORTS, PORTS_UDP)."""

    cpu: int = 0
    memory: int = 0
    tcp: set[int] = field(default_factory=set)
    udp: set[int] = field(default_factory=set)


def registered(ci: ContainerInstance) -> Registered:
    out = Registered()
    for r in ci.registered_resources:
        name = r.get("name")
        if name in ("CPU", "MEMORY"):
            amount = int(r.get("integerValue") or r.get("longValue") or r.get("doubleValue") or 0)
            setattr(out, name.lower(), amount)
        elif name in ("PORTS", "PORTS_UDP"):
            ports = {int(p) for p in r.get("stringSetValue") or [] if str(p).isdigit()}
            setattr(out, "tcp" if name == "PORTS" else "udp", ports)
    return out


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


def held(state: RegionState, ci: ContainerInstance, live: list[Task] | None = None) -> Held:
    """What `ci`'s live tasks hold (`live`: tasks_on(state, ci), when the caller has it already)."""
    out = Held()
    for task in tasks_on(state, ci) if live is None else live:
        taken = ci.reservations[task.arn]
        out.cpu += taken["cpu"]
        out.memory += taken["memory"]
        out.tcp |= set(taken["tcp"])
        out.udp |= set(taken["udp"])
        out.dynamic_tcp |= set(taken.get("dynamic_tcp", ()))
        out.dynamic_udp |= set(taken.get("dynamic_udp", ()))
    return out


class AttributeView(Mapping[str, str | None]):
    """An instance's attributes by name, built on first use: most placements never read them,
    and building the map for every instance was most of an EC2 RunTask's cost."""

    def __init__(self, attributes: list[dict[str, Any]]) -> None:
        self._attributes = attributes
        self._by_name: dict[str, str | None] | None = None

    def _map(self) -> dict[str, str | None]:
        if self._by_name is None:
            self._by_name = {a["name"]: a.get("value") for a in self._attributes}
        return self._by_name

    def __getitem__(self, name: str) -> str | None:
        return self._map()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._map())

    def __len__(self) -> int:
        return len(self._map())


def facts(
    state: RegionState, ci: ContainerInstance, live: list[Task] | None = None
) -> InstanceFacts:
    """The instance as the cluster query language sees it (`live` as for `held`)."""
    live = tasks_on(state, ci) if live is None else live
    return InstanceFacts(
        ec2_instance_id=ci.ec2_instance_id,
        registered_at=ci.registered_at,
        running_tasks=instance_running(live),
        agent_connected=ci.agent_connected,
        agent_version=str((ci.version_info or {}).get("agentVersion", "")),
        attributes=AttributeView(ci.attributes),
        groups=[t.group or "" for t in live if t.desired_status == "RUNNING"],
    )
