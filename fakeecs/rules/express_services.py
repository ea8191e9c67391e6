"""What ECS checks in Express service requests, and the task definition and service an Express
service is underneath, as functions of the request alone."""

from __future__ import annotations

import hashlib
from typing import Any

from fakeecs import errors

#: ECS's documented defaults for an Express service.
DEFAULT_CPU, DEFAULT_MEMORY = "256", "512"
TASK_DEFAULTS = {"cpu": DEFAULT_CPU, "memory": DEFAULT_MEMORY, "cpuArchitecture": "X86_64"}
DEFAULT_PORT = 80
DEFAULT_HEALTH_CHECK_PATH = "/ping"
DEFAULT_SCALING = {
    "minTaskCount": 1,
    "maxTaskCount": 20,
    "autoScalingMetric": "AVERAGE_CPU",
    "autoScalingTargetValue": 60,
}
#: The container a task definition of an Express service must have (and a generated one has).
MAIN = "Main"
#: Settings that come from the task definition: not allowed beside taskDefinitionArn.
TASK_DEFINITION_FIELDS = (
    "primaryContainer",
    "executionRoleArn",
    "taskRoleArn",
    "cpu",
    "memory",
    "cpuArchitecture",
)


def check_name(name: str) -> None:
    ok = 1 <= len(name) <= 255 and all(c.isascii() and (c.isalnum() or c in "-_") for c in name)
    if not ok:
        raise errors.invalid_parameter(
            "serviceName must be 1-255 characters: letters, numbers, underscores and hyphens."
        )


def check_source(params: dict[str, Any]) -> None:
    """Either a primary container or a task definition of one's own, not both."""
    if params.get("taskDefinitionArn"):
        given = [f for f in TASK_DEFINITION_FIELDS if params.get(f) is not None]
        if given:
            raise errors.invalid_parameter(
                f"When you specify taskDefinitionArn you can't also specify {', '.join(given)}."
            )
    elif params.get("primaryContainer") is None:
        raise errors.invalid_parameter("Specify a primaryContainer or a taskDefinitionArn.")


def check_own_task_definition(body: dict[str, Any]) -> None:
    """A task definition an Express service runs: FARGATE, a container Main with one named
    TCP port mapping."""
    if "FARGATE" not in (body.get("requiresCompatibilities") or []):
        raise errors.invalid_parameter(
            "The task definition of an Express service must have FARGATE compatibility."
        )
    main = next((c for c in body["containerDefinitions"] if c["name"] == MAIN), None)
    ports = (main or {}).get("portMappings") or []
    if main is None or len(ports) != 1 or not ports[0].get("name"):
        raise errors.invalid_parameter(
            f"The task definition of an Express service must have a container named {MAIN} with "
            "a single TCP port mapping that has a container port and a port name."
        )


def configuration(given: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    """The Express configuration a revision runs: `given` over `current` over the defaults."""
    base: dict[str, Any] = current or {
        **TASK_DEFAULTS,
        "healthCheckPath": DEFAULT_HEALTH_CHECK_PATH,
        "networkConfiguration": {},
        "scalingTarget": DEFAULT_SCALING,
    }
    keys = (*TASK_DEFINITION_FIELDS, "healthCheckPath", "networkConfiguration", "taskDefinitionArn")
    out = {**base, **{k: given[k] for k in keys if given.get(k) is not None}}
    if given.get("taskDefinitionArn"):  # the caller's task definition replaces generated settings
        for name in TASK_DEFINITION_FIELDS:
            out.pop(name, None)
    elif any(given.get(name) is not None for name in TASK_DEFINITION_FIELDS):
        out.pop("taskDefinitionArn", None)  # back to a task definition built by ECS
        out = {**TASK_DEFAULTS, **out}
    out["scalingTarget"] = {**base["scalingTarget"], **(given.get("scalingTarget") or {})}
    scaling = out["scalingTarget"]
    if not 1 <= scaling["minTaskCount"] <= scaling["maxTaskCount"]:
        raise errors.invalid_parameter("scalingTarget needs 1 <= minTaskCount <= maxTaskCount.")
    if not out["healthCheckPath"].startswith("/"):
        raise errors.invalid_parameter("healthCheckPath must start with a forward slash.")
    return out


def task_definition(family: str, config: dict[str, Any], region: str) -> dict[str, Any]:
    """The RegisterTaskDefinition request an Express configuration stands for."""
    primary = config["primaryContainer"]
    container: dict[str, Any] = {
        "name": MAIN,
        "image": primary["image"],
        "essential": True,
        "portMappings": [
            {
                "containerPort": primary.get("containerPort", DEFAULT_PORT),
                "protocol": "tcp",
                "name": "main",
            }
        ],
    }
    for name in ("command", "environment", "secrets", "repositoryCredentials"):
        if primary.get(name) is not None:
            container[name] = primary[name]
    logs = primary.get("awsLogsConfiguration")
    if logs:
        container["logConfiguration"] = {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": logs["logGroup"],
                "awslogs-stream-prefix": logs["logStreamPrefix"],
                "awslogs-region": region,
            },
        }
    body: dict[str, Any] = {
        "family": family,
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": config["cpu"],
        "memory": config["memory"],
        "runtimePlatform": {
            "cpuArchitecture": config["cpuArchitecture"],
            "operatingSystemFamily": "LINUX",
        },
        "containerDefinitions": [container],
    }
    for name in ("executionRoleArn", "taskRoleArn"):
        if config.get(name):
            body[name] = config[name]
    return body


def names_subnets(config: dict[str, Any]) -> bool:
    """Whether the configuration names its subnets (else ECS uses the default VPC's)."""
    return bool(config["networkConfiguration"].get("subnets"))


def with_default_network(config: dict[str, Any], default_vpc: dict[str, Any]) -> dict[str, Any]:
    """`config` in the default VPC (`default_vpc`: its awsvpcConfiguration): its subnets, and its
    security group unless the configuration names groups."""
    given = config["networkConfiguration"]
    chosen = {
        "subnets": list(default_vpc["subnets"]),
        "securityGroups": given.get("securityGroups") or list(default_vpc["securityGroups"]),
    }
    return {**config, "networkConfiguration": chosen}


def network(config: dict[str, Any]) -> dict[str, Any]:
    """The service's networkConfiguration for an Express configuration's subnets and groups."""
    given = config["networkConfiguration"]
    vpc: dict[str, Any] = {"subnets": given["subnets"]}
    if given.get("securityGroups"):
        vpc["securityGroups"] = given["securityGroups"]
    return {"awsvpcConfiguration": vpc}


def endpoint(service_arn: str, service_name: str, region: str) -> str:
    """The public URL ECS gives an Express service (its host name: name plus a stable ID)."""
    digest = hashlib.sha256(service_arn.encode()).hexdigest()[:8]
    return f"https://{service_name}-{digest}.ecs.{region}.on.aws"
