"""Cluster operations: CreateCluster, DescribeClusters, ListClusters, DeleteCluster,
UpdateCluster and UpdateClusterSettings."""

from __future__ import annotations

from typing import Any

from fakeecs import errors
from fakeecs.api import account_settings
from fakeecs.api.registry import CallContext, operation
from fakeecs.engine import capacity_clusters, namespaces
from fakeecs.errors import ECSError
from fakeecs.ids import arn, short_name
from fakeecs.model import ACTIVE_STATES, PENDING_STATES, Cluster, Service, Task
from fakeecs.rules.paging import page, with_token
from fakeecs.rules.tagging import check_tags


def cluster_dict(ctx: CallContext, cluster: Cluster, include: list[str] = ()) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    tasks = [t for t in state.cluster_tasks(cluster) if t.last_status in ACTIVE_STATES]
    running = sum(1 for t in tasks if t.last_status == "RUNNING")
    pending = sum(1 for t in tasks if t.last_status in PENDING_STATES)
    services = [s for (c, _), s in state.services.items() if c == cluster.arn]
    active_services = [s for s in services if s.status == "ACTIVE"]
    out: dict[str, Any] = {
        "clusterArn": cluster.arn,
        "clusterName": cluster.name,
        "status": cluster.status,
        "registeredContainerInstancesCount": sum(
            1
            for ci in state.container_instances.values()
            if ci.cluster_arn == cluster.arn and ci.status in ("ACTIVE", "DRAINING")
        ),
        "runningTasksCount": running if cluster.status == "ACTIVE" else 0,
        "pendingTasksCount": pending if cluster.status == "ACTIVE" else 0,
        "activeServicesCount": len(active_services),
        "statistics": [],
        "tags": [],
        "settings": [],
        "capacityProviders": list(cluster.capacity_providers),
        "defaultCapacityProviderStrategy": list(cluster.default_strategy),
    }
    if "STATISTICS" in include:
        out["statistics"] = _statistics(tasks, services)
    if "SETTINGS" in include:
        out["settings"] = list(cluster.settings)
    if "TAGS" in include:
        out["tags"] = list(cluster.tags)
    if cluster.service_connect_namespace is not None:
        out["serviceConnectDefaults"] = {"namespace": cluster.service_connect_namespace}
    if "CONFIGURATIONS" in include and cluster.configuration:
        out["configuration"] = cluster.configuration
    return out


def _statistics(tasks: list[Task], services: list[Service]) -> list[dict[str, str]]:
    """DescribeClusters' STATISTICS: tasks RUNNING and pending (not yet RUNNING; stopping ones are
    neither, as in ECS) and services ACTIVE and DRAINING, by launch type."""
    out = []
    for label, launch in (("Fargate", "FARGATE"), ("EC2", "EC2"), ("External", "EXTERNAL")):
        mine = [t for t in tasks if t.launch_type == launch]
        running = sum(1 for t in mine if t.last_status == "RUNNING")
        pending = sum(1 for t in mine if t.last_status in PENDING_STATES)
        out += [
            {"name": f"running{label}TasksCount", "value": str(running)},
            {"name": f"pending{label}TasksCount", "value": str(pending)},
        ]
    for status, word in (("ACTIVE", "active"), ("DRAINING", "draining")):
        for label, launch in (("Fargate", "FARGATE"), ("EC2", "EC2")):
            count = sum(1 for s in services if s.status == status and s.launch_type == launch)
            out.append({"name": f"{word}{label}ServiceCount", "value": str(count)})
    return out


def _check_name(name: str) -> None:
    ok = 1 <= len(name) <= 255 and all(c.isascii() and (c.isalnum() or c in "-_") for c in name)
    if not ok:
        raise errors.invalid_parameter(
            "Cluster name must be 1-255 characters: letters, numbers, hyphens and underscores."
        )


def _default_namespace(region: str, given: dict[str, str] | None) -> str | None:
    """serviceConnectDefaults as stored: the namespace's ARN, None for none (or "")."""
    ref = (given or {}).get("namespace") or ""
    if not ref:
        return None
    namespaces.check_name(ref)
    return namespaces.namespace_arn(region, ref)


#: containerInsights values ECS accepts (the model only lists the setting's name).
INSIGHTS_VALUES = ("enabled", "disabled", "enhanced")


