"""A container's CloudWatch log lines, found the way the awslogs driver names its stream."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError


def log_stream(
    task_definition: dict[str, Any], task_arn: str, container: str
) -> tuple[str, str] | None:
    """(group, stream) of `container` in the task, or None when it does not log to awslogs."""
    for definition in task_definition.get("containerDefinitions", []):
        if definition.get("name") != container:
            continue
        config = definition.get("logConfiguration") or {}
        if config.get("logDriver") != "awslogs":
            return None
        options = config.get("options") or {}
        group, prefix = options.get("awslogs-group"), options.get("awslogs-stream-prefix")
        if not group or not prefix:
            return None
        return group, f"{prefix}/{container}/{task_arn.rsplit('/', 1)[-1]}"
    return None


def log_lines(
    logs: Any,
    task_definition: dict[str, Any],
    task: dict[str, Any],
    container: str,
    limit: int = 100,
) -> list[str]:
    """The last `limit` lines the container wrote, or [] when there are none to read."""
    where = log_stream(task_definition, task["taskArn"], container)
    if where is None:
        return []
    try:
        answer = logs.get_log_events(
            logGroupName=where[0], logStreamName=where[1], limit=limit, startFromHead=False
        )
    except (ClientError, BotoCoreError):
        return []
    return [event.get("message", "") for event in answer.get("events", [])]
