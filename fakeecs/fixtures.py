"""Arguments for setting up a fake cluster: the Fargate task definition every caller registers.

ECS checks a Fargate family's networkMode, compatibilities and cpu/memory pair together; keeping
them here means the harness, the e2e world, benchmarks, soak runs and tests ask for the same thing.
"""

from __future__ import annotations

from typing import Any


def fargate_task_definition(
    family: str,
    containers: list[dict[str, Any]],
    *,
    cpu: str = "256",
    memory: str = "512",
    **extra: Any,
) -> dict[str, Any]:
    """RegisterTaskDefinition arguments for an awsvpc Fargate family (pass them with `**`)."""
    return {
        "family": family,
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": cpu,
        "memory": memory,
        "containerDefinitions": containers,
        **extra,
    }


def awslogs(group: str, *, region: str = "us-east-1", prefix: str = "ecs") -> dict[str, Any]:
    """A container's `logConfiguration` for the awslogs driver (what fakeecs writes logs to)."""
    return {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": group,
            "awslogs-region": region,
            "awslogs-stream-prefix": prefix,
        },
    }