def _merged_settings(
    current: list[dict[str, str]], given: list[dict[str, str]]
) -> list[dict[str, str]]:
    """`current` with each named setting of `given` replacing its namesake (ECS merges by name)."""
    by_name = {s["name"]: dict(s) for s in current}
    for setting in given:
        value = setting.get("value")
        if value not in INSIGHTS_VALUES:
            raise errors.invalid_parameter(
                f"Invalid value {value!r} for cluster setting {setting.get('name')}: "
                f"use one of {', '.join(INSIGHTS_VALUES)}."
            )
        by_name[setting["name"]] = {"name": setting["name"], "value": value}
    return list(by_name.values())


@operation("CreateCluster")
def create_cluster(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params.get("clusterName", "default")
    _check_name(name)
    state = ctx.engine.region(ctx.region)
    existing = state.clusters.get(name)
    if existing is not None and existing.status == "ACTIVE":
        existing.delete_when_empty = False  # asked for again: no longer on its way out
        return {"cluster": cluster_dict(ctx, existing, ["SETTINGS", "TAGS"])}
    providers, strategy = capacity_clusters.check_cluster_providers(
        state,
        None,
        list(params.get("capacityProviders", [])),
        list(params.get("defaultCapacityProviderStrategy", [])),
    )
    cluster = Cluster(
        name=name,
        arn=arn(ctx.region, f"cluster/{name}"),
        tags=check_tags(params.get("tags")),
        capacity_providers=providers,
        default_strategy=strategy,
        configuration=params.get("configuration"),
        service_connect_namespace=_default_namespace(
            ctx.region, params.get("serviceConnectDefaults")
        ),
    )
    # the account's containerInsights setting is the default of new clusters
    insights = account_settings.effective(state, "containerInsights")
    cluster.settings = [{"name": "containerInsights", "value": insights}]
    if params.get("settings"):
        cluster.settings = _merged_settings(cluster.settings, params["settings"])
    state.clusters[name] = cluster
    return {"cluster": cluster_dict(ctx, cluster, ["SETTINGS", "TAGS", "CONFIGURATIONS"])}


@operation("DescribeClusters")
def describe_clusters(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    include = params.get("include", [])
    found, failures = [], []
    for ref in params.get("clusters") or ["default"]:
        cluster = state.clusters.get(short_name(ref))
        if cluster is None:
            failures.append(
                {"arn": arn(ctx.region, f"cluster/{short_name(ref)}"), "reason": "MISSING"}
            )
        else:
            found.append(cluster_dict(ctx, cluster, include))
    return {"clusters": found, "failures": failures}


@operation("ListClusters")
def list_clusters(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    """Every cluster DescribeClusters would show: a deleted cluster stays "discoverable" (the
    ECS API reference) in both, as tools that list and then describe to drop INACTIVE ones
    have found."""
    state = ctx.engine.region(ctx.region)
    arns = sorted(c.arn for c in state.clusters.values())
    chunk, token = page(arns, params)
    return with_token({"clusterArns": chunk}, token)


@operation("DeleteCluster")
def delete_cluster(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params["cluster"])
    if any(c == cluster.arn and s.status == "ACTIVE" for (c, _), s in state.services.items()):
        raise ECSError(
            "ClusterContainsServicesException",
            "The Cluster cannot be deleted while Services are active.",
        )
    if any(t.last_status in ACTIVE_STATES for t in state.cluster_tasks(cluster)):
        raise ECSError(
            "ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active."
        )
    if any(
        ci.cluster_arn == cluster.arn and ci.status in ("ACTIVE", "DRAINING")
        for ci in state.container_instances.values()
    ):
        raise ECSError(
            "ClusterContainsContainerInstancesException",
            "The Cluster cannot be deleted while Container Instances are active or draining.",
        )
    cluster.status = "INACTIVE"
    return {"cluster": cluster_dict(ctx, cluster, ["SETTINGS", "TAGS"])}


@operation("UpdateCluster")
def update_cluster(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    cluster = ctx.engine.region(ctx.region).cluster(params["cluster"])
    if "settings" in params:
        cluster.settings = _merged_settings(cluster.settings, params["settings"])
    if "configuration" in params:
        cluster.configuration = params["configuration"]
    if "serviceConnectDefaults" in params:  # a namespace of "" removes the default
        cluster.service_connect_namespace = _default_namespace(
            ctx.region, params["serviceConnectDefaults"]
        )
    return {"cluster": cluster_dict(ctx, cluster, ["SETTINGS", "TAGS", "CONFIGURATIONS"])}


@operation("UpdateClusterSettings")
def update_cluster_settings(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    cluster = ctx.engine.region(ctx.region).cluster(params["cluster"])
    cluster.settings = _merged_settings(cluster.settings, params["settings"])
    return {"cluster": cluster_dict(ctx, cluster, ["SETTINGS"])}
