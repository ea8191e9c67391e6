"""How one task moves through its lifecycle as the clock moves.

Starting a task schedules its next step; each step, when due, sets what ECS sets
at that point (timestamps, container states, exit codes) and schedules the one
after. Stopping (by the user, by a fault, by an essential container exiting)
replaces the plan: events carry the plan number they belong to, and events of
an older plan are ignored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakeecs.model import LEGAL_TRANSITIONS, STATE_INDEX, Container, Task

if TYPE_CHECKING:
    from fakeecs.engine.core import Engine

#: Virtual seconds between steps (documented in docs/fakeecs/index.md, "Default behaviour").
TIMINGS = {
    "PENDING": 1.0,  # after RunTask: the ENI is attached (awsvpc), the images start to pull
    "pull": 3.0,  # PENDING -> ACTIVATING: images are pulled (simulated runtime)
    "ACTIVATING": 1.0,  # ACTIVATING -> RUNNING
    "STOPPING": 1.0,  # DEACTIVATING -> STOPPING
    "DEPROVISIONING": 1.0,  # STOPPING -> DEPROVISIONING
    "STOPPED": 1.0,  # DEPROVISIONING -> STOPPED
}
#: Stopped tasks stay describable this long (ECS: "at least an hour").
RETENTION_SECONDS = 3600.0
#: Exit code of a container stopped by SIGTERM (StopTask, interruption, essential exit).
SIGTERM_EXIT = 143
OOM_EXIT = 137
OOM_REASON = "OutOfMemoryError: Container killed due to memory usage"

STOP_REASONS = {
    "EssentialContainerExited": "Essential container in task exited",
    "UserInitiated": "Task stopped by user",
    "SpotInterruption": "Your Spot Task was interrupted.",
    "TerminationNotice": "Task stopped due to a termination notice from the platform.",
    "ServiceSchedulerInitiated": "Scaling activity initiated by deployment",
}


class IllegalTransition(AssertionError):
    """Raised if the engine ever tries to move a task backwards: a bug, never user error."""


def set_status(engine: Engine, task: Task, state: str, at: float) -> None:
    if state == task.last_status:
        return
    if state not in LEGAL_TRANSITIONS[task.last_status]:
        raise IllegalTransition(f"{task.arn}: {task.last_status} -> {state}")
    task.last_status = state
    task.version += 1
    if state == "PENDING":
        task.connectivity_at = at
    elif state == "ACTIVATING":
        task.pull_stopped_at = at
    elif state == "RUNNING":
        task.started_at = at
    elif state == "STOPPING":
        task.stopping_at = at
    elif state == "STOPPED":
        task.stopped_at = at
        engine.queue.push(at + RETENTION_SECONDS, "forget", task.arn)
    engine.notify("task_state", task, None)


def begin(engine: Engine, task: Task) -> None:
    """Set the first status of a task just started by RunTask and schedule its first step.

    Only an awsvpc task is PROVISIONING, while its ENI is attached (the developer guide's
    task lifecycle: "for tasks that use the awsvpc network mode, the elastic network
    interface needs to be provisioned"); any other task starts PENDING. Either way the
    images start to pull TIMINGS["PENDING"] later.
    """
    if not task.has_eni:
        task.last_status = "PENDING"  # its first status, not a transition
        task.connectivity_at = task.created_at
    engine.queue.push(task.created_at + TIMINGS["PENDING"], "step", task.arn, task.plan, "PENDING")


def step(engine: Engine, task: Task, state: str, at: float) -> None:
    """Carry out one scheduled step and schedule the next."""
    if state == "PENDING":
        set_status(engine, task, "PENDING", at)
        task.pull_started_at = at
        engine.runtime.pull(engine, task, at)
    elif state == "ACTIVATING":
        set_status(engine, task, "ACTIVATING", at)
        engine.queue.push(at + TIMINGS["ACTIVATING"], "step", task.arn, task.plan, "RUNNING")
    elif state == "RUNNING":
        set_status(engine, task, "RUNNING", at)
        engine.runtime.start(engine, task, at)
    elif state == "STOPPING":
        set_status(engine, task, "STOPPING", at)
        if not _running(task):  # else the last container to stop moves the task on
            _deprovision_later(engine, task, at)
    else:
        set_status(engine, task, state, at)
        following = _after(state)
        if following is not None:
            engine.queue.push(at + TIMINGS[following], "step", task.arn, task.plan, following)


def pulled(engine: Engine, task: Task, at: float) -> None:
    """The runtime has every image (and created the containers): the task activates."""
    if task.desired_status == "RUNNING" and task.last_status == "PENDING":
        step(engine, task, "ACTIVATING", at)


def _after(state: str) -> str | None:
    order = ("DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED")
    return order[order.index(state) + 1] if state in order[:-1] else None


def _running(task: Task) -> bool:
    return any(c.last_status == "RUNNING" for c in task.containers)


def _deprovision_later(engine: Engine, task: Task, at: float) -> None:
    engine.queue.push(at + TIMINGS["DEPROVISIONING"], "step", task.arn, task.plan, "DEPROVISIONING")


def container_exit(engine: Engine, task: Task, name: str, at: float) -> None:
    """A scripted container's process ends on its own (its run time is up)."""
    container = next(c for c in task.containers if c.name == name)
    if container.last_status != "RUNNING":
        return
    if container.behaviour.out_of_memory:
        container_stopped(engine, task, container, OOM_EXIT, OOM_REASON, at)
    else:
        container_stopped(engine, task, container, container.behaviour.exit_code, None, at)


def container_stopped(
    engine: Engine,
    task: Task,
    container: Container,
    exit_code: int | None,
    reason: str | None,
    at: float,
) -> None:
    """A container's process has ended: record how, and stop the task if it was essential."""
    if container.last_status == "STOPPED":
        return
    container.last_status = "STOPPED"
    container.exit_code = exit_code
    if reason:
        container.reason = reason
    task.version += 1
    engine.notify("container_stopped", task, container)
    if container.essential:
        stop(engine, task, at, "EssentialContainerExited", None)
    if task.last_status == "STOPPING" and not _running(task):
        _deprovision_later(engine, task, at)


def fail_to_start(
    engine: Engine, task: Task, reason: str, at: float, culprits: set[str] | None = None
) -> None:
    """Image pull or resource initialisation failed: no container ever ran.

    `culprits` names the containers that failed (default: those scripted to fail);
    they carry the reason, and so do the essential ones.
    """
    for container in task.containers:
        container.last_status = "STOPPED"
        failed = (
            container.name in culprits
            if culprits is not None
            else bool(container.behaviour.fail_to_start)
        )
        if failed or container.essential:
            container.reason = (
                container.behaviour.fail_to_start if culprits is None else None
            ) or reason
    task.version += 1
    stop(engine, task, at, "TaskFailedToStart", reason)


def stop(engine: Engine, task: Task, at: float, code: str, reason: str | None) -> None:
    """Move a task towards STOPPED; the first stop decides stopCode and stoppedReason."""
    if task.desired_status == "STOPPED" and task.stop_code is not None:
        return
    task.desired_status = "STOPPED"
    task.stop_code = code
    task.stopped_reason = reason or STOP_REASONS.get(code, code)
    task.version += 1
    task.plan += 1
    was_running = task.last_status == "RUNNING"
    if task.started_at is not None and task.execution_stopped_at is None:
        task.execution_stopped_at = at
    engine.runtime.stop(engine, task, at)
    for container in task.containers:
        if container.last_status == "PENDING":
            container.last_status = "STOPPED"
    if was_running:
        step(engine, task, "DEACTIVATING", at)
    elif STATE_INDEX[task.last_status] < STATE_INDEX["STOPPING"]:
        step(engine, task, "STOPPING", at)
