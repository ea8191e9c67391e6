"""The DAEMON scheduling strategy of services: what ECS refuses in a request for one.

A DAEMON service runs one task on each ACTIVE container instance of its cluster that
meets its placement constraints, so it has no desired count and no placement strategy,
and only the EC2 launch type and the ECS deployment controller can carry it.
"""

from __future__ import annotations

from typing import Any

from fakeecs import errors

DAEMON = "DAEMON"
#: ECS's deployment defaults for a DAEMON service (it replaces in place: none is started
#: beside the old task on an instance).
MAXIMUM_PERCENT = 100
MINIMUM_HEALTHY_PERCENT = 0
NO_DESIRED_COUNT = "The daemon scheduling strategy does not support a desired count for services."
NO_PLACEMENT_STRATEGY = "The daemon scheduling strategy does not support placement strategies."


def check_create(params: dict[str, Any]) -> None:
    """What CreateService refuses with schedulingStrategy DAEMON (before anything is resolved)."""
    if params.get("desiredCount") is not None:
        raise errors.invalid_parameter(NO_DESIRED_COUNT)
    if params.get("placementStrategy"):
        raise errors.invalid_parameter(NO_PLACEMENT_STRATEGY)
    controller = (params.get("deploymentController") or {}).get("type", "ECS")
    if controller != "ECS":
        raise errors.invalid_parameter(
            f"The daemon scheduling strategy does not support the {controller} deployment "
            "controller: use the ECS deployment controller."
        )
    if params.get("capacityProviderStrategy"):
        raise errors.invalid_parameter(
            "The daemon scheduling strategy does not support capacity provider strategies: use "
            "the EC2 launch type."
        )
    check_launch_type(params.get("launchType", "EC2"))


def check_launch_type(launch_type: str) -> None:
    if launch_type != "EC2":
        raise errors.invalid_parameter(
            f"The daemon scheduling strategy is not supported with the {launch_type} launch type: "
            "use the EC2 launch type (Fargate tasks don't support the DAEMON scheduling strategy)."
        )


def check_update(params: dict[str, Any]) -> None:
    """What UpdateService refuses for a DAEMON service."""
    if params.get("desiredCount") is not None:
        raise errors.invalid_parameter(NO_DESIRED_COUNT)
    if params.get("placementStrategy"):
        raise errors.invalid_parameter(NO_PLACEMENT_STRATEGY)
    if params.get("capacityProviderStrategy"):
        raise errors.invalid_parameter(
            "The daemon scheduling strategy does not support capacity provider strategies: use "
            "the EC2 launch type."
        )
