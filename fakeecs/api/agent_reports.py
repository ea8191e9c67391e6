"""What only the ECS agent calls: SubmitTaskStateChange, SubmitContainerStateChange,
SubmitAttachmentStateChanges; and UpdateContainerAgent.

ECS takes these reports only from the agent of a registered container instance about the
tasks placed on it: a report about a task that is not on an ACTIVE or DRAINING container
instance of the cluster (a Fargate task, a task of a deregistered instance) is refused with
AccessDeniedException, as ECS refuses a caller that is not that instance's agent. An
accepted report moves the task and its containers (engine/agent_reports.py), so a script
playing the agent can drive EC2 tasks.
"""

from __future__ import annotations

from typing import Any

from fakeecs import errors
from fakeecs.api.registry import CallContext, operation
from fakeecs.engine import agent_reports
from fakeecs.engine.instance_shape import instance_dict
from fakeecs.engine.instance_state import find
from fakeecs.engine.state import RegionState
from fakeecs.errors import ECSError
from fakeecs.model import Cluster, Task

ACK = {"acknowledgment": "ACK"}
AREA = "Agent and ECS Exec"
ATTACHMENT_STATUSES = (
    "PRECREATED",
    "CREATED",
    "ATTACHING",
    "ATTACHED",
    "DETACHING",
    "DETACHED",
    "DELETED",
    "FAILED",
)


def _not_the_agent(what: str) -> ECSError:
    return ECSError(
        "AccessDeniedException",
        f"Only the Amazon ECS agent of the container instance that runs {what} can report its "
        "state: it is not on a registered container instance of this cluster.",
    )


def _agent_task(state: RegionState, cluster: Cluster, ref: str | None) -> Task:
    """The task a report names, if a registered instance's agent may report it."""
    if not ref:
        raise errors.invalid_parameter("task can not be blank: name the task the report is about.")
    task = state.task(cluster, ref)
    if task is None:
        raise errors.invalid_parameter(f"The referenced task {ref} was not found in the cluster.")
    ci = state.container_instances.get(task.container_instance_arn or "")
    if ci is None or ci.status not in ("ACTIVE", "DRAINING"):
        raise _not_the_agent(f"task {task.id}")
    return task


def _check_status(status: str | None, allowed: tuple[str, ...], what: str) -> None:
    if status is not None and status not in allowed:
        raise errors.invalid_parameter(
            f"Invalid {what} status {status}: an agent reports one of {', '.join(allowed)}."
        )


def _container_change(ctx: CallContext, task: Task, change: dict[str, Any]) -> None:
    name = change.get("containerName")
    container = next((c for c in task.containers if c.name == name), None)
    if container is None:
        raise errors.invalid_parameter(
            f"The container {name} is not a container of task {task.id}."
        )
    _check_status(change.get("status"), agent_reports.CONTAINER_STATUSES, "container")
    agent_reports.report_container(task, container, change, ctx.engine.now())


@operation(
    "SubmitTaskStateChange",
    area=AREA,
    notes="Only for tasks on a registered container instance; the agent then drives the task.",
)
def submit_task_state_change(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    task = _agent_task(state, cluster, params.get("task"))
    _check_status(params.get("status"), agent_reports.TASK_STATUSES, "task")
    changes = params.get("containers") or []
    for change in changes:  # checked before anything moves
        _check_status(change.get("status"), agent_reports.CONTAINER_STATUSES, "container")
    agent_reports.take_over(task)
    for change in changes:
        _container_change(ctx, task, change)
    agent_reports.report_task(ctx.engine, task, params, ctx.engine.now())
    return dict(ACK)


@operation(
    "SubmitContainerStateChange",
    area=AREA,
    notes="Only for tasks on a registered container instance; the agent then drives the task.",
)
def submit_container_state_change(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    task = _agent_task(state, cluster, params.get("task"))
    _check_status(params.get("status"), agent_reports.CONTAINER_STATUSES, "container")
    agent_reports.take_over(task)
    _container_change(ctx, task, params)
    return dict(ACK)


@operation(
    "SubmitAttachmentStateChanges",
    area=AREA,
    notes="Checked and acknowledged; a task's ENI attachment status follows the task.",
)
def submit_attachment_state_changes(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    for change in params["attachments"]:
        _check_status(change["status"], ATTACHMENT_STATUSES, "attachment")
        attachment_id = change["attachmentArn"].rsplit("/", 1)[-1]
        task = next(
            (t for t in state.cluster_tasks(cluster) if t.eni_id == attachment_id),
            None,
        )
        if task is None:
            raise errors.invalid_parameter(
                f"The attachment {change['attachmentArn']} was not found in the cluster."
            )
        ci = state.container_instances.get(task.container_instance_arn or "")
        if ci is None or ci.status not in ("ACTIVE", "DRAINING"):
            raise _not_the_agent(f"attachment {attachment_id}")
    return dict(ACK)


@operation(
    "UpdateContainerAgent",
    area=AREA,
    notes="PENDING to UPDATED on the clock, 10 s a step; the latest agent is 1.88.0.",
)
def update_container_agent(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    ci = find(state, cluster, params["containerInstance"])
    if ci is None or ci.status == "INACTIVE":
        raise errors.invalid_parameter(
            f"The container instance {params['containerInstance']} was not found in the cluster "
            f"{cluster.name}."
        )
    if agent_reports.update_in_progress(ci):
        raise ECSError(
            "UpdateInProgressException",
            "There is already a current Amazon ECS container agent update in progress on the "
            "container instance.",
        )
    version = ci.version_info.get("agentVersion")
    if not version:
        raise ECSError(
            "MissingVersionException",
            "Amazon ECS can't determine the current version of the Amazon ECS container agent on "
            "the container instance.",
        )
    if version == agent_reports.LATEST_AGENT_VERSION:
        raise ECSError(
            "NoUpdateAvailableException",
            "There's no update available for this Amazon ECS container agent: it already runs "
            f"the latest version ({version}).",
        )
    agent_reports.start_update(ctx.engine, ci)
    return {"containerInstance": instance_dict(state, ci)}
