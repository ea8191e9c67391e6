"""Deployment configuration, read when a task runs (never when a DAG file is imported).

DAG files are imported by every Airflow component, often and without the task
environment; reading configuration at import would break them or freeze stale
values. These helpers are called from `execute` or from templates (`MACROS`).
A missing or malformed value fails the task at once (no retries: retrying
cannot fix configuration) with a message naming the variable.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from typing import Any

from airflow.sdk.exceptions import AirflowFailException


class ConfigurationError(AirflowFailException):
    """A deployment variable is missing or malformed; the message names it and says what to do."""


def env(name: str, *fallbacks: str) -> str:
    """The value of `name` (or the first set fallback), or ConfigurationError naming it."""
    for candidate in (name, *fallbacks):
        value = os.environ.get(candidate, "").strip()
        if value:
            return value
    names = " or ".join((name, *fallbacks))
    raise ConfigurationError(
        f"{names} is not set: set it in the worker's environment (task definition or .env)"
    )


def ecs_cluster() -> str:
    """The ECS cluster tasks run in: ECS_CLUSTER, or ECS_CLUSTER_NAME."""
    return env("ECS_CLUSTER", "ECS_CLUSTER_NAME")


def ecs_network_config() -> dict[str, Any]:
    """ECS_NETWORK_CONFIG decoded: base64 of the JSON of RunTask's networkConfiguration."""
    raw = env("ECS_NETWORK_CONFIG")
    try:
        decoded = base64.b64decode(raw, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise ConfigurationError(
            "ECS_NETWORK_CONFIG is not base64: encode the JSON with `base64 -w0`"
        ) from None
    try:
        value = json.loads(decoded)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"ECS_NETWORK_CONFIG is base64 but not JSON: {exc}") from None
    vpc = value.get("awsvpcConfiguration") if isinstance(value, dict) else None
    if not isinstance(vpc, dict) or not vpc.get("subnets"):
        raise ConfigurationError(
            "ECS_NETWORK_CONFIG must decode to "
            '{"awsvpcConfiguration": {"subnets": [...], "securityGroups": [...]}}'
        )
    return value


def airflow_environment() -> str:
    """AIRFLOW_ENVIRONMENT (stage, prod, dev): names task definitions and buckets."""
    return env("AIRFLOW_ENVIRONMENT")


#: For DAG templates: `user_defined_macros=MACROS`, then `"{{ env('ES_URL') }}"`.
MACROS = {
    "env": env,
    "ecs_cluster": ecs_cluster,
    "ecs_network_config": ecs_network_config,
    "airflow_environment": airflow_environment,
}
