"""Capacity provider operations: Create, Update, Delete, Describe, PutClusterCapacityProviders.

FARGATE and FARGATE_SPOT are built in and never stored; other providers wrap an Auto
Scaling group (auto_scaling.py reads moto's groups) and run their tasks with the EC2
launch type. How tasks are shared over a strategy is capacity_strategy.py's job, which
providers a cluster may have is capacity_clusters.py's.
"""

from __future__ import annotations

from typing import Any

from fakeecs import errors
from fakeecs.api.clusters import cluster_dict
from fakeecs.api.registry import CallContext, operation
from fakeecs.engine.auto_scaling import protects_new_instances, resolve_group
from fakeecs.engine.capacity_clusters import associated_cluster, check_cluster_providers
from fakeecs.engine.state import RegionState
from fakeecs.ids import arn
from fakeecs.model import CapacityProvider
from fakeecs.rules.capacity_strategy import (
    FARGATE_PROVIDERS,
    is_fargate,
)
from fakeecs.rules.paging import page, with_token
from fakeecs.rules.tagging import check_tags

#: Reserved name prefixes (ECS compares them case-insensitively).
RESERVED_PREFIXES = ("aws", "ecs", "fargate")
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


def provider_arn(region: str, name: str) -> str:
    return arn(region, f"capacity-provider/{name}")


def _name_of(ref: str) -> str:
    return ref.rsplit("capacity-provider/", 1)[-1] if ref.startswith("arn:") else ref


def _visible(provider: CapacityProvider, now: float) -> bool:
    """An INACTIVE (deleted) provider is shown for an hour, then ECS forgets it."""
    return provider.deleted_at is None or now < provider.deleted_at + INACTIVE_RETENTION


@operation("PutClusterCapacityProviders")
def put_cluster_capacity_providers(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
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
        if group is not None and not protects_new_instances(group):
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


def provider_dict(provider: CapacityProvider, include_tags: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "capacityProviderArn": provider.arn,
        "name": provider.name,
        "status": provider.status,
        "type": "EC2_AUTOSCALING",
        "autoScalingGroupProvider": provider.auto_scaling_group_provider,
        "tags": list(provider.tags) if include_tags else [],
        "updateStatus": provider.update_status,
        "updateStatusReason": provider.update_status_reason,
    }
    return {k: v for k, v in out.items() if v is not None}


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
    asg_arn, group = resolve_group(ctx.region, given["autoScalingGroupArn"])
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
    return {"capacityProvider": provider_dict(provider)}


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


@operation(
    "UpdateCapacityProvider",
    notes="Completes at once; managed scaling is stored but nothing scales.",
)
def update_capacity_provider(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    _unsupported_managed_instances(params)
    state = ctx.engine.region(ctx.region)
    provider = _custom(state, params["name"], "updated")
    given = params.get("autoScalingGroupProvider")
    if given is None:
        raise errors.invalid_parameter("autoScalingGroupProvider can not be blank.")
    asg_arn = provider.auto_scaling_group_provider["autoScalingGroupArn"]
    _, group = resolve_group(ctx.region, asg_arn)
    provider.auto_scaling_group_provider = _asg_provider(
        given, provider.auto_scaling_group_provider, group
    )
    provider.update_status, provider.update_status_reason = "UPDATE_COMPLETE", None
    return {"capacityProvider": provider_dict(provider)}


@operation(
    "DeleteCapacityProvider", notes="Completes at once; describable as INACTIVE for an hour."
)
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
        return {"capacityProvider": provider_dict(provider)}
    answer = {**provider_dict(provider), "updateStatus": "DELETE_IN_PROGRESS"}
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
            found.append(provider_dict(provider, include_tags))
    chunk, token = page(found, params, limit=10, default=10)
    result: dict[str, Any] = {
        "capacityProviders": chunk,
        "failures": [] if params.get("nextToken") else failures,
    }
    return with_token(result, token)
