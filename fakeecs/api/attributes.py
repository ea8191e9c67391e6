"""Attributes of container instances: PutAttributes, DeleteAttributes, ListAttributes.

Attributes live on the ContainerInstance row beside the ones ECS sets at
registration (`ecs.instance-type`, ...), so placement constraints and
ListContainerInstances filters see custom ones at once.
"""

from __future__ import annotations

import re
from typing import Any

from fakeecs import errors
from fakeecs.api.registry import CallContext, operation
from fakeecs.engine.instance_state import find
from fakeecs.engine.state import RegionState
from fakeecs.errors import ECSError
from fakeecs.model import Cluster, ContainerInstance
from fakeecs.rules.paging import page, with_token

MAX_PER_CALL = 10
#: Custom attributes a resource may carry (ECS's own `ecs.` ones do not count).
MAX_CUSTOM = 10
TARGET_TYPE = "container-instance"
_NAME = re.compile(r"[A-Za-z0-9\-_/\\.]{1,128}")
_VALUE = re.compile(r"[A-Za-z0-9\-_.@/\\: ]{1,128}")
_BUILT_IN = ("ecs.", "com.amazonaws.ecs.")


def is_custom(name: str) -> bool:
    return not name.startswith(_BUILT_IN)


def check_attributes(items: list[dict[str, Any]], need_target: bool = True) -> list[dict[str, Any]]:
    """Attributes as given, checked against ECS's rules for names, values and targets."""
    if len(items) > MAX_PER_CALL:
        raise errors.invalid_parameter(
            f"You can specify up to {MAX_PER_CALL} attributes in a single call (got {len(items)})."
        )
    out = []
    for item in items:
        name, value = item.get("name", ""), item.get("value")
        if not _NAME.fullmatch(name):
            raise errors.invalid_parameter(
                f"Invalid attribute name {name!r}: 1-128 letters, numbers, hyphens, underscores, "
                "forward slashes, back slashes or periods."
            )
        if value is not None and (not _VALUE.fullmatch(value) or value != value.strip()):
            raise errors.invalid_parameter(
                f"Invalid value {value!r} for attribute {name}: 1-128 letters, numbers, hyphens, "
                "underscores, periods, at signs, slashes, colons or spaces, not starting or "
                "ending with a space."
            )
        if need_target and not item.get("targetId"):
            raise errors.invalid_parameter(
                f"Attribute {name} needs a targetId (a container instance ARN or ID)."
            )
        if item.get("targetType") not in (None, TARGET_TYPE):
            raise errors.invalid_parameter(f"targetType must be {TARGET_TYPE}.")
        out.append({k: item[k] for k in ("name", "value", "targetType", "targetId") if k in item})
    return out


def _target(state: RegionState, cluster: Cluster, item: dict[str, Any]) -> ContainerInstance:
    ref = item["targetId"]
    if not ref.startswith("arn:") and item.get("targetType") != TARGET_TYPE:
        raise errors.invalid_parameter(
            f"targetType is required when targetId {ref} is a short ID: use {TARGET_TYPE}."
        )
    found = find(state, cluster, ref)
    if found is None or found.status == "INACTIVE":
        raise ECSError(
            "TargetNotFoundException",
            f"Could not find {ref}: no active container instance with that ID in cluster "
            f"{cluster.name}.",
        )
    return found


def _resolve(ctx: CallContext, params: dict[str, Any]) -> list[tuple[ContainerInstance, dict]]:
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    items = check_attributes(params["attributes"])
    if not items:
        raise errors.invalid_parameter("attributes can not be empty.")
    return [(_target(state, cluster, item), item) for item in items]


@operation("PutAttributes")
def put_attributes(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    pairs = _resolve(ctx, params)
    updated: dict[str, dict[str, Any]] = {}
    for ci, item in pairs:
        current = updated.setdefault(ci.arn, {a["name"]: dict(a) for a in ci.attributes})
        current[item["name"]] = {k: item[k] for k in ("name", "value") if k in item}
    targets = {ci.arn: ci for ci, _ in pairs}
    for target_arn, attrs in updated.items():
        if sum(1 for n in attrs if is_custom(n)) > MAX_CUSTOM:
            raise ECSError(
                "AttributeLimitExceededException",
                f"Container instance {target_arn} would have more than {MAX_CUSTOM} custom "
                "attributes: delete some first.",
            )
    for target_arn, attrs in updated.items():
        targets[target_arn].attributes = list(attrs.values())
    return {"attributes": [item for _, item in pairs]}


@operation("DeleteAttributes")
def delete_attributes(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    pairs = _resolve(ctx, params)
    for ci, item in pairs:
        ci.attributes = [a for a in ci.attributes if a["name"] != item["name"]]
    return {"attributes": [item for _, item in pairs]}


@operation("ListAttributes")
def list_attributes(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    if params["targetType"] != TARGET_TYPE:
        raise errors.invalid_parameter(f"targetType must be {TARGET_TYPE}.")
    name, value = params.get("attributeName"), params.get("attributeValue")
    if value is not None and name is None:
        raise errors.invalid_parameter(
            "attributeValue can only be given together with attributeName."
        )
    found = [
        {**a, "targetType": TARGET_TYPE, "targetId": ci.arn}
        for ci in state.container_instances.values()
        if ci.cluster_arn == cluster.arn and ci.status != "INACTIVE"
        for a in ci.attributes
        if (name is None or a["name"] == name) and (value is None or a.get("value") == value)
    ]
    chunk, token = page(found, params)
    return with_token({"attributes": chunk}, token)
