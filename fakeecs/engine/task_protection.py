"""Setting and clearing a task's scale-in protection, and waking its service when that matters.

Shared by the UpdateTaskProtection operation and the agent endpoint a container calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakeecs.engine import services
from fakeecs.model import Task

if TYPE_CHECKING:
    from fakeecs.engine.core import Engine


def not_protectable(task: Task) -> str | None:
    """Why ECS refuses to protect `task` (TASK_NOT_VALID), or None."""
    if task.service_name is None:
        return "The task is not part of an Amazon ECS service."
    if task.desired_status == "STOPPED" or task.last_status == "STOPPED":
        return f"The task is {task.last_status} and can no longer be protected."
    return None


def set_protection(engine: Engine, task: Task, enabled: bool, minutes: int, at: float) -> None:
    """Protect `task` for `minutes` from `at` (or clear it); its service looks again when it ends."""
    task.protected_until = at + minutes * 60.0 if enabled else None
    service = engine.region(task.region).services.get((task.cluster_arn, task.service_name or ""))
    if service is None or service.status == "INACTIVE":
        return
    when = task.protected_until if task.protected_until is not None else at
    services.wake_at_time(engine, service, when + services.SCHEDULER_DELAY)
