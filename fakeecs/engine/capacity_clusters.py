"""Which capacity providers a cluster may have: associations, and providers in use.

CreateCluster and PutClusterCapacityProviders check a cluster's providers and
default strategy here; an Auto Scaling group provider belongs to one cluster at most,
and one that a service or a task still uses cannot be taken away.
"""

from __future__ import annotations

from typing import Any

from fakeecs import errors
from fakeecs.engine.state import RegionState
from fakeecs.errors import ECSError
from fakeecs.model import ACTIVE_STATES, Cluster
from fakeecs.rules.capacity_strategy import check_strategy, is_fargate, normalized

NOT_FOUND = "The specified capacity provider was not found. Specify a valid capacity provider and try again."
IN_USE = "The specified capacity provider is in use and cannot be removed."


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


def strategy_of(service: Any) -> list[dict[str, Any]]:
    """The strategy a service (or any of its deployments) runs with."""
    items = list(getattr(service, "capacity_provider_strategy", None) or [])
    for deployment in getattr(service, "deployments", []):
        items += list(deployment.capacity_provider_strategy or [])
    return items


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
    check_strategy(providers, items)
    if cluster is not None:
        for name in cluster.capacity_providers:
            if name not in providers and in_use(state, cluster, name):
                raise ECSError("ResourceInUseException", IN_USE)
    return list(providers), items
