"""Service operations: CreateService, UpdateService, DescribeServices, ListServices, DeleteService.

These only record what was asked; the scheduler (engine/services.py) starts and
stops the tasks as the clock moves, one second after the call at the earliest.
"""

from __future__ import annotations

from typing import Any

from fakeecs import errors
from fakeecs.api.registry import CallContext, operation
from fakeecs.api.task_sets import (
    check_external_create,
    external_service_view,
    update_external_service,
)
from fakeecs.engine import namespaces, service_deployments, service_lookup
from fakeecs.engine import services as scheduler
from fakeecs.engine.state import RegionState
from fakeecs.engine.task_requests import check_network
from fakeecs.engine.task_sets import is_external
from fakeecs.errors import ECSError
from fakeecs.ids import ACCOUNT_ID, arn
from fakeecs.model import Deployment, Service, TaskDefinition
from fakeecs.rules import capacity_strategy, deployment_stages, service_requests, service_role
from fakeecs.rules import daemon_services as daemon_rules
from fakeecs.rules.describing import describe_each
from fakeecs.rules.paging import page, with_token
from fakeecs.rules.tagging import check_tags

ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
#: Kept with the service but not shown at its level: the deployment controller, and the
#: Service Connect configuration ListServicesByNamespace looks at.
_KEPT = ("deploymentController", "serviceConnectConfiguration")


def _active_service(state: RegionState, params: dict[str, Any]) -> Service:
    """The ACTIVE service a call names (UpdateService, DeleteService), or the error ECS gives."""
    service = service_lookup.lookup(state, state.cluster(params.get("cluster")), params["service"])
    if service is None:
        raise service_requests.not_found()
    if service.status != "ACTIVE":
        raise service_requests.not_active()
    return service


# shapes ------------------------------------------------------------------------


def deployment_dict(ctx: CallContext, service: Service, d: Deployment) -> dict[str, Any]:
    tasks = [t for t in scheduler.tasks_of(ctx.engine, service) if t.deployment_id == d.id]
    running, pending = scheduler.counts(tasks)
    primary = d is service.deployments[0]
    out: dict[str, Any] = {
        "id": d.id,
        "status": d.status,
        "taskDefinition": d.task_definition_arn,
        "desiredCount": service.desired_count if primary else len(scheduler.live(tasks)),
        "pendingCount": pending,
        "runningCount": running,
        "failedTasks": sum(1 for t in tasks if t.stop_code == "TaskFailedToStart"),
        "createdAt": d.created_at,
        "updatedAt": d.updated_at,
        "rolloutState": d.rollout_state,
        "rolloutStateReason": scheduler.rollout_reason(d),
    }
    service_requests.launch_fields(out, d.launch_type, d.capacity_provider_strategy)
    if d.launch_type == "FARGATE":
        out["platformVersion"] = d.platform_version or service_requests.DEFAULT_PLATFORM
        out["platformFamily"] = "Linux"
    if d.network_configuration is not None:
        out["networkConfiguration"] = d.network_configuration
    return out


