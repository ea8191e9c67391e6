"""Finding what a service request names in a region's state.

Shared by the service and task set operations: the service a call names, the ACTIVE
task definition it runs, the Service Connect settings with the cluster's default
namespace filled in.
"""

from __future__ import annotations

from typing import Any

from fakeecs import errors
from fakeecs.engine import namespaces
from fakeecs.engine.state import RegionState
from fakeecs.ids import short_name
from fakeecs.model import Cluster, Service, TaskDefinition


def lookup(state: RegionState, cluster: Cluster, ref: str) -> Service | None:
    return state.services.get((cluster.arn, short_name(ref).rsplit("/", 1)[-1]))


def active_task_definition(state: RegionState, ref: str) -> TaskDefinition:
    td = state.task_definition(ref)
    if td.status != "ACTIVE":
        raise errors.client_error("TaskDefinition is inactive")
    return td


def service_connect_update(state: RegionState, params: dict[str, Any]) -> dict[str, Any] | None:
    """The serviceConnectConfiguration an UpdateService gives, with the cluster's default
    namespace filled in (None: not given, the service keeps its own)."""
    given = params.get("serviceConnectConfiguration")
    if given is None:
        return None
    default = state.cluster(params.get("cluster")).service_connect_namespace
    return namespaces.service_connect(default, given)
