"""How one task moves through its lifecycle as the clock moves.

Starting a task schedules its next step; each step, when due, sets what ECS sets
at that point (timestamps, container states, exit codes) and schedules the one
after. Stopping (by the user, by a fault, by an essential container exiting)
replaces the plan: events carry the plan number they belong to, and events of
an older plan are ignored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakeecs.ids import hex_id
from fakeecs.model import LEGAL_TRANSITIONS, STATE_INDEX, Container, Task

if TYPE_CHECKING:
    from fakeecs.engine.core import Engine

#: Virtual seconds between steps (documented in the README under "Default behaviour").
TIMINGS = {
    "PENDING": 1.0,  # after RunTask: the ENI is attached
    "pull": 3.0,  # PENDING -> ACTIVATING: images are pulled
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
        task.pull_started_at = at
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
    """Schedule the first step of a task just started by RunTask."""
    engine.queue.push(task.created_at + TIMINGS["PENDING"], "step", task.arn, task.plan, "PENDING")


def step(engine: Engine, task: Task, state: str, at: float) -> None:
    """Carry out one scheduled step and schedule the next."""
    if state == "PENDING":
        set_status(engine, task, "PENDING", at)
        failing = _failing_reason(task)
        if failing is not None:
            engine.queue.push(at + TIMINGS["pull"], "fail", task.arn, task.plan, failing)
        else:
            engine.queue.push(at + TIMINGS["pull"], "step", task.arn, task.plan, "ACTIVATING")
    elif state == "ACTIVATING":
        set_status(engine, task, "ACTIVATING", at)
        engine.queue.push(at + TIMINGS["ACTIVATING"], "step", task.arn, task.plan, "RUNNING")
    elif state == "RUNNING":
        set_status(engine, task, "RUNNING", at)
        for container in task.containers:
            _start_container(engine, task, container, at)
    else:
        set_status(engine, task, state, at)
        following = _after(state)
        if following is not None:
            engine.queue.push(at + TIMINGS[following], "step", task.arn, task.plan, following)


def _after(state: str) -> str | None:
    order = ("DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED")
    return order[order.index(state) + 1] if state in order[:-1] else None


def _failing_reason(task: Task) -> str | None:
    for container in task.containers:
        if container.behaviour.fail_to_start:
            return container.behaviour.fail_to_start
    return None


def _start_container(engine: Engine, task: Task, container: Container, at: float) -> None:
    container.last_status = "RUNNING"
    container.runtime_id = f"{task.id}-{hex_id(engine.rng, 10)}"
    engine.notify("container_started", task, container)
    engine.queue.push(
        at + container.behaviour.run_seconds, "exit", task.arn, task.plan, container.name
    )


def container_exit(engine: Engine, task: Task, name: str, at: float) -> None:
    """A container's process ends on its own (its scripted run time is up)."""
    container = next(c for c in task.containers if c.name == name)
    if container.last_status != "RUNNING":
        return
    if container.behaviour.out_of_memory:
        _stop_container(engine, task, container, OOM_EXIT, OOM_REASON)
    else:
        _stop_container(engine, task, container, container.behaviour.exit_code, None)
    if container.essential:
        stop(engine, task, at, "EssentialContainerExited", None)


def _stop_container(
    engine: Engine, task: Task, container: Container, exit_code: int | None, reason: str | None
) -> None:
    container.last_status = "STOPPED"
    container.exit_code = exit_code
    if reason:
        container.reason = reason
    task.version += 1
    engine.notify("container_stopped", task, container)


def fail_to_start(engine: Engine, task: Task, reason: str, at: float) -> None:
    """Image pull or resource initialisation failed: no container ever ran."""
    for container in task.containers:
        container.last_status = "STOPPED"
        if container.behaviour.fail_to_start or container.essential:
            container.reason = container.behaviour.fail_to_start or reason
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
    for container in task.containers:
        if container.last_status == "RUNNING":
            _stop_container(engine, task, container, SIGTERM_EXIT, None)
        elif container.last_status == "PENDING":
            container.last_status = "STOPPED"
    if was_running:
        step(engine, task, "DEACTIVATING", at)
    elif STATE_INDEX[task.last_status] < STATE_INDEX["STOPPING"]:
        step(engine, task, "STOPPING", at)
