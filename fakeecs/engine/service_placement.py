"""Where the service scheduler puts an EC2 service task, and what it says when it cannot.

ECS keeps trying to reach a service's desired count: a task that fits nowhere is a
service event naming the closest instance and why (the message made here), and another
try SERVICE_RETRY_SECONDS later (sooner when an instance registers or turns ACTIVE,
which wakes the scheduler); the scheduler (engine/services.py) posts the event and
queues the retry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakeecs import errors
from fakeecs.engine.instance_placement import Placement, place
from fakeecs.engine.instance_state import instance_id
from fakeecs.model import Cluster, Service, TaskDefinition

if TYPE_CHECKING:
    from fakeecs.engine.core import Engine

#: What the scheduler uses when a service gives no placementStrategy (ECS's default for
#: services: spread over Availability Zones, then over instances).
SERVICE_DEFAULT_STRATEGY = [
    {"type": "spread", "field": "attribute:ecs.availability-zone"},
    {"type": "spread", "field": "instanceId"},
]
#: How long the scheduler waits before trying again to place a task that fitted nowhere.
SERVICE_RETRY_SECONDS = 60.0
_CLOSEST = {
    "RESOURCE:CPU": "has insufficient CPU units available.",
    "RESOURCE:MEMORY": "has insufficient memory available.",
    "RESOURCE:PORTS": "is already using a port required by your task.",
}


def _problem(failure: dict[str, str]) -> str:
    ident = instance_id(failure["arn"])
    words = _CLOSEST.get(failure["reason"], f'encountered error "{failure["reason"]}".')
    return f"The closest matching (container-instance {ident}) {words}"


def place_for_service(
    engine: Engine,
    service: Service,
    cluster: Cluster,
    td: TaskDefinition,
    provider: str | None,
) -> Placement | str:
    """Where the next task of `service` goes, or the service event saying why it cannot go."""
    try:
        where = place(
            engine,
            service.region,
            cluster,
            td,
            group=f"service:{service.name}",
            constraints=service.echoed.get("placementConstraints"),
            strategies=service.echoed.get("placementStrategy") or SERVICE_DEFAULT_STRATEGY,
            capacity_provider_name=provider,
        )
    except errors.ECSError as exc:
        problem = f"Reason: {exc.message}"
    else:
        if where.failure is None:
            return where
        problem = _problem(where.failure)
    return (
        f"(service {service.name}) was unable to place a task because no container instance "
        f"met all of its requirements. {problem} For more information, see the Troubleshooting "
        "section of the Amazon ECS Developer Guide."
    )
