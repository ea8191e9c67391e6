"""What ECS checks in daemon requests, as functions of the request alone."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fakeecs import errors

#: ECS runs daemons on Managed Instances capacity providers only; these never qualify.
FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
MANAGED_ONLY = (
    "ECS Managed Daemons is only supported for Amazon ECS Managed Instances Capacity Providers."
)
#: How long a bake time may be (ECS's console offers up to a day).
MAX_BAKE_MINUTES = 1440


def check_name(name: str) -> None:
    ok = 1 <= len(name) <= 255 and all(c.isascii() and (c.isalnum() or c in "-_") for c in name)
    if not ok:
        raise errors.invalid_parameter(
            "Daemon name must be 1-255 characters: letters, numbers, hyphens and underscores."
        )


def provider_names(refs: list[str]) -> list[str]:
    """The capacity provider names a request's capacityProviderArns give (ARNs or names)."""
    if not refs:
        raise errors.invalid_parameter(
            "capacityProviderArns can not be empty: name at least one capacity provider."
        )
    names = [r.rsplit("capacity-provider/", 1)[-1] if r.startswith("arn:") else r for r in refs]
    if len(set(names)) != len(names):
        raise errors.invalid_parameter("capacityProviderArns must not name a provider twice.")
    for name in names:
        if name in FARGATE_PROVIDERS:
            raise errors.invalid_parameter(f"{MANAGED_ONLY} {name} is a Fargate capacity provider.")
    return names


def deployment_configuration(
    given: dict[str, Any] | None, current: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The configuration a daemon deploys with: the documented default bake time (0), then what
    it had, then `given` (drainPercent and alarms only as given: ECS documents no default)."""
    config: dict[str, Any] = {
        "bakeTimeInMinutes": 0,
        **(current or {}),
        **(given or {}),
    }
    bake = config["bakeTimeInMinutes"]
    if not 0 <= bake <= MAX_BAKE_MINUTES:
        raise errors.invalid_parameter(
            f"bakeTimeInMinutes must be between 0 and {MAX_BAKE_MINUTES}."
        )
    alarms = config.get("alarms") or {}
    if alarms.get("enable") and not alarms.get("alarmNames"):
        raise errors.invalid_parameter(
            "alarms.alarmNames can not be empty when alarms are enabled."
        )
    return config


def fingerprint(params: dict[str, Any]) -> str:
    """What makes two requests with the same clientToken the same request."""
    body = {k: v for k, v in params.items() if k != "clientToken"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
