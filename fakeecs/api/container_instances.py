"""Container instances and the EC2 launch type: RegisterContainerInstance, DeregisterContainerInstance,
DescribeContainerInstances, ListContainerInstances, UpdateContainerInstancesState, StartTask.

An instance is registered from the identity document an EC2 instance reads from
its metadata service; the instance must exist in moto's EC2 (RunInstances on this
same endpoint), which gives its type and so its CPU and memory. The operations are
here; what an instance holds is `instance_state`'s, how it is shown
`instance_shape`'s, and how tasks are put on it `instance_placement`'s.
"""

from __future__ import annotations

from typing import Any

from fakeecs import errors
from fakeecs.api.attributes import check_attributes
from fakeecs.api.registry import CallContext, operation
from fakeecs.engine import daemons, ec2_identity, instances, task_requests
from fakeecs.engine import services as scheduler
from fakeecs.engine.auto_scaling import provider_of_instance
from fakeecs.engine.core import Engine
from fakeecs.engine.instance_placement import place
from fakeecs.engine.instance_shape import instance_dict
from fakeecs.engine.instance_state import (
    cluster_instances,
    facts,
    find,
    find_usable,
    instance_arn,
    ref_arn,
    tasks_on,
)
from fakeecs.ids import hex_id
from fakeecs.model import Cluster, ContainerInstance, Task
from fakeecs.rules import placement
from fakeecs.rules.cluster_query import parse as parse_query
from fakeecs.rules.describing import describe_each
from fakeecs.rules.paging import page, with_token
from fakeecs.rules.tagging import check_tags
from fakeecs.rules.task_shape import task_dict

DEFAULT_VERSION_INFO = {
    "agentVersion": "1.88.0",
    "agentHash": "4f2d9a1c",
    "dockerVersion": "DockerVersion: 25.0.8",
}
MAX_DESCRIBE = 100
MAX_UPDATE = 10
MAX_START = 10


def _refs(params: dict[str, Any], limit: int) -> list[str]:
    refs = params["containerInstances"]
    if not refs:
        raise errors.client_error("Container Instances cannot be empty.")
    if len(refs) > limit:
        raise errors.invalid_parameter(
            f"containerInstances can have at most {limit} items (got {len(refs)})."
        )
    return refs


def _wake_services(engine: Engine, region: str, cluster: Cluster, arns: set[str] | None) -> None:
    """Let the scheduler look again at EC2 services (those with tasks in `arns`, or all), and
    the cluster's daemons at their instances."""
    daemons.wake_cluster(engine, region, cluster.arn)
    state = engine.region(region)
    at = engine.now() + scheduler.SCHEDULER_DELAY
    for (cluster_arn, _), service in state.services.items():
        if cluster_arn != cluster.arn or service.status == "INACTIVE":
            continue
        if arns is None or arns & set(service.task_arns):
            scheduler.wake(engine, service, at)


# registering --------------------------------------------------------------------------------


def _merge_attributes(
    base: list[dict[str, Any]], extra: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    merged = {a["name"]: a for a in base}
    for a in extra:
        merged[a["name"]] = {k: v for k, v in a.items() if k in ("name", "value")}
    return list(merged.values())


@operation(
    "RegisterContainerInstance",
    notes="The EC2 instance must exist in moto's EC2; its identity signature is not checked.",
)
def register_container_instance(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
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
    ci.deregistered_at = None  # an INACTIVE registration taken up again is not forgotten
    ci.registered_resources = resources
    ci.attributes = attributes
    ci.tags = tags or ci.tags
    ci.version_info = {**DEFAULT_VERSION_INFO, **(params.get("versionInfo") or {})}
    ci.instance_type = ec2.instance_type
    ci.capacity_provider_name = provider_of_instance(ctx.region, state, cluster, ec2.id)
    ci.availability_zone = ec2.placement.zone or doc.get("availabilityZone")
    _wake_services(ctx.engine, ctx.region, cluster, None)
    return {"containerInstance": instance_dict(state, ci)}


# reading --------------------------------------------------------------------------------------


@operation("DescribeContainerInstances")
def describe_container_instances(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    include = params.get("include") or []
    found, failures = describe_each(
        _refs(params, MAX_DESCRIBE),
        lambda ref: find(state, cluster, ref),
        lambda ci: instance_dict(state, ci, include),
        lambda ref: ref_arn(ctx.region, cluster, ref),
    )
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
    instances.forget_later(ctx.engine, ci)
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
        ci, failure = find_usable(state, cluster, ref)
        if ci is None:
            failures.append(failure)
            continue
        if ci.status != status:
            ci.status = status
            ci.version += 1
            touched |= {t.arn for t in tasks_on(state, ci)}
        found.append(ci)
    if found:
        _wake_services(ctx.engine, ctx.region, cluster, touched if status == "DRAINING" else None)
    return {"containerInstances": [instance_dict(state, ci) for ci in found], "failures": failures}


@operation("StartTask", notes="Applies no placement constraints.")
def start_task(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    """One task on each instance named: RunTask's checks, no constraints, no strategy."""
    engine = ctx.engine
    state = engine.region(ctx.region)
    refs = _refs(params, MAX_START)
    request = task_requests.checked(
        ctx.engine, ctx.region, task_requests.named(state, params), params
    )
    placement.task_needs(request.td.body, request.overrides)  # refuse what ECS cannot size
    tasks, failures = [], []
    for ref in refs:
        ci, failure = find_usable(state, request.cluster, ref)
        if ci is not None:
            where = place(
                engine,
                ctx.region,
                request.cluster,
                request.td,
                overrides=request.overrides,
                group=request.group,
                only=[ci.arn],
            )
            failure = where.failure
        if failure is not None:
            failures.append(failure)
            continue
        tasks.append(
            task_requests.start(engine, ctx.region, request, launch_type="EC2", slot=where)
        )
    return {"tasks": [task_dict(t) for t in tasks], "failures": failures}
