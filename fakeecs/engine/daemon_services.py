"""The DAEMON scheduling strategy of services: one task on each eligible container instance.

An instance is eligible while it is ACTIVE and (when it has no task of the service yet) the
service's placement constraints accept it; the service's desiredCount is the number of
eligible instances, as ECS shows it. A pass stops the service's tasks on instances that
are no longer ACTIVE (draining, deregistered), starts the PRIMARY deployment's task on each
eligible instance that has none (once an older task there has stopped and freed the
instance), and lets the replica scheduler's steps retire older deployments and mark the
rollout COMPLETED.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakeecs.engine import services
from fakeecs.engine.instance_placement import Placement, place
from fakeecs.engine.instance_state import cluster_instances
from fakeecs.model import Service, Task

if TYPE_CHECKING:
    from fakeecs.engine.core import Engine

#: How long a pass waits before trying again to place a task that did not fit (resources).
RETRY_SECONDS = 60.0


def reconcile(engine: Engine, service: Service, tasks: list[Task], at: float) -> None:
    state = engine.region(service.region)
    cluster = next(c for c in state.clusters.values() if c.arn == service.cluster_arn)
    primary = service.deployments[0]
    td = state.task_definition(primary.task_definition_arn)
    active = [ci for ci in cluster_instances(state, cluster) if ci.status == "ACTIVE"]
    live = services.live(tasks)
    gone = [t for t in live if t.container_instance_arn not in {ci.arn for ci in active}]
    if gone:
        services.stop_tasks(engine, service, gone, at)
    occupied = {t.container_instance_arn for t in tasks if t.last_status != "STOPPED"}
    hosting = {t.container_instance_arn for t in services.live(tasks) if t not in gone}
    slots: list[Placement] = []
    eligible = len(hosting)
    retry = False
    for ci in active:
        if ci.arn in hosting:
            continue
        where = place(
            engine,
            service.region,
            cluster,
            td,
            group=f"service:{service.name}",
            constraints=service.echoed.get("placementConstraints"),
            only=[ci.arn],
        )
        reason = (where.failure or {}).get("reason", "")
        if where.failure is not None and not reason.startswith("RESOURCE:"):
            continue  # the placement constraints keep the service off this instance
        eligible += 1
        if ci.arn in occupied or where.failure is not None:
            retry = retry or where.failure is not None
            continue  # an older task there is still stopping, or it does not fit yet
        slots.append(where)
    service.desired_count = primary.desired_count = eligible
    if slots and primary.rollout_state != "FAILED":
        services.start_tasks(engine, service, primary, len(slots), at, slots=slots)
    if retry:
        services.wake(engine, service, at + RETRY_SECONDS)
    services.retire_old(engine, service, at)
    services.complete(engine, service, at)
