"""Container instances and the EC2 launch type: RegisterContainerInstance, DeregisterContainerInstance,
DescribeContainerInstances, ListContainerInstances, UpdateContainerInstancesState, StartTask.

An instance is registered from the identity document an EC2 instance reads from
its metadata service; the instance must exist in moto's EC2 (RunInstances on this
same endpoint), which gives its type and so its CPU and memory. What remains on
an instance is never stored: it is the registered amount less the reservations of
its tasks that are not STOPPED, so resources come back when a task stops.

`place()` and `claim()` are how RunTask, StartTask and the service scheduler put
a task on an instance (placement decisions themselves live in `placement`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fakeecs import errors
from fakeecs.api import ec2_identity, placement
from fakeecs.api.capacity_providers import provider_of_instance
from fakeecs.api.cluster_query import InstanceFacts
from fakeecs.api.cluster_query import parse as parse_query
from fakeecs.api.paging import page, with_token
from fakeecs.api.registry import CallContext, operation
from fakeecs.api.tagging import check_tags, merge_tags
from fakeecs.api.task_shape import task_dict
from fakeecs.engine.core import Engine
from fakeecs.engine.state import RegionState
from fakeecs.ids import arn, hex_id
from fakeecs.model import Cluster, ContainerInstance, Task, TaskDefinition

DEFAULT_VERSION_INFO = {
    "agentVersion": "1.88.0",
    "agentHash": "4f2d9a1c",
    "dockerVersion": "DockerVersion: 25.0.8",
}
NO_INSTANCES = "No Container Instances were found in your cluster."
NO_INSTANCES_IN_PROVIDER = "No Container Instances were found in your capacity provider."
MAX_DESCRIBE = 100
MAX_UPDATE = 10
MAX_START = 10


# lookups ----------------------------------------------------------------------------------


def instance_id(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def find(state: RegionState, cluster: Cluster, ref: str) -> ContainerInstance | None:
    """A container instance of `cluster` by ID or ARN (INACTIVE ones included)."""
    found = state.container_instances.get(ref) or state.container_instances.get(
        instance_arn(state.name, cluster, instance_id(ref))
    )
    return found if found is not None and found.cluster_arn == cluster.arn else None


def instance_arn(region: str, cluster: Cluster, ident: str) -> str:
    return arn(region, f"container-instance/{cluster.name}/{ident}")


def cluster_instances(state: RegionState, cluster: Cluster) -> list[ContainerInstance]:
    return [ci for ci in state.container_instances.values() if ci.cluster_arn == cluster.arn]


def tasks_on(state: RegionState, ci: ContainerInstance) -> list[Task]:
    """The tasks on `ci` that still hold its resources (every one not yet STOPPED)."""
    tasks = (state.tasks.get(a) for a in ci.reservations)
    return [t for t in tasks if t is not None and t.last_status != "STOPPED"]


def _resource(ci: ContainerInstance, name: str) -> dict[str, Any] | None:
    return next((r for r in ci.registered_resources if r.get("name") == name), None)


def _integer(ci: ContainerInstance, name: str) -> int:
    r = _resource(ci, name) or {}
    return int(r.get("integerValue") or r.get("longValue") or r.get("doubleValue") or 0)


def _ports(ci: ContainerInstance, name: str) -> set[int]:
    r = _resource(ci, name) or {}
    return {int(p) for p in r.get("stringSetValue") or [] if str(p).isdigit()}


def _used(state: RegionState, ci: ContainerInstance) -> tuple[int, int, set[int], set[int]]:
    cpu = memory = 0
    tcp: set[int] = set()
    udp: set[int] = set()
    for task in tasks_on(state, ci):
        taken = ci.reservations[task.arn]
        cpu += taken["cpu"]
        memory += taken["memory"]
        tcp |= set(taken["tcp"])
        udp |= set(taken["udp"])
    return cpu, memory, tcp, udp


def _attribute_map(ci: ContainerInstance) -> dict[str, str | None]:
    return {a["name"]: a.get("value") for a in ci.attributes}


def facts(state: RegionState, ci: ContainerInstance) -> InstanceFacts:
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


def candidate(state: RegionState, ci: ContainerInstance) -> placement.Candidate:
    cpu, memory, tcp, udp = _used(state, ci)
    return placement.Candidate(
        arn=ci.arn,
        status=ci.status,
        facts=facts(state, ci),
        cpu_left=_integer(ci, "CPU") - cpu,
        memory_left=_integer(ci, "MEMORY") - memory,
        tcp_used=_ports(ci, "PORTS") | tcp,
        udp_used=_ports(ci, "PORTS_UDP") | udp,
    )


# placing tasks ------------------------------------------------------------------------------


@dataclass
class Placement:
    """Where one task goes (instance_arn and what it takes) or why it goes nowhere (failure)."""

    instance_arn: str | None
    need: placement.Need | None = None
    failure: dict[str, str] | None = None


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
) -> Placement:
    """Choose the container instance for one EC2 task (nothing changes until `claim`).

    Constraints are the task definition's plus `constraints`; `strategies` default to
    random. `capacity_provider_name` keeps to instances registered with that provider;
    `only` (StartTask) to the instances named, and then no constraint applies. Raises InvalidParameterException when
    the cluster (or provider) has no ACTIVE or DRAINING instance at all, as ECS does.
    """
    state = engine.region(region)
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
        [candidate(state, ci) for ci in pool],
        need,
        group=group or f"family:{td.family}",
        constraints=rules,
        strategies=chosen_strategies,
        rng=engine.rng,
    )
    if chosen is None:
        return Placement(None, need, failure)
    return Placement(chosen.arn, need)


def claim(engine: Engine, region: str, where: Placement, task: Task) -> None:
    """Put `task` on the instance `place` chose: it holds the resources until it STOPS."""
    state = engine.region(region)
    ci = state.container_instances[where.instance_arn or ""]
    live = {t.arn for t in tasks_on(state, ci)}
    ci.reservations = {a: r for a, r in ci.reservations.items() if a in live}
    need = where.need or placement.Need(0, 0)
    ci.reservations[task.arn] = {
        "cpu": need.cpu,
        "memory": need.memory,
        "tcp": list(need.tcp),
        "udp": list(need.udp),
    }
    task.container_instance_arn = ci.arn
    if ci.availability_zone:
        task.availability_zone = ci.availability_zone


# registering --------------------------------------------------------------------------------


def _merge_attributes(
    base: list[dict[str, Any]], extra: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    merged = {a["name"]: a for a in base}
    for a in extra:
        merged[a["name"]] = {k: v for k, v in a.items() if k in ("name", "value")}
    return list(merged.values())


def _wake_services(engine: Engine, region: str, cluster: Cluster, arns: set[str] | None) -> None:
    """Let the scheduler look again at EC2 services (those with tasks in `arns`, or all)."""
    from fakeecs.engine import services as scheduler

    state = engine.region(region)
    at = engine.now() + scheduler.SCHEDULER_DELAY
    for (cluster_arn, _), service in state.services.items():
        if cluster_arn != cluster.arn or service.status == "INACTIVE":
            continue
        if arns is None or arns & set(service.task_arns):
            scheduler.wake(engine, service, at)


@operation("RegisterContainerInstance")
def register_container_instance(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    from fakeecs.api.attributes import check_attributes

    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    doc = ec2_identity.document(params, ctx.region)
    ec2 = ec2_identity.ec2_instance(ctx.region, doc["instanceId"])
    extra = check_attributes(params.get("attributes") or [], need_target=False)
    tags = check_tags(params.get("tags"))
    resources = ec2_identity.resources_of(ec2.instance_type, params.get("totalResources") or [])
    existing = [
        ci
        for ci in state.container_instances.values()
        if ci.ec2_instance_id == ec2.id and ci.status != "INACTIVE"
    ]
    elsewhere = [ci for ci in existing if ci.cluster_arn != cluster.arn]
    if elsewhere:
        raise errors.client_error(
            f"EC2 instance {ec2.id} is already registered in cluster "
            f"{elsewhere[0].cluster_arn.rsplit('/', 1)[-1]}: deregister it there first."
        )
    wanted = params.get("containerInstanceArn")
    ci = find(state, cluster, wanted) if wanted else (existing[0] if existing else None)
    if wanted and (ci is None or ci.ec2_instance_id != ec2.id):
        raise errors.invalid_parameter(
            f"containerInstanceArn {wanted} is not a registration of EC2 instance {ec2.id} in "
            "this cluster: leave it out to register the instance anew."
        )
    attributes = _merge_attributes(ec2_identity.builtin_attributes(ec2, doc), extra)
    if ci is None:
        ident = hex_id(ctx.engine.rng)
        ci = ContainerInstance(
            arn=instance_arn(ctx.region, cluster, ident),
            id=ident,
            cluster_arn=cluster.arn,
            ec2_instance_id=ec2.id,
            registered_at=ctx.engine.now(),
        )
        state.container_instances[ci.arn] = ci
    else:
        ci.version += 1
        attributes = _merge_attributes(ci.attributes, attributes)
    ci.status = "ACTIVE"
    ci.registered_resources = resources
    ci.attributes = attributes
    ci.tags = tags or ci.tags
    ci.version_info = {**DEFAULT_VERSION_INFO, **(params.get("versionInfo") or {})}
    ci.instance_type = ec2.instance_type
    ci.capacity_provider_name = provider_of_instance(ctx.region, state, cluster, ec2.id)
    ci.availability_zone = ec2.placement.zone or doc.get("availabilityZone")
    _wake_services(ctx.engine, ctx.region, cluster, None)
    return {"containerInstance": instance_dict(state, ci)}


# describing ---------------------------------------------------------------------------------


def instance_dict(
    state: RegionState, ci: ContainerInstance, include: list[str] | tuple[str, ...] = ()
) -> dict[str, Any]:
    cpu, memory, tcp, udp = _used(state, ci)
    live = tasks_on(state, ci)
    remaining = [
        ec2_identity.integer_resource("CPU", _integer(ci, "CPU") - cpu),
        ec2_identity.integer_resource("MEMORY", _integer(ci, "MEMORY") - memory),
        ec2_identity.set_resource("PORTS", [str(p) for p in _ports(ci, "PORTS") | tcp]),
        ec2_identity.set_resource("PORTS_UDP", [str(p) for p in _ports(ci, "PORTS_UDP") | udp]),
    ]
    out: dict[str, Any] = {
        "containerInstanceArn": ci.arn,
        "ec2InstanceId": ci.ec2_instance_id,
        "version": ci.version,
        "versionInfo": dict(ci.version_info),
        "remainingResources": remaining,
        "registeredResources": [dict(r) for r in ci.registered_resources],
        "status": ci.status,
        "agentConnected": ci.agent_connected and ci.status != "INACTIVE",
        "runningTasksCount": sum(1 for t in live if t.last_status == "RUNNING"),
        "pendingTasksCount": sum(
            1 for t in live if t.last_status in ("PROVISIONING", "PENDING", "ACTIVATING")
        ),
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
        out["healthStatus"] = {
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
    return out


def _refs(params: dict[str, Any], limit: int) -> list[str]:
    refs = params["containerInstances"]
    if not refs:
        raise errors.client_error("Container Instances cannot be empty.")
    if len(refs) > limit:
        raise errors.invalid_parameter(
            f"containerInstances can have at most {limit} items (got {len(refs)})."
        )
    return refs


def _missing_arn(region: str, cluster: Cluster, ref: str) -> str:
    return ref if ref.startswith("arn:") else instance_arn(region, cluster, ref)


@operation("DescribeContainerInstances")
def describe_container_instances(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    include = params.get("include") or []
    found, failures = [], []
    for ref in _refs(params, MAX_DESCRIBE):
        ci = find(state, cluster, ref)
        if ci is None:
            failures.append({"arn": _missing_arn(ctx.region, cluster, ref), "reason": "MISSING"})
        else:
            found.append(instance_dict(state, ci, include))
    return {"containerInstances": found, "failures": failures}


@operation("ListContainerInstances")
def list_container_instances(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    status = params.get("status")
    query = parse_query(params["filter"]) if params.get("filter") is not None else None
    arns = [
        ci.arn
        for ci in cluster_instances(state, cluster)
        if (ci.status == status if status else ci.status != "INACTIVE")
        and (query is None or query(facts(state, ci)))
    ]
    chunk, token = page(arns, params)
    return with_token({"containerInstanceArns": chunk}, token)


# changing state -------------------------------------------------------------------------------


def _orphan_service_tasks(engine: Engine, region: str, tasks: list[Task]) -> None:
    """Tasks left on a force-deregistered instance: their services start copies elsewhere."""
    state = engine.region(region)
    for task in tasks:
        service = state.services.get((task.cluster_arn, task.service_name or ""))
        if service is not None and task.arn in service.task_arns:
            service.task_arns.remove(task.arn)


@operation("DeregisterContainerInstance")
def deregister_container_instance(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    ci = find(state, cluster, params["containerInstance"])
    if ci is None:
        raise errors.invalid_parameter(
            f"Container instance {params['containerInstance']} was not found in cluster "
            f"{cluster.name}."
        )
    if ci.status == "INACTIVE":
        return {"containerInstance": instance_dict(state, ci)}
    live = [t for t in tasks_on(state, ci) if t.desired_status == "RUNNING"]
    if live and not params.get("force"):
        raise errors.invalid_parameter(
            f"Found running tasks on the instance ({len(live)}): stop them first, or pass "
            "force=true to leave them running orphaned."
        )
    _orphan_service_tasks(ctx.engine, ctx.region, live)
    ci.status = "INACTIVE"
    ci.deregistered_at = ctx.engine.now()
    ci.version += 1
    _wake_services(ctx.engine, ctx.region, cluster, None)
    return {"containerInstance": instance_dict(state, ci)}


@operation("UpdateContainerInstancesState")
def update_container_instances_state(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    status = params["status"]
    if status not in ("ACTIVE", "DRAINING"):
        raise errors.invalid_parameter(
            f"Container instance status should be one of [ACTIVE, DRAINING], not {status}."
        )
    refs = _refs(params, MAX_UPDATE)
    found, failures, touched = [], [], set()
    for ref in refs:
        ci = find(state, cluster, ref)
        if ci is None or ci.status == "INACTIVE":
            reason = "MISSING" if ci is None else "INACTIVE"
            failures.append({"arn": _missing_arn(ctx.region, cluster, ref), "reason": reason})
            continue
        if ci.status != status:
            ci.status = status
            ci.version += 1
            touched |= {t.arn for t in tasks_on(state, ci)}
        found.append(ci)
    if found:
        _wake_services(ctx.engine, ctx.region, cluster, touched if status == "DRAINING" else None)
    return {"containerInstances": [instance_dict(state, ci) for ci in found], "failures": failures}


@operation("StartTask")
def start_task(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    from fakeecs.api.tasks import (
        _check_limits,
        _check_network,
        _check_overrides,
        build_task,
    )

    engine = ctx.engine
    state = engine.region(ctx.region)
    refs = _refs(params, MAX_START)
    _check_limits(params)
    cluster = state.cluster(params.get("cluster"))
    td = state.task_definition(params["taskDefinition"])
    if td.status != "ACTIVE":
        raise errors.client_error("TaskDefinition is inactive")
    network = _check_network(params, td)
    overrides = dict(params.get("overrides") or {})
    _check_overrides(overrides, td)
    tags = check_tags(params.get("tags"))
    if params.get("propagateTags") == "TASK_DEFINITION":
        tags = merge_tags(td.tags, tags)
    placement.task_needs(td.body, overrides)  # refuse a definition ECS cannot size
    tasks, failures = [], []
    for ref in refs:
        ci = find(state, cluster, ref)
        if ci is None or ci.status == "INACTIVE":
            reason = "MISSING" if ci is None else "INACTIVE"
            failures.append({"arn": _missing_arn(ctx.region, cluster, ref), "reason": reason})
            continue
        where = place(
            engine,
            ctx.region,
            cluster,
            td,
            overrides=overrides,
            group=params.get("group"),
            only=[ci.arn],
        )
        if where.failure is not None:
            failures.append(where.failure)
            continue
        task = build_task(
            engine,
            ctx.region,
            cluster,
            td,
            launch_type="EC2",
            network=network,
            overrides=overrides,
            started_by=params.get("startedBy"),
            group=params.get("group"),
            tags=list(tags),
            platform_version=None,
        )
        task.enable_execute_command = bool(params.get("enableExecuteCommand"))
        claim(engine, ctx.region, where, task)
        engine.launch(task)
        tasks.append(task)
    return {"tasks": [task_dict(t) for t in tasks], "failures": failures}


# the service scheduler ----------------------------------------------------------------------

#: What the scheduler uses when a service gives no placementStrategy (ECS's default for
#: services: spread over Availability Zones, then over instances).
SERVICE_DEFAULT_STRATEGY = [
    {"type": "spread", "field": "attribute:ecs.availability-zone"},
    {"type": "spread", "field": "instanceId"},
]
#: How long the scheduler waits before trying again to place a task that fitted nowhere.
SERVICE_RETRY_SECONDS = 60.0
_CLOSEST = {
    "RESOURCE:CPU": "has insufficient CPU units available.",
    "RESOURCE:MEMORY": "has insufficient memory available.",
    "RESOURCE:PORTS": "is already using a port required by your task.",
}


def _problem(failure: dict[str, str]) -> str:
    ident = instance_id(failure["arn"])
    words = _CLOSEST.get(failure["reason"], f'encountered error "{failure["reason"]}".')
    return f"The closest matching (container-instance {ident}) {words}"


def place_for_service(
    engine: Engine,
    service: Any,
    cluster: Cluster,
    td: TaskDefinition,
    provider: str | None,
    at: float,
) -> Placement | None:
    """Where the next task of `service` goes, or None after an event saying why it cannot go.

    The scheduler tries again SERVICE_RETRY_SECONDS later (and whenever instances register
    or become ACTIVE), as ECS keeps trying to reach the desired count.
    """
    from fakeecs.engine import services as scheduler

    try:
        where = place(
            engine,
            service.region,
            cluster,
            td,
            group=f"service:{service.name}",
            constraints=service.echoed.get("placementConstraints"),
            strategies=service.echoed.get("placementStrategy") or SERVICE_DEFAULT_STRATEGY,
            capacity_provider_name=provider,
        )
    except errors.ECSError as exc:
        problem = f"Reason: {exc.message}"
    else:
        if where.failure is None:
            return where
        problem = _problem(where.failure)
    message = (
        f"(service {service.name}) was unable to place a task because no container instance "
        f"met all of its requirements. {problem} For more information, see the Troubleshooting "
        "section of the Amazon ECS Developer Guide."
    )
    if not service.events or service.events[0].message != message:
        scheduler.add_event(engine, service, message, at)
    scheduler.wake(engine, service, at + SERVICE_RETRY_SECONDS)
    return None
