"""Task scale-in protection: UpdateTaskProtection and GetTaskProtection.

A protected task of a service is not stopped by the service's scale-in or by a
deployment until its protection is cleared or expires (engine/services.py asks
rules/task_protection.py); the scheduler is woken when it expires, so a waiting
deployment goes on at that moment on the clock. Containers set the same protection
through the agent endpoint (fakeecs/agent_endpoint.py).
"""

from __future__ import annotations

from typing import Any

from fakeecs import errors
from fakeecs.api.registry import CallContext, operation
from fakeecs.engine import task_protection
from fakeecs.model import Task
from fakeecs.rules import task_protection as rules

#: UpdateTaskProtection takes at most this many tasks (the API reference: "up to 10").
MAX_TASKS = 10


def protected_task(task: Task, now: float) -> dict[str, Any]:
    """A ProtectedTask as ECS shows it: expirationDate only while protection holds."""
    enabled = rules.is_protected(task, now)
    out: dict[str, Any] = {"taskArn": task.arn, "protectionEnabled": enabled}
    if enabled:
        out["expirationDate"] = task.protected_until
    return out


def _resolve(ctx: CallContext, params: dict[str, Any]) -> tuple[list[Task], list[dict[str, str]]]:
    """The tasks named (each unknown one a MISSING failure, each not protectable TASK_NOT_VALID)."""
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params["cluster"])
    found, failures = [], []
    for ref in params.get("tasks") or []:
        task = state.task(cluster, ref)
        if task is None:
            task_id = ref.rsplit("/", 1)[-1]
            failures.append(
                {
                    "arn": f"{cluster.arn.replace(':cluster/', ':task/')}/{task_id}",
                    "reason": "MISSING",
                }
            )
            continue
        problem = task_protection.not_protectable(task)
        if problem is not None:
            failures.append({"arn": task.arn, "reason": "TASK_NOT_VALID", "detail": problem})
            continue
        found.append(task)
    return found, failures


@operation("UpdateTaskProtection", notes="service tasks only; 1..2,880 minutes, 120 by default")
def update_task_protection(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    refs = params["tasks"]
    if not refs:
        raise errors.invalid_parameter("tasks cannot be empty.")
    if len(refs) > MAX_TASKS:
        raise errors.invalid_parameter(f"tasks cannot have more than {MAX_TASKS} elements.")
    enabled = params["protectionEnabled"]
    minutes = rules.expiry_minutes(enabled, params.get("expiresInMinutes"))
    tasks, failures = _resolve(ctx, params)
    now = ctx.engine.now()
    for task in tasks:
        task_protection.set_protection(ctx.engine, task, enabled, minutes, now)
    return {"protectedTasks": [protected_task(t, now) for t in tasks], "failures": failures}


@operation("GetTaskProtection", notes="without tasks: every protected task of the cluster")
def get_task_protection(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    now = ctx.engine.now()
    if params.get("tasks"):
        tasks, failures = _resolve(ctx, params)
    else:
        state = ctx.engine.region(ctx.region)
        cluster = state.cluster(params["cluster"])
        tasks = [t for t in state.cluster_tasks(cluster) if rules.is_protected(t, now)]
        failures = []
    return {"protectedTasks": [protected_task(t, now) for t in tasks], "failures": failures}
