"""Deregistered container instances are forgotten an hour later, as ECS forgets them.

ECS's developer guide: a deregistered (or terminated) instance is INACTIVE at once and
no longer listed, but can still be described for an hour; after that it is gone.
DeregisterContainerInstance queues the "instance" event that forgets it; the event
is data in the engine's queue, so it is saved and restored with the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakeecs.model import ContainerInstance

if TYPE_CHECKING:
    from fakeecs.engine.core import Engine
    from fakeecs.engine.events import Event

#: How long an INACTIVE container instance stays describable.
INACTIVE_RETENTION = 3600.0
KIND = "instance"


def forget_later(engine: Engine, ci: ContainerInstance) -> None:
    engine.queue.push((ci.deregistered_at or engine.now()) + INACTIVE_RETENTION, KIND, ci.arn)


def on_event(engine: Engine, event: Event) -> None:
    """Forget the instance if it is still INACTIVE since at least INACTIVE_RETENTION."""
    state = engine.regions.get(event.key.split(":")[3])
    if state is None:
        return
    ci = state.container_instances.get(event.key)
    if (
        ci is not None
        and ci.status == "INACTIVE"
        and ci.deregistered_at is not None
        and event.time >= ci.deregistered_at + INACTIVE_RETENTION
    ):
        del state.container_instances[event.key]
