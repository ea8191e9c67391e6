"""Capacity providers: Create, Update, Delete, Describe, PutClusterCapacityProviders.

Also the one place that decides, task by task, which capacity a task runs on:
`launch_choices` (RunTask) and `service_choices` (the service scheduler) turn a
launch type, a capacity provider strategy or the cluster's default strategy into
a (launchType, capacityProviderName) pair per task. FARGATE and FARGATE_SPOT are
built in and never stored; other providers wrap an Auto Scaling group and run
their tasks with the EC2 launch type.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fakeecs import errors
from fakeecs.api.paging import page, with_token
from fakeecs.api.registry import CallContext, operation
from fakeecs.api.tagging import check_tags
from fakeecs.engine.state import RegionState
from fakeecs.errors import ECSError
from fakeecs.ids import ACCOUNT_ID, arn
from fakeecs.model import ACTIVE_STATES, CapacityProvider, Cluster, TaskDefinition

FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
#: Reserved name prefixes (ECS compares them case-insensitively).
RESERVED_PREFIXES = ("aws", "ecs", "fargate")
#: A capacity provider strategy holds at most this many items.
MAX_STRATEGY_ITEMS = 20
#: How long a deleted (INACTIVE) provider stays describable.
INACTIVE_RETENTION = 3600.0
MANAGED_SCALING_DEFAULTS: dict[str, Any] = {
    "status": "DISABLED",
    "targetCapacity": 100,
    "minimumScalingStepSize": 1,
    "maximumScalingStepSize": 10000,
    "instanceWarmupPeriod": 300,
}

BAD_NAME = (
    "The specified capacity provider name is invalid. Up to 255 characters are allowed, "
    "including letters (upper and lowercase), numbers, underscores, and hyphens. The name cannot "
    'be prefixed with "aws", "ecs", or "fargate". Specify a valid name and try again.'
)
NOT_FOUND = "The specified capacity provider was not found. Specify a valid capacity provider and try again."
NOT_ASSOCIATED = (
    "The specified capacity provider strategy cannot contain a capacity provider that is not "
    "associated with the cluster. Associate the capacity provider with the cluster or specify a "
    "valid capacity provider and try again."
)
MIXED = (
    "A capacity provider strategy cannot contain a mix of capacity providers using Auto Scaling "
    "groups and Fargate providers. Specify one or the other and try again."
)
IN_USE = "The specified capacity provider is in use and cannot be removed."
BOTH_GIVEN = "Specifying both a launch type and capacity provider strategy is not supported."


# lookups -------------------------------------------------------------------------


def provider_arn(region: str, name: str) -> str:
    return arn(region, f"capacity-provider/{name}")


def _name_of(ref: str) -> str:
    return ref.rsplit("capacity-provider/", 1)[-1] if ref.startswith("arn:") else ref


def _visible(provider: CapacityProvider, now: float) -> bool:
    """An INACTIVE (deleted) provider is shown for an hour, then ECS forgets it."""
    return provider.deleted_at is None or now < provider.deleted_at + INACTIVE_RETENTION


def find(state: RegionState, ref: str) -> CapacityProvider | None:
    """A custom provider by name or ARN (INACTIVE ones included), or None."""
    return state.capacity_providers.get(_name_of(ref))


def is_fargate(name: str) -> bool:
    return name in FARGATE_PROVIDERS


def _active(state: RegionState, name: str) -> bool:
    if is_fargate(name):
        return True
    found = state.capacity_providers.get(name)
    return found is not None and found.status == "ACTIVE"


def associated_cluster(state: RegionState, name: str) -> Cluster | None:
    """The ACTIVE cluster a custom provider is associated with (it may be with one only)."""
    return next(
        (
            c
            for c in state.clusters.values()
            if c.status == "ACTIVE" and name in c.capacity_providers
        ),
        None,
    )


def in_use(state: RegionState, cluster: Cluster, name: str) -> bool:
    """Whether a service's strategy or a task that is not STOPPED uses `name` in `cluster`."""
    services = (
        s
        for (c, _), s in state.services.items()
        if c == cluster.arn and getattr(s, "status", "ACTIVE") != "INACTIVE"
    )
    if any(item["capacityProvider"] == name for s in services for item in strategy_of(s)):
        return True
    return any(
        t.capacity_provider_name == name and t.last_status in ACTIVE_STATES
        for t in state.cluster_tasks(cluster)
    )


