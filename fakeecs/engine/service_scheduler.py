"""A scheduler pass: the queued "service" event, handed to the controller that keeps the tasks.

A service's tasks are kept by its deployment controller: its deployments for the ECS
controller (engine/services.py; engine/daemon_services.py for the DAEMON scheduling
strategy), its task sets for the EXTERNAL one (engine/task_sets.py). Both build on the service scheduler's primitives in
engine/services.py; choosing between them here keeps either from importing the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakeecs.engine import daemon_services, service_deployments, services, task_sets
from fakeecs.model import Service

if TYPE_CHECKING:
    from fakeecs.engine.core import Engine
    from fakeecs.engine.events import Event


def on_event(engine: Engine, event: Event) -> None:
    """Run a queued scheduler pass (or forget a service that has been INACTIVE an hour)."""
    service = services.find(engine, event.key)
    if service is None:
        return
    if event.arg == "forget":
        if (
            service.inactive_at is not None
            and event.time >= service.inactive_at + services.INACTIVE_RETENTION
        ):
            _, cluster_arn, name = services.service_key(service.arn)
            del engine.region(service.region).services[(cluster_arn, name)]
            service_deployments.forget(engine, service)
        return
    if service.wake_at is not None and service.wake_at <= event.time:
        service.wake_at = None
    reconcile(engine, service, event.time)


def reconcile(engine: Engine, service: Service, at: float) -> None:
    """One scheduler pass: move the service one step closer to what it was asked for."""
    if service.status == "INACTIVE":
        return
    tasks = services.tasks_of(engine, service, prune=True)
    if task_sets.is_external(service):  # its task sets keep its tasks, not deployments
        task_sets.reconcile(engine, service, tasks, at)
    else:
        service_deployments.advance(engine, service, at)
        if service.scheduling_strategy == "DAEMON" and service.status == "ACTIVE":
            daemon_services.reconcile(engine, service, tasks, at)  # one task per instance
        else:
            services.reconcile(engine, service, tasks, at)
        service_deployments.advance(engine, service, at)
