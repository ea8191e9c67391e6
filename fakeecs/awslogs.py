"""Container log lines scripted in a behaviour, written to CloudWatch Logs (moto) as awslogs would.

The stream is `<awslogs-stream-prefix>/<container>/<task id>` in the task
definition's `awslogs-group`, as the awslogs driver names it. Events carry
virtual timestamps, so they are written straight into moto's stream (moto's
PutLogEvents would reject timestamps away from wall-clock time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakeecs.ids import ACCOUNT_ID
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


def write_lines(engine: Engine, task: Task, container: Container) -> None:
    """Write the container's scripted lines, creating the group and stream if needed."""
    lines = container.behaviour.log_lines
    options = _log_options(engine, task, container) if lines else None
    if not lines or options is None or "awslogs-group" not in options:
        return
    from moto.logs.models import logs_backends

    backend = logs_backends[ACCOUNT_ID][options.get("awslogs-region", task.region)]
    group_name = options["awslogs-group"]
    prefix = options.get("awslogs-stream-prefix")
    stream_name = f"{prefix}/{container.name}/{task.id}" if prefix else task.id
    if group_name not in backend.groups:
        backend.create_log_group(group_name, {})
    group = backend.groups[group_name]
    if stream_name not in group.streams:
        group.create_log_stream(stream_name)
    start_ms = int((task.started_at or engine.now()) * 1000)
    group.streams[stream_name].put_log_events(
        [{"timestamp": start_ms + i, "message": line} for i, line in enumerate(lines)]
    )


def listener(engine: Engine):
    def on_event(kind: str, task: Task, container: Container | None) -> None:
        if kind == "container_started" and container is not None:
            write_lines(engine, task, container)

    return on_event