def service_dict(ctx: CallContext, service: Service, include_tags: bool = False) -> dict[str, Any]:
    running, pending = scheduler.counts(scheduler.tasks_of(ctx.engine, service))
    out: dict[str, Any] = {
        "serviceArn": service.arn,
        "serviceName": service.name,
        "clusterArn": service.cluster_arn,
        "status": service.status,
        "desiredCount": service.desired_count,
        "runningCount": running,
        "pendingCount": pending,
        "taskDefinition": service.task_definition_arn,
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": dict(service.circuit_breaker),
            "maximumPercent": service.maximum_percent,
            "minimumHealthyPercent": service.minimum_healthy_percent,
            **(
                {"lifecycleHooks": service.echoed["lifecycleHooks"]}
                if service.echoed.get("lifecycleHooks")
                else {}
            ),
        },
        "deployments": [deployment_dict(ctx, service, d) for d in service.deployments],
        "roleArn": service.echoed.get("roleArn", ROLE_ARN),
        "events": [
            {"id": e.id, "createdAt": e.created_at, "message": e.message} for e in service.events
        ],
        "createdAt": service.created_at,
        "schedulingStrategy": service.scheduling_strategy,
        "deploymentController": {"type": "ECS"},
        "createdBy": f"arn:aws:iam::{ACCOUNT_ID}:root",
        "enableECSManagedTags": service.enable_managed_tags,
        "propagateTags": service.propagate_tags,
        "availabilityZoneRebalancing": "DISABLED",
    }
    for name, default in service_requests.ECHOED.items():
        value = service.echoed.get(name, default)
        if value is not None:
            out[name] = value
    service_requests.launch_fields(out, service.launch_type, service.capacity_provider_strategy)
    if service.launch_type == "FARGATE":
        out["platformVersion"] = service.platform_version or "LATEST"
        out["platformFamily"] = "Linux"
    if service.network_configuration is not None:
        out["networkConfiguration"] = service.network_configuration
    if include_tags:
        out["tags"] = list(service.tags)
    if is_external(service):
        external_service_view(ctx, service, out)
    return out


# checks ------------------------------------------------------------------------


def _check_name(name: str) -> None:
    ok = 1 <= len(name) <= 255 and all(c.isascii() and (c.isalnum() or c in "-_") for c in name)
    if not ok:
        raise errors.invalid_parameter(
            "Service name must be 1-255 characters: letters, numbers, hyphens and underscores."
        )


def _check_unsupported(params: dict[str, Any]) -> None:
    controller = (params.get("deploymentController") or {}).get("type", "ECS")
    if controller not in ("ECS", "EXTERNAL"):
        raise errors.invalid_parameter(
            f"fakeecs supports the ECS and EXTERNAL deployment controllers, not {controller}."
        )


def _circuit_breaker(params: dict[str, Any], service: Service | None) -> dict[str, bool]:
    given = (params.get("deploymentConfiguration") or {}).get("deploymentCircuitBreaker")
    if given is None:
        return dict(service.circuit_breaker) if service else {"enable": False, "rollback": False}
    return {"enable": bool(given["enable"]), "rollback": bool(given["rollback"])}


def _lifecycle_hooks(params: dict[str, Any], service: Service | None) -> list[dict[str, Any]]:
    """deploymentConfiguration.lifecycleHooks as given (checked), else what the service had."""
    config = params.get("deploymentConfiguration") or {}
    if "lifecycleHooks" not in config:
        return list(service.echoed.get("lifecycleHooks") or []) if service else []
    deployment_stages.hooks_from(config["lifecycleHooks"])
    return list(config["lifecycleHooks"])


def _new_deployment(ctx: CallContext, service: Service) -> Deployment:
    """A new PRIMARY deployment of what the service now asks for, with its service deployment."""
    now = ctx.engine.now()
    deployment = Deployment(
        id=scheduler.new_deployment_id(ctx.engine),
        task_definition_arn=service.task_definition_arn,
        desired_count=service.desired_count,
        launch_type=service.launch_type,
        created_at=now,
        updated_at=now,
        network_configuration=service.network_configuration,
        platform_version=service_requests.platform_versions(
            service.launch_type, service.platform_version
        )[1],
        capacity_provider_strategy=list(service.capacity_provider_strategy),
    )
    for old in service.deployments:
        old.status = "ACTIVE"
    service.deployments.insert(0, deployment)
    service_deployments.begin(ctx.engine, service, deployment, now)
    return deployment


MUST_FORCE = (
    "When switching from launch type to capacity provider strategy on an existing service, or "
    "making a change to a capacity provider strategy on a service that is already using one, you "
    "must force a new deployment."
)


