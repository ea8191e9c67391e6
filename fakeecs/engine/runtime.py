"""What runs a task's containers: scripted behaviours (the default) or real ones.

The lifecycle decides *when* a task moves; a runtime decides what its containers
do at the three moments where ECS touches them: pulling images, starting the
containers, and stopping them. The simulated runtime answers at once from each
container's scripted behaviour; `fakeecs.containers.DockerRuntime` answers when
the Docker engine has done the work (see `lifecycle.pulled`, `lifecycle.container_stopped`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from fakeecs.engine import lifecycle
from fakeecs.ids import hex_id
from fakeecs.model import Task

if TYPE_CHECKING:
    from fakeecs.engine.core import Engine


class Runtime(Protocol):
    #: "simulated" or "docker" (shown by the control API's /_fakeecs/health).
    name: str

    def pull(self, engine: Engine, task: Task, at: float) -> None:
        """Images are to be pulled; end with lifecycle.pulled or lifecycle.fail_to_start."""

    def start(self, engine: Engine, task: Task, at: float) -> None:
        """The task is RUNNING: start its containers."""

    def stop(self, engine: Engine, task: Task, at: float) -> None:
        """Stop the running containers; each ends with lifecycle.container_stopped."""

    def forget(self, task: Task) -> None:
        """ECS no longer remembers the task: free what its containers held."""

    def reset(self) -> None:
        """All state is being forgotten."""

    def close(self) -> None:
        """fakeecs is shutting down."""


class SimulatedRuntime:
    """Containers do what their behaviour scripts: run N seconds, exit with a code, or fail."""

    name = "simulated"

    def pull(self, engine: Engine, task: Task, at: float) -> None:
        failing = next(
            (c.behaviour.fail_to_start for c in task.containers if c.behaviour.fail_to_start),
            None,
        )
        kind, arg = ("fail", failing) if failing else ("step", "ACTIVATING")
        engine.queue.push(at + lifecycle.TIMINGS["pull"], kind, task.arn, task.plan, arg)

    def start(self, engine: Engine, task: Task, at: float) -> None:
        for container in task.containers:
            container.last_status = "RUNNING"
            container.runtime_id = f"{task.id}-{hex_id(engine.rng, 10)}"
            engine.notify("container_started", task, container)
            engine.queue.push(
                at + container.behaviour.run_seconds, "exit", task.arn, task.plan, container.name
            )

    def stop(self, engine: Engine, task: Task, at: float) -> None:
        for container in task.containers:
            if container.last_status == "RUNNING":
                lifecycle.container_stopped(
                    engine, task, container, lifecycle.SIGTERM_EXIT, None, at
                )

    def forget(self, task: Task) -> None:
        pass

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass
