"""What CreateService, UpdateService and CreateTaskSet requests mean, as pure rules.

Shared by the service and task set operations (a task set carries what a service's
deployment does): the platform version, the deployment configuration, how a launch is
shown, the request fingerprint a clientToken is remembered with.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fakeecs import errors
from fakeecs.errors import ECSError
from fakeecs.ids import arn
from fakeecs.model import Service

DEFAULT_PLATFORM = "1.4.0"
#: Accepted, stored and echoed by DescribeServices; they change nothing in the fake.
ECHOED = {
    "loadBalancers": [],
    "serviceRegistries": [],
    "placementConstraints": [],
    "placementStrategy": [],
    "enableExecuteCommand": False,
    "healthCheckGracePeriodSeconds": None,
    "gatewayConnectors": None,
}
CONTROLLER_FIXED = (
    "fakeecs cannot change the deployment controller of a service: create a new service."
)


def missing_arn(region: str, ref: str) -> str:
    """The `arn` of DescribeServices' MISSING failure: an ARN as given, a name as the short
    `service/NAME` form with no cluster segment (what ECS answers, whatever the cluster)."""
    return ref if ref.startswith("arn:") else arn(region, f"service/{ref}")


def not_found() -> ECSError:
    return ECSError("ServiceNotFoundException", "Service not found.")


def not_active() -> ECSError:
    return ECSError("ServiceNotActiveException", "Service was not ACTIVE.")


def launch_fields(out: dict[str, Any], launch_type: str, strategy: list[dict[str, Any]]) -> None:
    """ECS shows either the capacity provider strategy that was given or the launch type."""
    if strategy:
        out["capacityProviderStrategy"] = [{"base": 0, "weight": 0, **s} for s in strategy]
    else:
        out["launchType"] = launch_type


def deployment_config(
    params: dict[str, Any], service: Service | None, defaults: tuple[int, int] = (200, 100)
) -> tuple[int, int]:
    """(maximumPercent, minimumHealthyPercent): given, else the service's, else `defaults`
    (a DAEMON service's are 100 and 0)."""
    config = params.get("deploymentConfiguration") or {}
    maximum = config.get("maximumPercent", service.maximum_percent if service else defaults[0])
    minimum = config.get(
        "minimumHealthyPercent", service.minimum_healthy_percent if service else defaults[1]
    )
    if not 0 <= minimum <= 100:
        raise errors.invalid_parameter("minimumHealthyPercent must be between 0 and 100.")
    if (maximum < 100 and minimum > 0) or maximum <= minimum:
        raise errors.invalid_parameter(
            "maximumPercent must be greater than minimumHealthyPercent (and at least 100 "
            "unless minimumHealthyPercent is 0)."
        )
    return maximum, minimum


def platform_versions(launch_type: str, requested: str | None) -> tuple[str | None, str | None]:
    """(the service's platformVersion as given, the version its deployments run)."""
    if launch_type != "FARGATE":
        if requested is not None:
            raise errors.invalid_parameter(
                "The platform version must be null when specifying an EC2 launch type."
            )
        return None, None
    given = requested or "LATEST"
    return given, DEFAULT_PLATFORM if given == "LATEST" else given


def fingerprint(params: dict[str, Any]) -> str:
    body = {k: v for k, v in params.items() if k != "clientToken"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
