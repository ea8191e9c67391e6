"""How a task on ECS is judged: one rule shared by ECSTaskSensor and the `workflow` CLI.

Success only when the task is STOPPED and every essential container exited 0.
Everything else that is STOPPED is a failure with a message that says why, in
the words an operator needs: which container, which exit code, which reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

RUNNING, SUCCEEDED, FAILED = "running", "succeeded", "failed"

#: Stops that are not the task finishing on its own.
STOPPED_FROM_OUTSIDE = {
    "UserInitiated": "stopped by a user (StopTask)",
    "ServiceSchedulerInitiated": "stopped by the ECS service scheduler",
    "SpotInterruption": "stopped by a Fargate Spot interruption",
    "TerminationNotice": "stopped by ECS after a termination notice",
}


class MalformedTask(ValueError):
    """ECS answered with a task that lacks what the judgement needs (named in the message)."""


@dataclass(frozen=True)
class Verdict:
    state: str
    message: str

    @property
    def ok(self) -> bool:
        return self.state == SUCCEEDED

    @property
    def done(self) -> bool:
        return self.state != RUNNING


def require(mapping: Any, key: str, what: str) -> Any:
    """`mapping[key]`, or MalformedTask naming the key and what ECS answered without it."""
    if not isinstance(mapping, dict) or key not in mapping:
        raise MalformedTask(f"ECS answered a {what} without '{key}'")
    return mapping[key]


def judge(task: dict[str, Any], essential: Iterable[str] | None = None) -> Verdict:
    """Judge one task from DescribeTasks; `essential` names the essential containers (None: all)."""
    status = require(task, "lastStatus", "task")
    if status != "STOPPED":
        return Verdict(RUNNING, f"task is {status}")
    containers = require(task, "containers", "task")
    if not containers:
        raise MalformedTask("ECS answered a STOPPED task with no containers")
    names = set(essential) if essential is not None else None
    watched = [c for c in containers if names is None or c.get("name") in names] or containers
    stop_code = task.get("stopCode", "")
    reason = task.get("stoppedReason", "")

    if stop_code == "TaskFailedToStart":
        detail = next((c["reason"] for c in watched if c.get("reason")), "") or reason
        return Verdict(FAILED, f"the task failed to start: {detail}")
    if stop_code in STOPPED_FROM_OUTSIDE:
        why = STOPPED_FROM_OUTSIDE[stop_code]
        return Verdict(FAILED, f"the task was {why} before it finished: {reason or stop_code}")
    for container in watched:
        name = require(container, "name", "container")
        if container.get("exitCode") is None:
            detail = container.get("reason") or reason or "no exit code"
            return Verdict(FAILED, f"container {name} did not run to completion: {detail}")
        code = container["exitCode"]
        if code != 0:
            extra = f" ({container['reason']})" if container.get("reason") else ""
            return Verdict(FAILED, f"container {name} exited with code {code}{extra}")
    return Verdict(SUCCEEDED, "every essential container exited 0")


def essential_containers(task_definition: dict[str, Any]) -> set[str]:
    """Names of the essential containers of a DescribeTaskDefinition answer (ECS default: essential)."""
    return {
        c["name"]
        for c in task_definition.get("containerDefinitions", [])
        if c.get("essential", True) and "name" in c
    }
