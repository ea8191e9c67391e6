"""What the ECS agent and ECS Exec call: DiscoverPollEndpoint, ExecuteCommand.

Neither has anything behind it: there is no agent communication service to poll and
no SSM Session Manager session. DiscoverPollEndpoint answers ECS's endpoint shapes;
ExecuteCommand checks everything ECS checks and answers a session whose stream URL
and token lead nowhere (the session-manager-plugin cannot connect to it).
"""

from __future__ import annotations

import base64
from typing import Any

from fakeecs import errors
from fakeecs.api.registry import CallContext, operation
from fakeecs.errors import ECSError
from fakeecs.ids import hex_id
from fakeecs.model import STATE_INDEX, Container, Task

#: ECS's text, with its typographic apostrophe.
NOT_ENABLED = (
    "The execute command failed because execute command was not enabled when the task was run "
    "or the execute command agent isn\u2019t running. Wait and try again or run a new task with "
    "execute command enabled and try again."
)
NOT_CONNECTED = "The execute command failed due to an internal error. Try again later."


@operation(
    "DiscoverPollEndpoint",
    area="Agent and ECS Exec",
    notes="Always answers cell 1, where nothing listens.",
)
def discover_poll_endpoint(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    """The agent's endpoints, always the first cell of the region (ECS picks one per instance)."""
    region = ctx.region
    return {
        "endpoint": f"https://ecs-a-1.{region}.amazonaws.com/",
        "telemetryEndpoint": f"https://ecs-t-1.{region}.amazonaws.com/",
        "serviceConnectEndpoint": f"https://ecs-sc.{region}.amazonaws.com",
    }


def _container(task: Task, name: str | None) -> Container:
    if name is None:
        if len(task.containers) > 1:
            raise errors.invalid_parameter(
                "The task has more than one container: specify the container to run the command in "
                f"({', '.join(c.name for c in task.containers)})."
            )
        return task.containers[0]
    for container in task.containers:
        if container.name == name:
            return container
    raise errors.invalid_parameter(
        f"The container {name} does not exist in the task. Specify one of "
        f"{', '.join(c.name for c in task.containers)}."
    )


@operation(
    "ExecuteCommand",
    area="Agent and ECS Exec",
    notes="Answers a session, but no SSM session is behind it.",
)
def execute_command(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    """Refuse as ECS does; otherwise a session (with nothing behind it).

    Before the task is RUNNING its exec agent is not running yet (ECS: not enabled or agent
    not running, wait and try again); once the task is stopping, or the container has exited,
    ECS cannot reach the agent (TargetNotConnectedException).
    """
    if not params["interactive"]:
        raise errors.invalid_parameter("Interactive is the only mode supported currently.")
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    task = state.task(cluster, params["task"])
    if task is None or (task.visible_at is not None and ctx.engine.now() < task.visible_at):
        raise errors.invalid_parameter(
            "The specified task was not found. Specify a valid task and try again."
        )
    if not task.enable_execute_command:
        raise errors.invalid_parameter(NOT_ENABLED)
    container = _container(task, params.get("container"))
    if STATE_INDEX[task.last_status] < STATE_INDEX["RUNNING"]:
        raise errors.invalid_parameter(NOT_ENABLED)
    if (
        task.last_status != "RUNNING"
        or task.desired_status != "RUNNING"
        or container.last_status != "RUNNING"
    ):
        raise ECSError("TargetNotConnectedException", NOT_CONNECTED)
    session_id = f"ecs-execute-command-{hex_id(ctx.engine.rng, 17)}"
    token = base64.b64encode(f"fakeecs:{session_id}:{hex_id(ctx.engine.rng, 64)}".encode()).decode()
    return {
        "clusterArn": cluster.arn,
        "containerArn": container.arn,
        "containerName": container.name,
        "interactive": True,
        "taskArn": task.arn,
        "session": {
            "sessionId": session_id,
            "streamUrl": f"wss://ssmmessages.{ctx.region}.amazonaws.com/v1/data-channel/{session_id}"
            "?role=publish_subscribe",
            "tokenValue": token,
        },
    }
