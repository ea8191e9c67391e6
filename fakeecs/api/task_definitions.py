"""Task definition operations: Register, Describe, List, ListFamilies, Deregister, Delete."""

from __future__ import annotations

import copy
from typing import Any

from fakeecs import errors
from fakeecs.api.registry import CallContext, operation
from fakeecs.ids import ACCOUNT_ID, arn
from fakeecs.model import TD_DELETED, TaskDefinition
from fakeecs.rules.fargate import check_size
from fakeecs.rules.paging import page, with_token
from fakeecs.rules.placement import check_container_memory
from fakeecs.rules.tagging import check_tags
from fakeecs.rules.task_definitions import check_containers, check_family

_CONTAINER_DEFAULTS: dict[str, Any] = {
    "cpu": 0,
    "portMappings": [],
    "essential": True,
    "environment": [],
    "mountPoints": [],
    "volumesFrom": [],
}


def task_definition_dict(td: TaskDefinition) -> dict[str, Any]:
    body = copy.deepcopy(td.body)
    body.pop("tags", None)
    compat = body.get("requiresCompatibilities") or []
    out = {
        "taskDefinitionArn": td.arn,
        **body,
        "containerDefinitions": [
            {**_CONTAINER_DEFAULTS, **c} for c in body.get("containerDefinitions", [])
        ],
        "family": td.family,
        "revision": td.revision,
        "status": td.status,
        "volumes": [_volume_dict(v) for v in body.get("volumes", [])],
        "placementConstraints": body.get("placementConstraints", []),
        "compatibilities": ["EC2", "FARGATE"] if "FARGATE" in compat else ["EC2"],
        "registeredAt": td.registered_at,
        "registeredBy": f"arn:aws:iam::{ACCOUNT_ID}:root",
    }
    if td.deregistered_at is not None:
        out["deregisteredAt"] = td.deregistered_at
    return out


def _volume_dict(volume: dict[str, Any]) -> dict[str, Any]:
    """An EFS volume without rootDirectory mounts the file system's root: ECS answers "/"."""
    efs = volume.get("efsVolumeConfiguration")
    if efs is None or "rootDirectory" in efs:
        return volume
    return {**volume, "efsVolumeConfiguration": {**efs, "rootDirectory": "/"}}


def _check_fargate(body: dict[str, Any]) -> None:
    if body.get("networkMode") != "awsvpc":
        raise errors.client_error("Fargate only supports network mode 'awsvpc'.")
    if (
        body.get("pidMode") == "host"
    ):  # "On Fargate for Linux containers, the only valid value is task."
        raise errors.client_error(
            "Tasks using the Fargate launch type do not support pidMode 'host'. Use 'task' or leave "
            "pidMode out."
        )
    body["cpu"], body["memory"] = check_size(body.get("cpu"), body.get("memory"))
    uses_awslogs = any(
        (c.get("logConfiguration") or {}).get("logDriver") == "awslogs"
        for c in body["containerDefinitions"]
    )
    if uses_awslogs and not body.get("executionRoleArn"):
        raise errors.client_error(
            "Fargate requires task definition to have execution role ARN to support log driver awslogs."
        )


