"""Putting one EC2 task on a container instance: `place` chooses, `claim` takes.

RunTask, StartTask and the service scheduler all go through these two. `place`
changes nothing (the choice itself is `placement.choose`, pure); `claim` records
what the task holds on the instance until it STOPS (CPU, memory, static host ports)
and gives its dynamic host ports, which become the containers' networkBindings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fakeecs import errors
from fakeecs.engine.instance_state import (
    Held,
    Registered,
    cluster_instances,
    facts,
    held,
    registered,
    tasks_on,
)
from fakeecs.engine.state import RegionState
from fakeecs.model import Cluster, ContainerInstance, Task, TaskDefinition
from fakeecs.rules import placement

if TYPE_CHECKING:
    from fakeecs.engine.core import Engine

NO_INSTANCES = "No Container Instances were found in your cluster."
NO_INSTANCES_IN_PROVIDER = "No Container Instances were found in your capacity provider."
#: Where containers' host ports listen (ECS_EXCLUDE_IPV6_PORTBINDING is on by default, so the
#: agent reports no "::" binding beside it).
BIND_IP = "0.0.0.0"


@dataclass
class Placement:
    """Where one task goes (instance_arn and what it takes) or why it goes nowhere (failure)."""

    instance_arn: str | None
    need: placement.Need | None = None
    failure: dict[str, str] | None = None
    mappings: list[placement.PortMapping] = field(default_factory=list)
    #: The view `place` chose from, so that `claim` can drop the instance it changes.
    candidates: Candidates | None = None


def _busy_ports(own: Registered, taken: Held) -> dict[str, set[int]]:
    """Host ports in use by protocol: reserved ones, and static and dynamic ones of live tasks."""
    return {
        "tcp": own.tcp | taken.tcp | taken.dynamic_tcp,
        "udp": own.udp | taken.udp | taken.dynamic_udp,
    }


def candidate(state: RegionState, ci: ContainerInstance) -> placement.Candidate:
    """The instance as placement sees it (a dynamic port in use conflicts with a static one)."""
    live = tasks_on(state, ci)
    taken = held(state, ci, live)
    own = registered(ci)
    busy = _busy_ports(own, taken)
    return placement.Candidate(
        arn=ci.arn,
        status=ci.status,
        facts=facts(state, ci, live),
        cpu_left=own.cpu - taken.cpu,
        memory_left=own.memory - taken.memory,
        tcp_used=busy["tcp"],
        udp_used=busy["udp"],
    )


class Candidates:
    """The instances as placement sees them, each built once per call and rebuilt after a claim.

    RunTask(count=10) on a cluster of 1,000 instances would otherwise read every instance's
    tasks ten times; with one `Candidates` per call it reads them once, and `claim` drops
    only the instance it changed.
    """

    def __init__(self, state: RegionState) -> None:
        self._state = state
        self._built: dict[str, placement.Candidate] = {}

    def of(self, ci: ContainerInstance) -> placement.Candidate:
        built = self._built.get(ci.arn)
        if built is None:
            built = self._built[ci.arn] = candidate(self._state, ci)
        return built

    def forget(self, arn: str) -> None:
        self._built.pop(arn, None)


def place(
    engine: Engine,
    region: str,
    cluster: Cluster,
    td: TaskDefinition,
    *,
    overrides: dict[str, Any] | None = None,
    group: str | None = None,
    constraints: list[dict[str, Any]] | None = None,
    strategies: list[dict[str, Any]] | None = None,
    capacity_provider_name: str | None = None,
    only: list[str] | None = None,
    candidates: Candidates | None = None,
) -> Placement:
    """Choose the container instance for one EC2 task (nothing changes until `claim`).

    Constraints are the task definition's plus `constraints`; `strategies` default to
    random. `capacity_provider_name` keeps to instances registered with that provider;
    `only` (StartTask) to the instances named, and then no constraint applies. Raises
    InvalidParameterException when the cluster (or provider) has no ACTIVE or DRAINING
    instance at all, as ECS does. `candidates` carries the instances' view from one
    placement to the next of the same call (`claim` keeps it true).
    """
    state = engine.region(region)
    seen = candidates if candidates is not None else Candidates(state)
    need = placement.task_needs(td.body, overrides or {})
    rules = placement.parse_constraints(list(constraints or []))
    if only is None:
        rules += placement.parse_constraints(
            list(td.body.get("placementConstraints") or []), from_task_definition=True
        )
    chosen_strategies = placement.check_strategies(list(strategies or [])) or [{"type": "random"}]
    pool = [
        ci
        for ci in cluster_instances(state, cluster)
        if ci.status in ("ACTIVE", "DRAINING")
        and (capacity_provider_name is None or ci.capacity_provider_name == capacity_provider_name)
        and (only is None or ci.arn in only)
    ]
    if not pool:
        raise errors.invalid_parameter(
            NO_INSTANCES if capacity_provider_name is None else NO_INSTANCES_IN_PROVIDER
        )
    chosen, failure = placement.choose(
        [seen.of(ci) for ci in pool],
        need,
        group=group or f"family:{td.family}",
        constraints=rules,
        strategies=chosen_strategies,
        rng=engine.rng,
    )
    if chosen is None:
        return Placement(None, need, failure)
    return Placement(chosen.arn, need, mappings=placement.port_mappings(td.body), candidates=seen)


def _bind(
    state: RegionState, ci: ContainerInstance, mappings: list[placement.PortMapping]
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[int]]]:
    """(container name -> its networkBindings, protocol -> the dynamic ports given)."""
    busy = _busy_ports(registered(ci), held(state, ci))
    for m in mappings:  # the task's own static ports are not free for its dynamic ones
        if m.host_port is not None:
            busy[m.protocol].add(m.host_port)
    bindings: dict[str, list[dict[str, Any]]] = {}
    dynamic: dict[str, list[int]] = {"tcp": [], "udp": []}
    for m in mappings:
        port = m.host_port
        if port is None:
            port = placement.next_dynamic_port(busy[m.protocol], ci.last_dynamic_port)
            ci.last_dynamic_port = port
            busy[m.protocol].add(port)
            dynamic[m.protocol].append(port)
        bindings.setdefault(m.container, []).append(
            {
                "bindIP": BIND_IP,
                "containerPort": m.container_port,
                "hostPort": port,
                "protocol": m.protocol,
            }
        )
    return bindings, dynamic


def claim(engine: Engine, region: str, where: Placement, task: Task) -> None:
    """Put `task` on the instance `place` chose: it holds the resources until it STOPS."""
    state = engine.region(region)
    ci = state.container_instances[where.instance_arn or ""]
    live = {t.arn for t in tasks_on(state, ci)}
    ci.reservations = {a: r for a, r in ci.reservations.items() if a in live}
    need = where.need or placement.Need(0, 0)
    bindings, dynamic = _bind(state, ci, where.mappings)
    if where.candidates is not None:
        where.candidates.forget(ci.arn)
    ci.reservations[task.arn] = {
        "cpu": need.cpu,
        "memory": need.memory,
        "tcp": list(need.tcp),
        "udp": list(need.udp),
        "dynamic_tcp": dynamic["tcp"],
        "dynamic_udp": dynamic["udp"],
    }
    for container in task.containers:
        container.network_bindings = bindings.get(container.name, [])
    task.container_instance_arn = ci.arn
    if ci.availability_zone:
        task.availability_zone = ci.availability_zone
