"""Container output (scripted lines or a real container's), written to CloudWatch Logs (moto) as awslogs would.

The stream is `<awslogs-stream-prefix>/<container>/<task id>` in the task
definition's `awslogs-group`, as the awslogs driver names it. Events carry
virtual timestamps, so they are written straight into moto's stream (moto's
PutLogEvents would reject timestamps away from wall-clock time).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fakeecs import moto_backend
from fakeecs.model import Container, Task

if TYPE_CHECKING:
    from fakeecs.engine import Engine


def _log_options(engine: Engine, task: Task, container: Container) -> dict[str, str] | None:
    state = engine.region(task.region)
    family, _, revision = task.task_definition_arn.rsplit("/", 1)[-1].partition(":")
    td = next(
        (t for t in state.task_definitions.get(family, []) if str(t.revision) == revision), None
    )
    if td is None:
        return None
    for definition in td.containers:
        if definition["name"] == container.name:
            config = definition.get("logConfiguration") or {}
            if config.get("logDriver") == "awslogs":
                return dict(config.get("options") or {})
    return None


@dataclass(frozen=True)
class Destination:
    """Where awslogs sends one container's output: a stream in a group of a region."""

    region: str
    group: str
    stream: str


def destination(engine: Engine, task: Task, container: Container) -> Destination | None:
    """The container's awslogs stream, or None when it does not log with awslogs."""
    options = _log_options(engine, task, container)
    if options is None or "awslogs-group" not in options:
        return None
    prefix = options.get("awslogs-stream-prefix")
    return Destination(
        region=options.get("awslogs-region", task.region),
        group=options["awslogs-group"],
        stream=f"{prefix}/{container.name}/{task.id}" if prefix else task.id,
    )


def put(where: Destination, events: list[tuple[int, str]]) -> None:
    """Append (timestamp ms, message) events, creating the group and stream if needed."""
    moto_backend.put_log_events(where.region, where.group, where.stream, events)


def write_lines(engine: Engine, task: Task, container: Container) -> None:
    """Write the container's scripted lines (one millisecond apart from its start).

    The awslogs driver opens its stream when the container starts, so a container that writes
    nothing still leaves an empty stream (and its group) behind, as on ECS.
    """
    lines = container.behaviour.log_lines
    where = destination(engine, task, container)
    if where is None:
        return
    start_ms = int((task.started_at or engine.now()) * 1000)
    put(where, [(start_ms + i, line) for i, line in enumerate(lines)])


def listener(engine: Engine):
    def on_event(kind: str, task: Task, container: Container | None) -> None:
        if kind == "container_started" and container is not None:
            write_lines(engine, task, container)

    return on_event