@operation("RegisterTaskDefinition")
def register_task_definition(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(params)
    family = body["family"]
    check_family(family)
    check_containers(body)
    if "FARGATE" in (body.get("requiresCompatibilities") or []):
        _check_fargate(body)
    check_container_memory(body)  # EC2 places by it (a Fargate definition has task memory)
    tags = check_tags(body.pop("tags", None))
    state = ctx.engine.region(ctx.region)
    revisions = state.task_definitions[family]
    revision = revisions[-1].revision + 1 if revisions else 1
    td = TaskDefinition(
        family=family,
        revision=revision,
        arn=arn(ctx.region, f"task-definition/{family}:{revision}"),
        body=body,
        registered_at=ctx.engine.now(),
        tags=tags,
    )
    revisions.append(td)
    return {"taskDefinition": task_definition_dict(td), "tags": list(tags)}


@operation("DescribeTaskDefinition")
def describe_task_definition(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    td = ctx.engine.region(ctx.region).task_definition(params["taskDefinition"])
    out: dict[str, Any] = {"taskDefinition": task_definition_dict(td)}
    if "TAGS" in (params.get("include") or []):
        out["tags"] = list(td.tags)
    return out


@operation("DeregisterTaskDefinition")
def deregister_task_definition(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    ref = params["taskDefinition"]
    if ":" not in ref.split("task-definition/")[-1]:
        raise errors.client_error(
            "Invalid revision number. A task definition revision is required: family:revision."
        )
    td = ctx.engine.region(ctx.region).task_definition(ref)
    if td.status == "ACTIVE":
        td.status = "INACTIVE"
        td.deregistered_at = ctx.engine.now()
    return {"taskDefinition": task_definition_dict(td)}


def _all_revisions(ctx: CallContext) -> list[TaskDefinition]:
    state = ctx.engine.region(ctx.region)
    return [
        td for family in sorted(state.task_definitions) for td in state.task_definitions[family]
    ]


@operation("ListTaskDefinitions")
def list_task_definitions(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    status = params.get("status", "ACTIVE")
    prefix = params.get("familyPrefix")
    found = [
        td
        for td in _all_revisions(ctx)
        if td.status == status and (prefix is None or td.family == prefix)
    ]
    arns = [td.arn for td in found]
    if params.get("sort") == "DESC":
        arns.reverse()
    chunk, token = page(arns, params)
    return with_token({"taskDefinitionArns": chunk}, token)


@operation("ListTaskDefinitionFamilies")
def list_task_definition_families(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    status = params.get("status", "ACTIVE")
    prefix = params.get("familyPrefix", "")
    state = ctx.engine.region(ctx.region)
    families = []
    for family in sorted(state.task_definitions):
        statuses = {td.status for td in state.task_definitions[family]} - {TD_DELETED}
        if not statuses:
            continue  # every revision deleted: ECS no longer returns the family
        has_active = "ACTIVE" in statuses
        wanted = (
            status == "ALL"
            or (status == "ACTIVE" and has_active)
            or (status == "INACTIVE" and not has_active)
        )
        if family.startswith(prefix) and wanted:
            families.append(family)
    chunk, token = page(families, params)
    return with_token({"families": chunk}, token)


#: DeleteTaskDefinitions takes at most this many references per call.
DELETE_BATCH_LIMIT = 10


def _delete_one(ctx: CallContext, ref: str) -> tuple[TaskDefinition | None, str | None]:
    """(the revision now DELETE_IN_PROGRESS, None) or (None, the failure reason)."""
    if ":" not in ref.split("task-definition/", 1)[-1]:
        return None, (
            "The specified task definition identifier is invalid. "
            "Specify a valid name or ARN and try again."
        )
    try:
        td = ctx.engine.region(ctx.region).task_definition(ref)
    except errors.ECSError:
        return None, (
            "The specified task definition does not exist. "
            "Specify a valid account, family, revision and try again."
        )
    if td.status == "ACTIVE":
        return None, (
            "The specified task definition is still in ACTIVE status. "
            "Please deregister the target and try again."
        )
    if td.status == "INACTIVE":
        td.status = "DELETE_IN_PROGRESS"
        ctx.engine.delete_later(ctx.region, td.arn)
    return td, None


@operation(
    "DeleteTaskDefinitions",
    notes="Revisions are deleted by a check every 60 virtual seconds once nothing uses them.",
)
def delete_task_definitions(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    refs = params["taskDefinitions"]
    if not refs:
        raise errors.invalid_parameter(
            "size of TaskDefinition references list must be greater than 0"
        )
    if len(refs) > DELETE_BATCH_LIMIT:
        raise errors.invalid_parameter(
            f"Size of TaskDefinition references list cannot exceed {DELETE_BATCH_LIMIT}"
        )
    deleted, failures = [], []
    for ref in refs:
        td, reason = _delete_one(ctx, ref)
        if td is not None:
            deleted.append(task_definition_dict(td))
        else:
            failures.append({"arn": ref, "reason": reason})
    return {"taskDefinitions": deleted, "failures": failures}
