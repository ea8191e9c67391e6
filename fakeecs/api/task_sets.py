"""Task sets of EXTERNAL-controller services: CreateTaskSet, UpdateTaskSet, DeleteTaskSet,
DescribeTaskSets, UpdateServicePrimaryTaskSet.

A service created with deploymentController {type: EXTERNAL} starts nothing itself: its
task sets carry the task definition, launch settings and network, and each keeps
ceil(desiredCount * scale / 100) tasks (engine/task_sets.py moves them as the clock
moves). These operations only record what was asked; the service's view
(DescribeServices) shows its task sets instead of deployments, and the PRIMARY task
set's settings as the service's own.
"""

from __future__ import annotations

from typing import Any

from fakeecs import errors
from fakeecs.api.registry import CallContext, operation
from fakeecs.engine import service_lookup
from fakeecs.engine import services as scheduler
from fakeecs.engine import task_sets as engine_sets
from fakeecs.engine.state import RegionState
from fakeecs.engine.task_requests import check_client_token, check_network
from fakeecs.errors import ECSError
from fakeecs.model import Service, TaskSet
from fakeecs.rules import capacity_strategy, service_requests
from fakeecs.rules.tagging import check_tags

is_external = engine_sets.is_external

NOT_EXTERNAL = (
    "Amazon ECS only supports task set management on services configured to use external "
    "deployment controllers."
)
#: Settings a task set stores and echoes (they change nothing in the fake).
ECHOED = ("loadBalancers", "serviceRegistries")
#: What an EXTERNAL service takes from its task sets, never from CreateService/UpdateService.
TASK_SET_SETTINGS = (
    "taskDefinition",
    "launchType",
    "capacityProviderStrategy",
    "platformVersion",
    "networkConfiguration",
    "loadBalancers",
    "serviceRegistries",
)
_PRIMARY_FIELDS = (
    "taskDefinition",
    "launchType",
    "capacityProviderStrategy",
    "platformVersion",
    "platformFamily",
    "networkConfiguration",
)


def _not_found() -> ECSError:
    return ECSError("TaskSetNotFoundException", "The specified task set does not exist.")


def _service(state: RegionState, params: dict[str, Any], active: bool = True) -> Service:
    """The EXTERNAL service a call names, or the error ECS gives (cluster, service, controller)."""
    service = service_lookup.lookup(state, state.cluster(params["cluster"]), params["service"])
    if service is None:
        raise service_requests.not_found()
    if service.status == "INACTIVE" or (active and service.status != "ACTIVE"):
        raise service_requests.not_active()
    if not is_external(service):
        raise errors.invalid_parameter(NOT_EXTERNAL)
    return service


def _find(state: RegionState, service: Service, ref: str) -> TaskSet | None:
    """A task set of `service` by ID (`ecs-svc/...`) or ARN."""
    for task_set in engine_sets.sets_of(state, service):
        if ref in (task_set.arn, task_set.id):
            return task_set
    return None


def _existing(state: RegionState, service: Service, ref: str) -> TaskSet:
    found = _find(state, service, ref)
    if found is None:
        raise _not_found()
    return found


def _arn(service: Service, task_set_id: str) -> str:
    """`arn:...:task-set/CLUSTER/SERVICE/ecs-svc/NNN`, beside the service's own ARN."""
    return f"{service.arn.replace(':service/', ':task-set/', 1)}/{task_set_id}"


def task_set_dict(
    ctx: CallContext, service: Service, task_set: TaskSet, include_tags: bool = False
) -> dict[str, Any]:
    tasks = engine_sets.tasks_of(ctx.engine, service, task_set)
    running, pending = scheduler.counts(tasks)
    out: dict[str, Any] = {
        "id": task_set.id,
        "taskSetArn": task_set.arn,
        "serviceArn": task_set.service_arn,
        "clusterArn": task_set.cluster_arn,
        "status": task_set.status,
        "taskDefinition": task_set.task_definition_arn,
        "computedDesiredCount": engine_sets.computed_desired(service, task_set),
        "pendingCount": pending,
        "runningCount": running,
        "createdAt": task_set.created_at,
        "updatedAt": task_set.updated_at,
        "scale": dict(task_set.scale),
        "stabilityStatus": task_set.stability_status,
        "stabilityStatusAt": task_set.stability_status_at,
    }
    if task_set.external_id is not None:
        out["externalId"] = task_set.external_id
    service_requests.launch_fields(
        out, task_set.launch_type or "EC2", task_set.capacity_provider_strategy
    )
    if task_set.launch_type == "FARGATE":
        out["platformVersion"] = task_set.platform_version or service_requests.DEFAULT_PLATFORM
        out["platformFamily"] = "Linux"
    if task_set.network_configuration is not None:
        out["networkConfiguration"] = task_set.network_configuration
    for name in ECHOED:
        out[name] = list(task_set.echoed.get(name, []))
    if include_tags:
        out["tags"] = list(task_set.tags)
    return out


