"""CloudFormation properties (PascalCase, strings where a template gives them) to ECS API params.

The resource schemas name members like the API with a capital first letter, with a
few renames; free-form maps (docker labels, log options) keep their keys. Values are
coerced to the API's types from botocore's own model, as CloudFormation does from
its resource schema, so `DesiredCount: "2"` from a parameter is the integer 2.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.model import Shape

from fakeecs.wire import service_model

#: Maps whose keys are the user's own, never renamed.
FREE_FORM_MAPS = frozenset({"DockerLabels", "Options", "DriverOpts", "Labels"})

#: CloudFormation property -> API member, where the name is not just de-capitalised.
RENAMES: dict[str, dict[str, str]] = {
    "AWS::ECS::Cluster": {"ClusterSettings": "settings"},
    "AWS::ECS::Service": {"PlacementStrategies": "placementStrategy"},
    "AWS::ECS::PrimaryTaskSet": {"TaskSetId": "primaryTaskSet"},
}

#: The API operation whose input shape a resource's properties follow.
INPUT_OPERATION = {
    "AWS::ECS::Cluster": "CreateCluster",
    "AWS::ECS::TaskDefinition": "RegisterTaskDefinition",
    "AWS::ECS::Service": "CreateService",
    "AWS::ECS::CapacityProvider": "CreateCapacityProvider",
    "AWS::ECS::ClusterCapacityProviderAssociations": "PutClusterCapacityProviders",
    "AWS::ECS::TaskSet": "CreateTaskSet",
    "AWS::ECS::PrimaryTaskSet": "UpdateServicePrimaryTaskSet",
}

_LEADING_CAPS = re.compile(r"^[A-Z]+(?=[A-Z][a-z]|$|[0-9])|^[A-Z]")


def camel(key: str) -> str:
    """`DesiredCount` -> `desiredCount`, `EFSVolumeConfiguration` -> `efsVolumeConfiguration`."""
    return _LEADING_CAPS.sub(lambda m: m.group(0).lower(), key, count=1)


def _coerce(value: Any, shape: Shape | None) -> Any:
    if shape is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {k: _coerce(v, members.get(k)) for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_coerce(v, shape.member) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _coerce(v, shape.value) for k, v in value.items()}
    if isinstance(value, str):
        if kind in ("integer", "long") and re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
        if kind in ("float", "double"):
            try:
                return float(value)
            except ValueError:
                return value
        if kind == "boolean" and value.lower() in ("true", "false"):
            return value.lower() == "true"
    if kind == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def _renamed(value: Any, renames: dict[str, str]) -> Any:
    if isinstance(value, list):
        return [_renamed(v, renames) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        name = renames.get(key) or camel(key)
        out[name] = item if key in FREE_FORM_MAPS else _renamed(item, renames)
    return out


def api_params(resource_type: str, properties: dict[str, Any]) -> dict[str, Any]:
    """The properties of one resource as the input of its create operation."""
    params = _renamed(properties, RENAMES.get(resource_type, {}))
    shape = service_model().operation_model(INPUT_OPERATION[resource_type]).input_shape
    return _coerce(params, shape)
