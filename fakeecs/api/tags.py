"""TagResource, UntagResource and ListTagsForResource for clusters, task definitions, tasks,
services, capacity providers, container instances and task sets."""

from __future__ import annotations

from typing import Any

from fakeecs import errors
from fakeecs.api.registry import CallContext, operation
from fakeecs.model import Cluster
from fakeecs.rules.tagging import check_cluster_taggable, check_long_arn, check_tags, merge_tags

#: Resource kinds kept in a table by their full ARN: kind -> RegionState table.
_BY_ARN = {
    "container-instance": "container_instances",
    "task-set": "task_sets",
    "daemon": "daemons",
    "daemon-task-definition": "daemon_task_definitions",
}


def _resource(ctx: CallContext, resource_arn: str) -> Any:
    """The tagged object an ARN names (anything with a `tags` list)."""
    state = ctx.engine.region(ctx.region)
    parts = resource_arn.split(":", 5)
    if len(parts) < 6 or parts[2] != "ecs":
        raise errors.invalid_parameter(f"Invalid resource ARN: {resource_arn}")
    kind, _, rest = parts[5].partition("/")
    check_long_arn(kind, rest)
    found: Any = None
    if kind == "cluster":
        found = state.clusters.get(rest)
    elif kind == "task-definition":
        family, _, revision = rest.partition(":")
        found = next(
            (td for td in state.task_definitions.get(family, []) if str(td.revision) == revision),
            None,
        )
    elif kind == "task":
        found = state.tasks.get(resource_arn)
    elif kind == "service":
        cluster_name, _, service = rest.rpartition("/")
        found = next(
            (
                s
                for (c, n), s in state.services.items()
                if n == service and c.endswith(f"/{cluster_name}")
            ),
            None,
        )
    elif kind == "capacity-provider":
        found = state.capacity_providers.get(rest)
    elif kind in _BY_ARN:
        found = getattr(state, _BY_ARN[kind]).get(resource_arn)
    if found is None:
        raise errors.invalid_parameter("The specified resource is not found.")
    return found


@operation("TagResource")
def tag_resource(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    resource = _resource(ctx, params["resourceArn"])
    if isinstance(resource, Cluster):
        check_cluster_taggable(resource.status)
    resource.tags = merge_tags(resource.tags, check_tags(params["tags"]))
    return {}


@operation("UntagResource")
def untag_resource(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    resource = _resource(ctx, params["resourceArn"])
    drop = set(params["tagKeys"])
    resource.tags = [t for t in resource.tags if t["key"] not in drop]
    return {}


@operation("ListTagsForResource")
def list_tags_for_resource(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    return {"tags": list(_resource(ctx, params["resourceArn"]).tags)}