def external_service_view(ctx: CallContext, service: Service, out: dict[str, Any]) -> None:
    """DescribeServices of an EXTERNAL service: task sets, no deployments, PRIMARY's settings."""
    state = ctx.engine.region(ctx.region)
    mine = engine_sets.sets_of(state, service)
    out.pop("deployments", None)
    out["deploymentController"] = {"type": "EXTERNAL"}
    out["taskSets"] = [task_set_dict(ctx, service, ts) for ts in mine]
    if not any(ts.status == "PRIMARY" for ts in mine):
        for name in _PRIMARY_FIELDS:  # "If no primary task set is defined ... the fields are null"
            out.pop(name, None)


def check_external_create(params: dict[str, Any]) -> None:
    """CreateService with the EXTERNAL controller: the task-set-level settings belong elsewhere."""
    for name in TASK_SET_SETTINGS:
        if params.get(name):
            raise errors.invalid_parameter(
                f"{name} cannot be set on a service with the EXTERNAL deployment controller: "
                "pass it to CreateTaskSet (each task set carries its own)."
            )


def update_external_service(ctx: CallContext, service: Service, params: dict[str, Any]) -> Service:
    """UpdateService of an EXTERNAL service: ECS lets it change only the service-level settings."""
    for name in (*TASK_SET_SETTINGS, "forceNewDeployment"):
        if params.get(name):
            raise errors.invalid_parameter(
                f"Unable to update {name} on services with a EXTERNAL deployment controller. "
                "Create a new task set (CreateTaskSet) and make it primary instead."
            )
    if (params.get("deploymentController") or {}).get("type", "EXTERNAL") != "EXTERNAL":
        raise errors.invalid_parameter(service_requests.CONTROLLER_FIXED)
    desired = params.get("desiredCount", service.desired_count)
    if desired < 0:
        raise errors.invalid_parameter("desiredCount must be at least 0.")
    maximum, minimum = service_requests.deployment_config(params, service)
    connect = service_lookup.service_connect_update(ctx.engine.region(ctx.region), params)
    now = ctx.engine.now()
    service.maximum_percent, service.minimum_healthy_percent = maximum, minimum
    if desired != service.desired_count:
        service.desired_count = desired
        for task_set in engine_sets.sets_of(ctx.engine.region(ctx.region), service):
            engine_sets.stabilizing(task_set, now)
    if "propagateTags" in params:
        service.propagate_tags = params["propagateTags"]
    if "enableECSManagedTags" in params:
        service.enable_managed_tags = bool(params["enableECSManagedTags"])
    service.echoed.update({k: params[k] for k in service_requests.ECHOED if k in params})
    if connect is not None:
        service.echoed["serviceConnectConfiguration"] = connect
    scheduler.wake(ctx.engine, service, now + scheduler.SCHEDULER_DELAY)
    return service


def _scale(given: dict[str, Any] | None) -> dict[str, Any]:
    scale = {"value": 0.0, "unit": "PERCENT", **(given or {})}
    value = float(scale["value"])
    if not 0.0 <= value <= 100.0:
        raise errors.invalid_parameter(
            f"scale.value must be between 0 and 100 (a percent of the service's desiredCount), "
            f"not {value}."
        )
    return {"value": value, "unit": scale["unit"]}


def _make_primary(service: Service, task_set: TaskSet | None) -> None:
    """The service takes the PRIMARY task set's settings (or none, when it has no primary)."""
    service.task_definition_arn = task_set.task_definition_arn if task_set else ""
    service.launch_type = (task_set.launch_type or "EC2") if task_set else ""
    service.capacity_provider_strategy = (
        list(task_set.capacity_provider_strategy) if task_set else []
    )
    service.network_configuration = task_set.network_configuration if task_set else None
    service.platform_version = task_set.platform_version if task_set else None
    for name in ECHOED:
        service.echoed[name] = list(task_set.echoed.get(name, [])) if task_set else []


# operations --------------------------------------------------------------------


