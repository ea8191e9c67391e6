"""Placeholder until mit_airflow.verdict / the operators' log helper land: judging a stopped task
and reading its container's last CloudWatch log lines.

TODO(reconcile): replace with the operators helper's shared functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str


def judge(task: dict[str, Any], essential: set[str] | None = None) -> Outcome:
    """The sensor's rule for a STOPPED task: success only if every essential container exited 0."""
    stop_code = task.get("stopCode", "")
    reason = task.get("stoppedReason", "")
    containers = [
        c for c in task.get("containers", []) if essential is None or c.get("name") in essential
    ]
    if stop_code == "TaskFailedToStart":
        detail = next((c.get("reason") for c in containers if c.get("reason")), "")
        return Outcome(False, f"the task failed to start: {detail or reason}")
    for container in containers:
        if "exitCode" not in container:
            return Outcome(
                False,
                f"container {container.get('name')} did not run: {container.get('reason') or reason}",
            )
        if container["exitCode"] != 0:
            extra = f" ({container['reason']})" if container.get("reason") else ""
            return Outcome(
                False,
                f"container {container.get('name')} exited with code {container['exitCode']}{extra}",
            )
    if stop_code in {
        "UserInitiated",
        "ServiceSchedulerInitiated",
        "SpotInterruption",
        "TerminationNotice",
    }:
        return Outcome(False, f"the task was stopped before it finished ({stop_code}): {reason}")
    return Outcome(True, "every essential container exited 0")


def last_log_lines(
    logs: Any,
    task_definition: dict[str, Any],
    task: dict[str, Any],
    container: str,
    limit: int = 20,
) -> list[str]:
    """The last `limit` lines the container wrote to CloudWatch Logs (awslogs driver), or []."""
    for definition in task_definition.get("containerDefinitions", []):
        if definition.get("name") != container:
            continue
        config = definition.get("logConfiguration") or {}
        if config.get("logDriver") != "awslogs":
            return []
        options = config.get("options", {})
        group, prefix = options.get("awslogs-group"), options.get("awslogs-stream-prefix")
        if not group or not prefix:
            return []
        task_id = task["taskArn"].rsplit("/", 1)[-1]
        try:
            answer = logs.get_log_events(
                logGroupName=group,
                logStreamName=f"{prefix}/{container}/{task_id}",
                limit=limit,
                startFromHead=False,
            )
        except Exception:
            return []
        return [event.get("message", "") for event in answer.get("events", [])]
    return []