def _capacity_update(
    state: RegionState, params: dict[str, Any], service: Service, td: TaskDefinition
) -> tuple[str, list[dict[str, Any]]]:
    """(launch type, capacity provider strategy) an UpdateService leaves the service with.

    As ECS: a strategy may replace the launch type or another strategy (Fargate providers
    and Auto Scaling group ones alike), and an empty list goes back to the launch type the
    current strategy's tasks have; any such change needs forceNewDeployment.
    """
    current = service.launch_type, service.capacity_provider_strategy
    if "capacityProviderStrategy" not in params:
        return current
    strategy = capacity_strategy.normalized(params["capacityProviderStrategy"])
    if strategy:
        cluster = state.cluster(params.get("cluster"))
        launch_type = capacity_strategy.check_service_strategy(cluster, strategy, td)
    else:
        launch_type = service.launch_type
    if strategy != service.capacity_provider_strategy and not params.get("forceNewDeployment"):
        raise errors.invalid_parameter(MUST_FORCE)
    return launch_type, strategy


def _check_exec_role(td: TaskDefinition | None, done: str) -> None:
    """ECS Exec needs a task role: a service's tasks take theirs from the task definition."""
    if td is not None and not td.body.get("taskRoleArn"):
        raise errors.invalid_parameter(
            f"The service couldn't be {done} because a valid taskRoleArn is not being used. "
            "Specify a valid task role in your task definition and try again."
        )


# operations --------------------------------------------------------------------


