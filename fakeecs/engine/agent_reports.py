"""What the ECS agent of a container instance reports, applied to the state, and agent updates.

The first report about a task hands the task to the agent: fakeecs's scripted lifecycle
stops moving it (its queued steps are dropped), and from then on its status moves only as
the agent reports it (or when StopTask stops it). A report never moves a task or a
container backwards: a stale one is acknowledged and changes nothing, as ECS does with
reports that arrive out of order.

UpdateContainerAgent walks the instance's agentUpdateStatus through PENDING, STAGING,
STAGED, UPDATING and UPDATED on the clock (AGENT_UPDATE_STEP seconds apart), and sets the
agent version to LATEST_AGENT_VERSION at the end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fakeecs.engine import lifecycle
from fakeecs.model import STATE_INDEX, Container, ContainerInstance, Task

if TYPE_CHECKING:
    from fakeecs.engine.core import Engine

KIND = "agent-update"
#: The agent version an update installs (and that the default versionInfo already has).
LATEST_AGENT_VERSION = "1.88.0"
AGENT_UPDATE_STEPS = ("PENDING", "STAGING", "STAGED", "UPDATING", "UPDATED")
#: Virtual seconds between the steps of an agent update.
AGENT_UPDATE_STEP = 10.0
#: Task statuses an agent reports.
TASK_STATUSES = ("PENDING", "RUNNING", "STOPPED")
CONTAINER_STATUSES = ("PENDING", "RUNNING", "STOPPED")
_CONTAINER_ORDER = {"PENDING": 0, "RUNNING": 1, "STOPPED": 2}


def take_over(task: Task) -> None:
    """From now on the agent moves the task: drop the scripted lifecycle's queued steps."""
    task.plan += 1


def report_container(task: Task, container: Container, change: dict[str, Any], at: float) -> None:
    """A container's reported status, exit code, reason, runtime ID and host ports."""
    status = change.get("status")
    if status is not None and _CONTAINER_ORDER[status] < _CONTAINER_ORDER[container.last_status]:
        return  # stale
    if status is not None:
        container.last_status = status
    for key, attr in (("exitCode", "exit_code"), ("reason", "reason"), ("runtimeId", "runtime_id")):
        if change.get(key) is not None:
            setattr(container, attr, change[key])
    if change.get("networkBindings") is not None:
        container.network_bindings = [dict(b) for b in change["networkBindings"]]
    task.version += 1


def report_task(engine: Engine, task: Task, change: dict[str, Any], at: float) -> None:
    """A task's reported status (PENDING, RUNNING or STOPPED) and timestamps."""
    for key, attr in (
        ("pullStartedAt", "pull_started_at"),
        ("pullStoppedAt", "pull_stopped_at"),
        ("executionStoppedAt", "execution_stopped_at"),
    ):
        if change.get(key) is not None:
            setattr(task, attr, _seconds(change[key]))
    status = change.get("status")
    if status is None or STATE_INDEX[status] <= STATE_INDEX[task.last_status]:
        return  # nothing to move, or stale
    if status == "RUNNING":
        for container in task.containers:
            if container.last_status == "PENDING":
                container.last_status = "RUNNING"
        lifecycle.set_status(engine, task, "RUNNING", at)
        return
    if status == "PENDING":
        lifecycle.set_status(engine, task, "PENDING", at)
        return
    _stopped(engine, task, change.get("reason"), at)


def _stopped(engine: Engine, task: Task, reason: str | None, at: float) -> None:
    if task.stop_code is None:
        exited = any(c.essential and c.last_status == "STOPPED" for c in task.containers)
        task.stop_code = (
            "EssentialContainerExited" if exited or task.started_at else "TaskFailedToStart"
        )
        task.stopped_reason = reason or lifecycle.STOP_REASONS.get(task.stop_code, task.stop_code)
    task.desired_status = "STOPPED"
    if task.execution_stopped_at is None:
        task.execution_stopped_at = at
    for container in task.containers:
        container.last_status = "STOPPED"
    lifecycle.set_status(engine, task, "STOPPED", at)


def _seconds(value: Any) -> float:
    return value.timestamp() if hasattr(value, "timestamp") else float(value)


# agent updates -----------------------------------------------------------------------


def update_in_progress(ci: ContainerInstance) -> bool:
    return ci.agent_update_status not in (None, "UPDATED", "FAILED")


def start_update(engine: Engine, ci: ContainerInstance) -> None:
    ci.agent_update_status = AGENT_UPDATE_STEPS[0]
    engine.queue.push(engine.now() + AGENT_UPDATE_STEP, KIND, ci.arn)


def on_event(engine: Engine, arn: str) -> None:
    """The next step of an agent update (an instance forgotten meanwhile is left alone)."""
    state = engine.regions.get(arn.split(":")[3])
    ci = state.container_instances.get(arn) if state else None
    if ci is None or not update_in_progress(ci):
        return
    step = AGENT_UPDATE_STEPS[AGENT_UPDATE_STEPS.index(ci.agent_update_status or "PENDING") + 1]
    ci.agent_update_status = step
    if step == "UPDATED":
        ci.version_info = {**ci.version_info, "agentVersion": LATEST_AGENT_VERSION}
        ci.version += 1
    else:
        engine.queue.push(engine.now() + AGENT_UPDATE_STEP, KIND, ci.arn)
