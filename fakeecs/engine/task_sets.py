"""The task-set scheduler: each task set of an EXTERNAL service keeps its share of tasks.

A task set's share is computedDesiredCount = ceil(service desiredCount * scale / 100)
(ECS always rounds up). Passes ride on the service scheduler's own events: the
service scheduler (engine/services.py) hands an EXTERNAL service to `reconcile`
here, so a pass is queued by the same calls and task changes as for any service
(one second after an API call, or after one of the service's tasks reaches RUNNING
or starts stopping). A pass starts or stops tasks of each task set until it has its
share, drains DRAINING task sets (they disappear once all their tasks are STOPPED),
and records each task set's stability (STEADY_STATE once runningCount equals
computedDesiredCount with nothing pending).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING

from fakeecs.engine import services as scheduler
from fakeecs.errors import ECSError
from fakeecs.model import Service, Task, TaskSet

if TYPE_CHECKING:
    from fakeecs.engine.core import Engine
    from fakeecs.engine.state import RegionState

#: ECS allows at most this many task sets (it says "deployments") in one service.
MAX_TASK_SETS = 5
STEADY = "STEADY_STATE"
STABILIZING = "STABILIZING"


def is_external(service: Service) -> bool:
    """Whether the service uses the EXTERNAL deployment controller (kept with its echoed settings)."""
    controller = service.echoed.get("deploymentController") or {}
    return controller.get("type") == "EXTERNAL"


def sets_of(state: RegionState, service: Service) -> list[TaskSet]:
    """The service's task sets that ECS still shows, oldest first."""
    found = [ts for ts in state.task_sets.values() if ts.service_arn == service.arn]
    return sorted(found, key=lambda ts: ts.created_at)


def computed_desired(service: Service, task_set: TaskSet) -> int:
    """ceil(desiredCount * scale%), exact for the decimal the caller wrote (no float fuzz)."""
    if task_set.status == "DRAINING" or service.status != "ACTIVE":
        return 0
    value = Fraction(repr(float(task_set.scale.get("value", 0.0))))
    return math.ceil(value * service.desired_count / 100)


def uses_task_definition(state: RegionState, td_arn: str) -> bool:
    """Whether a task set still runs `td_arn` (DeleteTaskDefinitions waits for it).

    Any task set not DRAINING may start tasks from it; a DRAINING one starts none, and its
    tasks that have not stopped keep the revision in use by themselves.
    """
    return any(
        ts.task_definition_arn == td_arn and ts.status != "DRAINING"
        for ts in state.task_sets.values()
    )


def tasks_of(engine: Engine, service: Service, task_set: TaskSet) -> list[Task]:
    return [t for t in scheduler.tasks_of(engine, service) if t.task_set_arn == task_set.arn]


def stabilizing(task_set: TaskSet, at: float) -> None:
    """What was asked of the task set changed: it is STABILIZING until a pass finds it steady."""
    if task_set.stability_status != STABILIZING:
        task_set.stability_status = STABILIZING
        task_set.stability_status_at = at


def reconcile(engine: Engine, service: Service, tasks: list[Task], at: float) -> None:
    """One pass for an EXTERNAL service (`tasks` are all of its tasks ECS remembers)."""
    state = engine.region(service.region)
    mine = sets_of(state, service)
    if service.status == "DRAINING":  # DeleteService: every task set drains with the service
        for task_set in mine:
            if task_set.status != "DRAINING":
                task_set.status = "DRAINING"
                task_set.updated_at = at
                stabilizing(task_set, at)
        scheduler.drain(engine, service, tasks, at)
        if service.status == "INACTIVE":
            for task_set in mine:
                del state.task_sets[task_set.arn]
        return
    for task_set in mine:
        own = [t for t in tasks if t.task_set_arn == task_set.arn]
        live = scheduler.live(own)
        want = computed_desired(service, task_set)
        if len(live) > want:
            scheduler.stop_tasks(
                engine, service, scheduler.stop_order(live)[: len(live) - want], at
            )
        elif len(live) < want:
            _start(engine, service, task_set, want - len(live), at)
        if task_set.status == "DRAINING" and all(t.last_status == "STOPPED" for t in own):
            del state.task_sets[task_set.arn]
            continue
        _record_stability(engine, service, task_set, at)


def _start(engine: Engine, service: Service, task_set: TaskSet, n: int, at: float) -> None:
    """Start `n` tasks of the task set through the service scheduler's one way of starting tasks.

    A task set carries what a deployment does (it is a `scheduler.Rollout`: task definition,
    launch type or capacity provider strategy, network, platform version, id), so the service
    scheduler builds and places its tasks; their startedBy is the task set's id, as for a
    deployment's tasks.
    """
    state = engine.region(service.region)
    try:
        state.task_definition(task_set.task_definition_arn)
    except ECSError:  # the revision was deleted for good (DeleteTaskDefinitions): start nothing
        return
    before = len(service.task_arns)
    scheduler.start_tasks(engine, service, task_set, n, at)
    for arn in service.task_arns[before:]:
        state.tasks[arn].task_set_arn = task_set.arn


def _record_stability(engine: Engine, service: Service, task_set: TaskSet, at: float) -> None:
    own = tasks_of(engine, service, task_set)
    running, pending = scheduler.counts(own)
    want = computed_desired(service, task_set)
    steady = running == want and pending == 0 and len(scheduler.live(own)) == want
    status = STEADY if steady else STABILIZING
    if status != task_set.stability_status:
        task_set.stability_status = status
        task_set.stability_status_at = at