@operation("CreateService")
def create_service(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    engine = ctx.engine
    state = engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    name = params["serviceName"]
    _check_name(name)
    _check_unsupported(params)
    token = params.get("clientToken")
    existing = state.services.get((cluster.arn, name))
    if existing is not None and existing.status == "ACTIVE":
        if (
            token is not None
            and existing.client_token == f"{token}:{service_requests.fingerprint(params)}"
        ):
            return {"service": service_dict(ctx, existing)}
        raise errors.invalid_parameter("Creation of service was not idempotent.")
    if existing is not None and existing.status == "DRAINING":
        raise errors.invalid_parameter("Unable to Start a service that is still Draining.")
    external = (params.get("deploymentController") or {}).get("type") == "EXTERNAL"
    if "taskDefinition" not in params and not external:
        raise errors.invalid_parameter("TaskDefinition can not be blank.")
    daemon = params.get("schedulingStrategy") == daemon_rules.DAEMON
    if daemon:  # one task per instance: the scheduler counts them
        daemon_rules.check_create(params)
        params = {**params, "launchType": params.get("launchType", "EC2")}
    elif params.get("desiredCount") is None:
        raise errors.invalid_parameter(
            "desiredCount is required when schedulingStrategy is REPLICA."
        )
    desired = 0 if daemon else params["desiredCount"]
    if desired < 0:
        raise errors.invalid_parameter("desiredCount must be at least 0.")
    strategy: list[dict[str, Any]] | None = None  # the capacity provider strategy that applies
    if external:  # its task sets carry these (fakeecs/api/task_sets.py)
        check_external_create(params)
        td, launch_type, network, given_platform = None, "", None, None
    else:
        td = service_lookup.active_task_definition(state, params["taskDefinition"])
        strategy, launch_type = capacity_strategy.service_launch(cluster, params, td)
        network = check_network(ctx.engine, ctx.region, params, td)
        given_platform, _ = service_requests.platform_versions(
            launch_type, params.get("platformVersion")
        )
    role = service_role.check_role(params, td.body.get("networkMode") if td else None)
    if params.get("enableExecuteCommand"):
        _check_exec_role(td, "created")
    connect = namespaces.service_connect(
        cluster.service_connect_namespace, params.get("serviceConnectConfiguration")
    )
    maximum, minimum = service_requests.deployment_config(
        params,
        None,
        (daemon_rules.MAXIMUM_PERCENT, daemon_rules.MINIMUM_HEALTHY_PERCENT)
        if daemon
        else (200, 100),
    )
    breaker = _circuit_breaker(params, None)
    hooks = _lifecycle_hooks(params, None)
    propagate = params.get("propagateTags", "NONE")
    if propagate not in ("NONE", "SERVICE", "TASK_DEFINITION"):
        raise errors.invalid_parameter(
            "propagateTags must be one of NONE, SERVICE, TASK_DEFINITION."
        )
    now = engine.now()
    service = Service(
        name=name,
        arn=arn(ctx.region, f"service/{cluster.name}/{name}"),
        cluster_arn=cluster.arn,
        region=ctx.region,
        task_definition_arn=td.arn if td is not None else "",
        desired_count=desired,
        launch_type=launch_type,
        created_at=now,
        network_configuration=network,
        platform_version=given_platform,
        maximum_percent=maximum,
        minimum_healthy_percent=minimum,
        propagate_tags=propagate,
        enable_managed_tags=bool(params.get("enableECSManagedTags", False)),
        tags=check_tags(params.get("tags")),
        client_token=None if token is None else f"{token}:{service_requests.fingerprint(params)}",
        capacity_provider_strategy=strategy or list(params.get("capacityProviderStrategy") or []),
        echoed={k: params[k] for k in (*service_requests.ECHOED, *_KEPT) if k in params},
        circuit_breaker=breaker,
        scheduling_strategy="DAEMON" if daemon else "REPLICA",
    )
    if role is not None:
        service.echoed["roleArn"] = role
    if connect is not None:
        service.echoed["serviceConnectConfiguration"] = connect
    if hooks:
        service.echoed["lifecycleHooks"] = hooks
    state.services[(cluster.arn, name)] = service
    if not external:
        _new_deployment(ctx, service)
    scheduler.wake(engine, service, now + scheduler.SCHEDULER_DELAY)
    return {"service": service_dict(ctx, service)}


@operation("UpdateService")
def update_service(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    engine = ctx.engine
    state = engine.region(ctx.region)
    service = _active_service(state, params)
    if is_external(service):
        return {"service": service_dict(ctx, update_external_service(ctx, service, params))}
    if (params.get("deploymentController") or {}).get("type", "ECS") != "ECS":
        raise errors.invalid_parameter(service_requests.CONTROLLER_FIXED)
    if service.scheduling_strategy == daemon_rules.DAEMON:
        daemon_rules.check_update(params)
    redeploy = bool(params.get("forceNewDeployment"))
    td = state.task_definition(service.task_definition_arn)
    if "taskDefinition" in params:
        new_td = service_lookup.active_task_definition(state, params["taskDefinition"])
        redeploy = redeploy or new_td.arn != service.task_definition_arn
        td = new_td
    launch_type, strategy = _capacity_update(state, params, service, td)
    capacity_strategy.check_launch_type(launch_type, td)  # FARGATE needs a FARGATE one
    network = service.network_configuration
    if "networkConfiguration" in params:
        network = check_network(
            ctx.engine, ctx.region, {"networkConfiguration": params["networkConfiguration"]}, td
        )
        redeploy = redeploy or network != service.network_configuration
    elif "taskDefinition" in params:
        network = check_network(ctx.engine, ctx.region, {"networkConfiguration": network}, td)
    # a service moved to another launch type starts from that type's default platform
    kept = service.platform_version if launch_type == service.launch_type else None
    platform, _ = service_requests.platform_versions(
        launch_type, params.get("platformVersion", kept)
    )
    redeploy = redeploy or platform != service.platform_version
    if params.get("enableExecuteCommand", service.echoed.get("enableExecuteCommand")) and (
        "enableExecuteCommand" in params or "taskDefinition" in params
    ):
        _check_exec_role(td, "updated")
    connect = service_lookup.service_connect_update(state, params)
    maximum, minimum = service_requests.deployment_config(params, service)
    breaker = _circuit_breaker(params, service)
    hooks = _lifecycle_hooks(params, service)
    desired = params.get("desiredCount", service.desired_count)
    if desired < 0:
        raise errors.invalid_parameter("desiredCount must be at least 0.")
    # every check passed: apply
    if td.arn != service.task_definition_arn:  # the developer guide: no longer throttled
        scheduler.end_throttling(service)
    service.task_definition_arn = td.arn
    service.network_configuration = network
    service.platform_version = platform
    service.launch_type, service.capacity_provider_strategy = launch_type, strategy
    service.maximum_percent, service.minimum_healthy_percent = maximum, minimum
    service.circuit_breaker = breaker
    service.desired_count = desired
    if "propagateTags" in params:
        service.propagate_tags = params["propagateTags"]
    if "enableECSManagedTags" in params:
        service.enable_managed_tags = bool(params["enableECSManagedTags"])
    service.echoed.update({k: params[k] for k in service_requests.ECHOED if k in params})
    if connect is not None:
        service.echoed["serviceConnectConfiguration"] = connect
    service.echoed["lifecycleHooks"] = hooks
    now = engine.now()
    primary = service.deployments[0]
    primary.desired_count = desired
    primary.updated_at = now
    if redeploy:
        _new_deployment(ctx, service)
    service.steady = False
    scheduler.wake(engine, service, now + scheduler.SCHEDULER_DELAY)
    return {"service": service_dict(ctx, service)}


@operation("DeleteService")
def delete_service(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    engine = ctx.engine
    state = engine.region(ctx.region)
    service = _active_service(state, params)
    if service.desired_count > 0 and not params.get("force"):
        raise errors.invalid_parameter("The service cannot be stopped while it is scaled above 0.")
    service.desired_count = 0
    service.status = "DRAINING"
    service.steady = False
    scheduler.wake(engine, service, engine.now() + scheduler.SCHEDULER_DELAY)
    return {"service": service_dict(ctx, service)}


@operation("DescribeServices")
def describe_services(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    refs = params["services"]
    if not refs:
        raise errors.invalid_parameter("Services cannot be empty.")
    if len(refs) > 10:
        raise errors.invalid_parameter("Services cannot have more than 10 elements.")
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    include_tags = "TAGS" in (params.get("include") or [])
    found, failures = describe_each(
        refs,
        lambda ref: service_lookup.lookup(state, cluster, ref),
        lambda service: service_dict(ctx, service, include_tags),
        lambda ref: service_requests.missing_arn(ctx.region, ref),
    )
    return {"services": found, "failures": failures}


@operation("ListServices")
def list_services(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    launch_type = params.get("launchType")
    strategy = params.get("schedulingStrategy")
    arns = sorted(
        s.arn
        for (c, _), s in state.services.items()
        if c == cluster.arn
        and s.status != "INACTIVE"
        and (launch_type is None or s.launch_type == launch_type)
        and strategy in (None, s.scheduling_strategy)
    )
    chunk, token = page(arns, params, limit=100, default=10)
    return with_token({"serviceArns": chunk}, token)


@operation("ListServicesByNamespace")
def list_services_by_namespace(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    """Services of every cluster whose Service Connect configuration names the namespace.

    A name and an ARN are compared as the namespace ARN they mean (fakeecs/engine/namespaces.py).
    Without a Cloud Map of fakeecs's own, a namespace exists while moto's Cloud Map has it, a
    cluster has it as its default, or a service the region remembers names it; any other
    answers NamespaceNotFoundException.
    """
    state = ctx.engine.region(ctx.region)
    wanted = namespaces.namespace_arn(ctx.region, params["namespace"])
    named = []
    for service in state.services.values():
        config = service.echoed.get("serviceConnectConfiguration") or {}
        ref = config.get("namespace")
        if ref and namespaces.namespace_arn(ctx.region, ref) == wanted:
            named.append((service, config))
    known = (
        named
        or any(c.service_connect_namespace == wanted for c in state.clusters.values())
        or namespaces.in_cloud_map(ctx.region, wanted)
    )
    if not known:
        raise ECSError("NamespaceNotFoundException", f"Namespace {params['namespace']} not found.")
    arns = sorted(s.arn for s, c in named if c.get("enabled") and s.status != "INACTIVE")
    chunk, token = page(arns, params, limit=100, default=10)
    return with_token({"serviceArns": chunk}, token)