@operation("CreateTaskSet", notes="EXTERNAL deployment controller only.")
def create_task_set(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    engine = ctx.engine
    state = engine.region(ctx.region)
    service = _service(state, params)
    token = params.get("clientToken")
    check_client_token(token, longest=36)
    mine = engine_sets.sets_of(state, service)
    if token is not None:
        stamp = f"{token}:{service_requests.fingerprint(params)}"
        for task_set in mine:
            if task_set.client_token == stamp:
                return {"taskSet": task_set_dict(ctx, service, task_set)}
            if (task_set.client_token or "").split(":", 1)[0] == token:
                raise errors.invalid_parameter("Creation of task set was not idempotent.")
    if len(mine) >= engine_sets.MAX_TASK_SETS:
        raise errors.invalid_parameter(
            f"{len(mine)} deployments exist on the service. Unable to create new TaskSet since "
            "this exceeds the maximum limit."
        )
    td = service_lookup.active_task_definition(state, params["taskDefinition"])
    # as CreateService: the given strategy, else the cluster's default when no launch type is given
    strategy, launch_type = capacity_strategy.service_launch(
        state.cluster(params["cluster"]), params, td
    )
    network = check_network(ctx.engine, ctx.region, params, td)
    _, platform = service_requests.platform_versions(launch_type, params.get("platformVersion"))
    scale = _scale(params.get("scale"))
    now = engine.now()
    task_set_id = scheduler.new_deployment_id(engine)
    task_set = TaskSet(
        id=task_set_id,
        arn=_arn(service, task_set_id),
        service_arn=service.arn,
        cluster_arn=service.cluster_arn,
        task_definition_arn=td.arn,
        created_at=now,
        updated_at=now,
        external_id=params.get("externalId"),
        launch_type=launch_type,
        capacity_provider_strategy=list(strategy or []),
        platform_version=platform,
        network_configuration=network,
        scale=scale,
        stability_status_at=now,
        tags=check_tags(params.get("tags")),
        echoed={name: list(params.get(name) or []) for name in ECHOED},
        client_token=None if token is None else f"{token}:{service_requests.fingerprint(params)}",
    )
    state.task_sets[task_set.arn] = task_set
    scheduler.wake(engine, service, now + scheduler.SCHEDULER_DELAY)
    return {"taskSet": task_set_dict(ctx, service, task_set)}


def _target(ctx: CallContext, params: dict[str, Any], member: str) -> tuple[Service, TaskSet]:
    """The EXTERNAL service and its task set (named by `params[member]`) a call acts on."""
    state = ctx.engine.region(ctx.region)
    service = _service(state, params)
    return service, _existing(state, service, params[member])


def _refuse_draining(task_set: TaskSet, action: str) -> None:
    if task_set.status == "DRAINING":
        raise errors.invalid_parameter(
            f"The task set is DRAINING (being deleted): it cannot {action}."
        )


def _updated(
    ctx: CallContext, service: Service, task_set: TaskSet, changed: bool = True
) -> dict[str, Any]:
    """The answer to a call that updated the task set; a scheduler pass is queued. When what
    was asked of it `changed`, it is STABILIZING until a pass finds it steady."""
    now = ctx.engine.now()
    task_set.updated_at = now
    if changed:
        engine_sets.stabilizing(task_set, now)
    scheduler.wake(ctx.engine, service, now + scheduler.SCHEDULER_DELAY)
    return {"taskSet": task_set_dict(ctx, service, task_set)}


@operation("UpdateTaskSet")
def update_task_set(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    service, task_set = _target(ctx, params, "taskSet")
    _refuse_draining(task_set, "scale")
    scale = _scale(params["scale"])
    changed = scale != task_set.scale
    task_set.scale = scale
    return _updated(ctx, service, task_set, changed)


@operation("DeleteTaskSet")
def delete_task_set(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    service, task_set = _target(ctx, params, "taskSet")
    if task_set.status == "DRAINING":
        return {"taskSet": task_set_dict(ctx, service, task_set)}
    if task_set.status == "PRIMARY":
        if not params.get("force"):
            raise errors.invalid_parameter(
                "The task set is the service's PRIMARY task set: make another task set primary "
                "(UpdateServicePrimaryTaskSet) first, or delete it with force."
            )
        _make_primary(service, None)
    task_set.status = "DRAINING"
    return _updated(ctx, service, task_set)


@operation("DescribeTaskSets")
def describe_task_sets(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    service = _service(state, params, active=False)
    include_tags = "TAGS" in (params.get("include") or [])
    refs = params.get("taskSets")
    if refs is None:
        found = engine_sets.sets_of(state, service)
        return {
            "taskSets": [task_set_dict(ctx, service, ts, include_tags) for ts in found],
            "failures": [],
        }
    answers, failures = [], []
    for ref in refs:
        task_set = _find(state, service, ref)
        if task_set is None:
            missing = ref if ref.startswith("arn:") else _arn(service, ref)
            failures.append({"arn": missing, "reason": "MISSING"})
        else:
            answers.append(task_set_dict(ctx, service, task_set, include_tags))
    return {"taskSets": answers, "failures": failures}


@operation("UpdateServicePrimaryTaskSet")
def update_service_primary_task_set(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    service, task_set = _target(ctx, params, "primaryTaskSet")
    _refuse_draining(task_set, "become the primary task set")
    now = ctx.engine.now()
    if task_set.status != "PRIMARY":
        for other in engine_sets.sets_of(ctx.engine.region(ctx.region), service):
            if other.status == "PRIMARY":
                other.status = "ACTIVE"
                other.updated_at = now
        task_set.status = "PRIMARY"
        task_set.updated_at = now
        _make_primary(service, task_set)
    return {"taskSet": task_set_dict(ctx, service, task_set)}