def strategy_of(service: Any) -> list[dict[str, Any]]:
    """The strategy a service (or any of its deployments) runs with."""
    items = list(getattr(service, "capacity_provider_strategy", None) or [])
    for deployment in getattr(service, "deployments", []):
        items += list(deployment.capacity_provider_strategy or [])
    return items


# strategies ----------------------------------------------------------------------


def normalized(strategy: Iterable[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Items as ECS echoes them: base and weight always present (0 when not given)."""
    return [
        {
            "capacityProvider": s["capacityProvider"],
            "weight": s.get("weight", 0),
            "base": s.get("base", 0),
        }
        for s in strategy or []
    ]


def check_strategy(
    state: RegionState, associated: list[str], strategy: list[dict[str, Any]]
) -> None:
    """The rules every strategy obeys, in a cluster default or given to RunTask/CreateService."""
    if len(strategy) > MAX_STRATEGY_ITEMS:
        raise errors.invalid_parameter(
            f"A capacity provider strategy can contain at most {MAX_STRATEGY_ITEMS} capacity "
            f"providers; {len(strategy)} were given."
        )
    names = [s["capacityProvider"] for s in strategy]
    if len(set(names)) != len(names):
        raise errors.invalid_parameter(
            "The specified capacity provider strategy contains the same capacity provider more "
            "than once. Specify each capacity provider once and try again."
        )
    if sum(1 for s in strategy if s.get("base", 0) > 0) > 1:
        raise errors.invalid_parameter(
            "The specified capacity provider strategy has more than one capacity provider with a "
            "base value greater than zero. Only one capacity provider can have a base defined."
        )
    if any(name not in associated for name in names):
        raise errors.invalid_parameter(NOT_ASSOCIATED)
    if any(is_fargate(n) for n in names) and not all(is_fargate(n) for n in names):
        raise errors.invalid_parameter(MIXED)


def _check_weights(strategy: list[dict[str, Any]], default: bool) -> None:
    """At placement time at least one provider must have a weight (ECS accepts a 0-weight default)."""
    if any(s.get("weight", 0) > 0 for s in strategy):
        return
    if default:
        raise errors.invalid_parameter(
            "There are no capacity providers with a weight value greater than zero defined in the "
            "default capacity provider strategy. At least one capacity provider must have a weight "
            "value greater than zero specified. Update the cluster's default capacity provider "
            "strategy or specify a valid capacity provider strategy and try again."
        )
    raise errors.invalid_parameter(
        "There are no capacity providers with a weight value greater than zero defined in the "
        "specified capacity provider strategy. At least one capacity provider must have a weight "
        "value greater than zero specified. Specify a valid capacity provider strategy and try again."
    )


def spread(
    strategy: list[dict[str, Any]], count: int, existing: dict[str, int] | None = None
) -> list[str]:
    """The provider of each of `count` new tasks: the base first, then the rest by weight.

    `existing` counts tasks already running per provider (a service's), so a service's
    base is met once, not per scheduling pass. After the base, each task goes to the
    provider furthest below its share (fewest tasks beyond the base per unit of weight;
    ties to the earlier item), so 1:4 weights give 2 and 8 of 10 tasks. Deterministic.
    """
    counts = {
        s["capacityProvider"]: (existing or {}).get(s["capacityProvider"], 0) for s in strategy
    }
    chosen: list[str] = []
    for _ in range(count):
        short = [s for s in strategy if counts[s["capacityProvider"]] < s.get("base", 0)]
        if short:
            pick = short[0]["capacityProvider"]
        else:
            weighted = [s for s in strategy if s.get("weight", 0) > 0]
            pick = min(
                weighted,
                key=lambda s: (counts[s["capacityProvider"]] - s.get("base", 0) + 1) / s["weight"],
            )["capacityProvider"]
        counts[pick] += 1
        chosen.append(pick)
    return chosen


def check_launch_type(launch_type: str, td: TaskDefinition) -> str:
    if launch_type == "FARGATE":
        if "FARGATE" not in (td.body.get("requiresCompatibilities") or []):
            raise errors.invalid_parameter("Task definition does not support launch_type FARGATE.")
    elif launch_type not in ("EC2", "EXTERNAL"):
        raise errors.invalid_parameter(f"launchType {launch_type} is not supported.")
    return launch_type


def _launch_type_of(provider: str) -> str:
    return "FARGATE" if is_fargate(provider) else "EC2"


def applicable_strategy(
    state: RegionState, cluster: Cluster, params: dict[str, Any]
) -> list[dict[str, Any]] | None:
    """The strategy a RunTask/CreateService runs with (given, else the cluster default when no
    launch type is given either), checked; None when a launch type applies."""
    given = params.get("capacityProviderStrategy") or []
    if given and "launchType" in params:
        raise errors.invalid_parameter(BOTH_GIVEN)
    if "launchType" in params or not (given or cluster.default_strategy):
        return None
    strategy = normalized(given or cluster.default_strategy)
    check_strategy(state, list(cluster.capacity_providers), strategy)
    _check_weights(strategy, default=not given)
    return strategy


def _choices(td: TaskDefinition, names: list[str]) -> list[tuple[str, str | None]]:
    return [(check_launch_type(_launch_type_of(name), td), name) for name in names]


def strategy_launch_type(strategy: list[dict[str, Any]], td: TaskDefinition) -> str:
    """The launch type of a strategy's tasks (a strategy never mixes Fargate and EC2 providers)."""
    return check_launch_type(_launch_type_of(strategy[0]["capacityProvider"]), td)


def launch_choices(
    state: RegionState, cluster: Cluster, params: dict[str, Any], td: TaskDefinition, count: int
) -> list[tuple[str, str | None]]:
    """(launchType, capacityProviderName) for each of the `count` tasks of one RunTask."""
    strategy = applicable_strategy(state, cluster, params)
    if strategy is None:
        launch_type = check_launch_type(params.get("launchType", "EC2"), td)
        return [(launch_type, None)] * count
    return _choices(td, spread(strategy, count))


def check_service_strategy(
    state: RegionState, cluster: Cluster, strategy: list[dict[str, Any]], td: TaskDefinition
) -> str:
    """A strategy an UpdateService gives, checked as RunTask's; the launch type of its tasks."""
    check_strategy(state, list(cluster.capacity_providers), strategy)
    _check_weights(strategy, default=False)
    return strategy_launch_type(strategy, td)


def service_choices(
    state: RegionState, service: Any, deployment: Any, n: int
) -> list[tuple[str, str | None]]:
    """The same for `n` new tasks of a service's deployment (checked when it was created).

    The base counts the tasks the service already runs on each provider.
    """
    strategy = normalized(deployment.capacity_provider_strategy)
    if not strategy:
        return [(deployment.launch_type, None)] * n
    existing: dict[str, int] = {}
    for task_arn in service.task_arns:
        task = state.tasks.get(task_arn)
        if task is not None and task.desired_status == "RUNNING" and task.capacity_provider_name:
            name = task.capacity_provider_name
            existing[name] = existing.get(name, 0) + 1
    return [(_launch_type_of(name), name) for name in spread(strategy, n, existing)]


def provider_of_instance(
    region: str, state: RegionState, cluster: Cluster, ec2_id: str
) -> str | None:
    """The capacity provider an EC2 instance registering to `cluster` belongs to, as ECS finds it:
    the cluster's ACTIVE custom provider whose Auto Scaling group (in moto) holds the instance."""
    from moto.autoscaling.models import autoscaling_backends

    groups = autoscaling_backends[ACCOUNT_ID][region].autoscaling_groups
    for name in cluster.capacity_providers:
        provider = state.capacity_providers.get(name)
        if provider is None or provider.status != "ACTIVE":
            continue
        group_arn = provider.auto_scaling_group_provider["autoScalingGroupArn"]
        group = groups.get(group_arn.rsplit("autoScalingGroupName/", 1)[-1])
        if group is not None and any(s.instance.id == ec2_id for s in group.instance_states):
            return name
    return None


# cluster associations ------------------------------------------------------------


def check_cluster_providers(
    state: RegionState,
    cluster: Cluster | None,
    providers: list[str],
    strategy: list[dict[str, Any]],
) -> tuple[list[str], list[dict[str, Any]]]:
    """Validate a cluster's providers and default strategy (CreateCluster, PutClusterCapacityProviders).

    `cluster` is None for a cluster being created. Returns what to store.
    """
    if len(set(providers)) != len(providers):
        raise errors.invalid_parameter(
            "The specified capacity providers contain duplicates. Specify each capacity provider once."
        )
    for name in providers:
        if not _active(state, name):
            raise errors.invalid_parameter(NOT_FOUND)
        if not is_fargate(name):
            other = associated_cluster(state, name)
            if other is not None and (cluster is None or other.arn != cluster.arn):
                raise errors.invalid_parameter(
                    f"The capacity provider {name} is already associated with the cluster "
                    f"{other.name}. An Auto Scaling group capacity provider can be associated "
                    "with one cluster only."
                )
    items = normalized(strategy)
    check_strategy(state, providers, items)
    if cluster is not None:
        for name in cluster.capacity_providers:
            if name not in providers and in_use(state, cluster, name):
                raise ECSError("ResourceInUseException", IN_USE)
    return list(providers), items


@operation("PutClusterCapacityProviders")
def put_cluster_capacity_providers(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    from fakeecs.api.clusters import cluster_dict  # clusters imports this module

    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    providers, strategy = check_cluster_providers(
        state,
        cluster,
        list(params["capacityProviders"]),
        list(params["defaultCapacityProviderStrategy"]),
    )
    cluster.capacity_providers, cluster.default_strategy = providers, strategy
    return {"cluster": cluster_dict(ctx, cluster, ["SETTINGS", "TAGS", "CONFIGURATIONS"])}


# capacity provider operations ---------------------------------------------------------------


def _check_name(name: str) -> None:
    ok = 1 <= len(name) <= 255 and all(c.isascii() and (c.isalnum() or c in "-_") for c in name)
    if not ok or name.lower().startswith(RESERVED_PREFIXES):
        raise errors.client_error(BAD_NAME)


def _asg_arn(ctx: CallContext, ref: str) -> tuple[str, Any]:
    """The ASG's ARN and moto's group (None when moto does not know it).

    A well-formed ARN is accepted even when moto has no such group (tests need not create one);
    a bare name must name a group moto knows, since its ARN carries a UUID only AWS gives.
    """
    from moto.autoscaling.models import autoscaling_backends

    groups = autoscaling_backends[ACCOUNT_ID][ctx.region].autoscaling_groups
    if ref.startswith("arn:"):
        parts = ref.split(":", 7)
        ok = (
            len(parts) == 8
            and parts[2] == "autoscaling"
            and parts[5] == "autoScalingGroup"
            and parts[7].startswith("autoScalingGroupName/")
            and len(parts[7]) > len("autoScalingGroupName/")
        )
        if not ok:
            raise errors.client_error(
                f"The specified Auto Scaling group ARN {ref} is invalid. Specify an ARN of the form "
                "arn:aws:autoscaling:<region>:<account>:autoScalingGroup:<uuid>:autoScalingGroupName/<name>."
            )
        group = groups.get(parts[7].split("/", 1)[1])
        return ref, group
    group = groups.get(ref)
    if group is None:
        raise errors.client_error(
            f"The specified Auto Scaling group {ref} was not found. Specify a valid Auto Scaling "
            "group name or ARN and try again."
        )
    return group.arn, group


def _asg_provider(
    given: dict[str, Any], current: dict[str, Any] | None, group: Any
) -> dict[str, Any]:
    """The provider's ASG settings with ECS's defaults filled in, checked."""
    current = current or {}
    scaling = {
        **MANAGED_SCALING_DEFAULTS,
        **current.get("managedScaling", {}),
        **(given.get("managedScaling") or {}),
    }
    out = {
        "autoScalingGroupArn": current.get("autoScalingGroupArn", given.get("autoScalingGroupArn")),
        "managedScaling": scaling,
        "managedTerminationProtection": given.get(
            "managedTerminationProtection", current.get("managedTerminationProtection", "DISABLED")
        ),
        "managedDraining": given.get("managedDraining", current.get("managedDraining", "ENABLED")),
    }
    if out["managedTerminationProtection"] == "ENABLED":
        if scaling["status"] != "ENABLED":
            raise errors.client_error(
                "The managed termination protection setting for the capacity provider is invalid. "
                "To enable managed termination protection for a capacity provider, managed scaling "
                "must be enabled."
            )
        if group is not None and not group.new_instances_protected_from_scale_in:
            raise errors.client_error(
                "The managed termination protection setting for the capacity provider is invalid. "
                "To enable managed termination protection for a capacity provider, the Auto Scaling "
                "group must have instance protection from scale in enabled."
            )
    return out


def _unsupported_managed_instances(params: dict[str, Any]) -> None:
    if params.get("managedInstancesProvider") is not None or params.get("cluster") is not None:
        raise errors.invalid_parameter(
            "fakeecs does not implement Amazon ECS Managed Instances capacity providers "
            "(managedInstancesProvider, cluster); use autoScalingGroupProvider."
        )


def provider_dict(
    provider: CapacityProvider, now: float, include_tags: bool = True
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "capacityProviderArn": provider.arn,
        "name": provider.name,
        "status": provider.status,
        "type": "EC2_AUTOSCALING",
        "autoScalingGroupProvider": provider.auto_scaling_group_provider,
        "tags": list(provider.tags) if include_tags else [],
    }
    if provider.update_status is not None:
        out["updateStatus"] = provider.update_status
    if provider.update_status_reason is not None:
        out["updateStatusReason"] = provider.update_status_reason
    return out


def _builtin_dict(region: str, name: str) -> dict[str, Any]:
    return {
        "capacityProviderArn": provider_arn(region, name),
        "name": name,
        "status": "ACTIVE",
        "type": name,
        "tags": [],
    }


@operation("CreateCapacityProvider")
def create_capacity_provider(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    _unsupported_managed_instances(params)
    name = params["name"]
    _check_name(name)
    given = params.get("autoScalingGroupProvider")
    if given is None:
        raise errors.invalid_parameter("autoScalingGroupProvider can not be blank.")
    state = ctx.engine.region(ctx.region)
    existing = state.capacity_providers.get(name)
    if existing is not None and existing.status != "INACTIVE":
        raise errors.client_error(
            "The specified capacity provider already exists. To change the configuration of an "
            "existing capacity provider, update the capacity provider."
        )
    asg_arn, group = _asg_arn(ctx, given["autoScalingGroupArn"])
    if any(
        p.status != "INACTIVE" and p.auto_scaling_group_provider["autoScalingGroupArn"] == asg_arn
        for p in state.capacity_providers.values()
    ):
        raise errors.client_error(
            "The specified Auto Scaling group ARN is already being used by another capacity "
            "provider. Specify a unique Auto Scaling group ARN and try again."
        )
    provider = CapacityProvider(
        name=name,
        arn=provider_arn(ctx.region, name),
        auto_scaling_group_provider=_asg_provider(
            {**given, "autoScalingGroupArn": asg_arn}, None, group
        ),
        tags=check_tags(params.get("tags")),
    )
    state.capacity_providers[name] = provider
    return {"capacityProvider": provider_dict(provider, ctx.engine.now())}


def _custom(state: RegionState, ref: str, action: str) -> CapacityProvider:
    name = _name_of(ref)
    if is_fargate(name):
        raise errors.client_error(
            f"The {name} capacity provider is reserved and cannot be {action}. Disassociate it from "
            "a cluster with PutClusterCapacityProviders instead."
        )
    provider = state.capacity_providers.get(name)
    if provider is None or provider.status == "INACTIVE":
        raise errors.client_error(
            "The specified capacity provider does not exist. Specify a valid name or ARN and try again."
        )
    return provider


@operation("UpdateCapacityProvider")
def update_capacity_provider(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    _unsupported_managed_instances(params)
    state = ctx.engine.region(ctx.region)
    provider = _custom(state, params["name"], "updated")
    given = params.get("autoScalingGroupProvider")
    if given is None:
        raise errors.invalid_parameter("autoScalingGroupProvider can not be blank.")
    asg_arn = provider.auto_scaling_group_provider["autoScalingGroupArn"]
    _, group = _asg_arn(ctx, asg_arn)
    provider.auto_scaling_group_provider = _asg_provider(
        given, provider.auto_scaling_group_provider, group
    )
    provider.update_status, provider.update_status_reason = "UPDATE_COMPLETE", None
    return {"capacityProvider": provider_dict(provider, ctx.engine.now())}


@operation("DeleteCapacityProvider")
def delete_capacity_provider(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    """A provider associated with a cluster is not deleted: ECS answers it DELETE_FAILED, with why.

    Otherwise the answer says DELETE_IN_PROGRESS and the provider is INACTIVE / DELETE_COMPLETE
    from then on (ECS takes a while; fakeecs at once), describable for an hour.
    """
    _unsupported_managed_instances(params)
    state = ctx.engine.region(ctx.region)
    provider = _custom(state, params["capacityProvider"], "deleted")
    now = ctx.engine.now()
    cluster = associated_cluster(state, provider.name)
    if cluster is not None:
        provider.update_status = "DELETE_FAILED"
        provider.update_status_reason = (
            f"The capacity provider cannot be deleted because it is associated with cluster: "
            f"{cluster.name}. Remove the capacity provider from the cluster and try again."
        )
        return {"capacityProvider": provider_dict(provider, now)}
    answer = {**provider_dict(provider, now), "updateStatus": "DELETE_IN_PROGRESS"}
    answer.pop("updateStatusReason", None)
    provider.status, provider.update_status, provider.update_status_reason = (
        "INACTIVE",
        "DELETE_COMPLETE",
        None,
    )
    provider.deleted_at = now
    return {"capacityProvider": answer}


@operation("DescribeCapacityProviders")
def describe_capacity_providers(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    now = ctx.engine.now()
    include_tags = "TAGS" in (params.get("include") or [])
    refs = params.get("capacityProviders")
    if refs is not None and len(refs) > 100:
        raise errors.invalid_parameter("capacityProviders can have at most 100 items.")
    only: list[str] | None = None
    if params.get("cluster"):
        only = list(state.cluster(params["cluster"]).capacity_providers)
    found: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    names = [_name_of(r) for r in refs] if refs else None
    if names is None:
        everything = list(FARGATE_PROVIDERS) + sorted(
            n for n, p in state.capacity_providers.items() if _visible(p, now)
        )
        names = [n for n in everything if only is None or n in only]
    for ref, name in zip(refs or names, names, strict=True):
        provider = state.capacity_providers.get(name)
        known = is_fargate(name) or (provider is not None and _visible(provider, now))
        if not known or (only is not None and name not in only):
            failures.append(
                {
                    "arn": ref if ref.startswith("arn:") else provider_arn(ctx.region, name),
                    "reason": "MISSING",
                }
            )
        elif is_fargate(name):
            found.append(_builtin_dict(ctx.region, name))
        else:
            found.append(provider_dict(provider, now, include_tags))
    chunk, token = page(found, params, limit=10, default=10)
    result: dict[str, Any] = {
        "capacityProviders": chunk,
        "failures": [] if params.get("nextToken") else failures,
    }
    return with_token(result, token)
