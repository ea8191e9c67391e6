"""Running one Airflow command as a one-off ECS task and judging how it ended.

The task is launched from the worker service's task definition with a command override,
on the worker service's network configuration, so it sees the same image, database
and secrets as the workers. It is awaited with a progress line per state change and
judged like the sensor judges a task; a failure prints the container's reason or exit
code and its last log lines.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from mit_airflow.maintenance import services
from mit_airflow.maintenance.aws import Clients
from mit_airflow.maintenance.display import Display
from mit_airflow.maintenance.errors import WorkflowError
from mit_airflow.maintenance.names import ClusterNames
from mit_airflow.maintenance.pacing import Pacer, WaitTimeout, wait_until
from mit_airflow.maintenance.task_outcome import judge, last_log_lines

#: ECS may not know a task for a few seconds after RunTask answered (eventual consistency).
MISSING_GRACE_SECONDS = 30.0


@dataclass(frozen=True)
class LaunchSpec:
    """Where and how a one-off task runs: taken from the worker service."""

    task_definition: dict[str, Any]
    container: str
    essential: frozenset[str]
    run_task_args: dict[str, Any]


@dataclass
class OneOffRequest:
    """One Airflow command to run: what it is called in messages, its argv, extra env."""

    label: str
    command: list[str]
    #: Unique per invocation: the clientToken makes a retried RunTask start nothing new,
    #: and the nonce keeps tomorrow's run of the same command from reusing today's task.
    nonce: str
    environment: dict[str, str] = field(default_factory=dict)
    #: How the command is shown to people (defaults to the command line itself).
    shown: str = ""


class Interrupted(WorkflowError):
    """Ctrl-C while waiting: the task goes on without us, and the person is told which one."""

    exit_code = 130


class OneOffFailed(WorkflowError):
    """The one-off task failed; the message says how, the log lines were already shown."""


def launch_spec(clients: Clients, names: ClusterNames) -> LaunchSpec:
    """Read the worker service and its task definition into RunTask arguments."""
    worker = services.describe_one(clients.ecs, names.cluster, names.worker)
    definition = clients.ecs.describe_task_definition(taskDefinition=worker["taskDefinition"])[
        "taskDefinition"
    ]
    containers = definition.get("containerDefinitions", [])
    essential = frozenset(c["name"] for c in containers if c.get("essential", True))
    if not essential:
        raise WorkflowError(
            f"task definition {definition.get('family')} has no essential container to run the command in"
        )
    container = _pick_container(containers, essential)
    args: dict[str, Any] = {
        "cluster": names.cluster,
        "taskDefinition": definition["taskDefinitionArn"],
        "count": 1,
    }
    if worker.get("capacityProviderStrategy"):
        args["capacityProviderStrategy"] = worker["capacityProviderStrategy"]
    else:
        args["launchType"] = worker.get("launchType") or "FARGATE"
    if worker.get("platformVersion") and args.get("launchType") == "FARGATE":
        args["platformVersion"] = worker["platformVersion"]
    if worker.get("networkConfiguration"):
        args["networkConfiguration"] = worker["networkConfiguration"]
    return LaunchSpec(definition, container, essential, args)


def _pick_container(containers: list[dict[str, Any]], essential: frozenset[str]) -> str:
    """The container that runs Airflow: the only essential one, else one named like a worker."""
    names = [c["name"] for c in containers if c["name"] in essential]
    if len(names) == 1:
        return names[0]
    for name in names:
        if "worker" in name or "airflow" in name:
            return name
    return names[0]


def started_by(label: str) -> str:
    """The task's startedBy: `workflow/<label>` in the characters ECS allows (128 at most)."""
    return re.sub(r"[^A-Za-z0-9_/-]", "_", f"workflow/{label}")[:128]


def client_token(names: ClusterNames, request: OneOffRequest) -> str:
    """A RunTask clientToken for this request (at most 64 characters, as ECS requires)."""
    seed = "\0".join([names.cluster, request.label, *request.command, request.nonce])
    return hashlib.sha256(seed.encode()).hexdigest()[:64]


def run(
    clients: Clients,
    names: ClusterNames,
    request: OneOffRequest,
    *,
    pacer: Pacer,
    display: Display,
    interval: float,
    timeout: float,
) -> dict[str, Any]:
    """Run the command, wait for the task to stop, and return it; raise OneOffFailed if it failed."""
    spec = launch_spec(clients, names)
    override: dict[str, Any] = {"name": spec.container, "command": request.command}
    if request.environment:
        override["environment"] = [
            {"name": k, "value": v} for k, v in sorted(request.environment.items())
        ]
    answer = clients.ecs.run_task(
        **spec.run_task_args,
        overrides={"containerOverrides": [override]},
        startedBy=started_by(request.label),
        clientToken=client_token(names, request),
    )
    if not answer.get("tasks"):
        reasons = "; ".join(
            f"{f.get('reason', 'unknown')}{' (' + f['detail'] + ')' if f.get('detail') else ''}"
            for f in answer.get("failures", [])
        )
        raise WorkflowError(
            f"ECS could not start the {request.label} task: {reasons or 'no task and no reason given'}"
        )
    task_arn = answer["tasks"][0]["taskArn"]
    task_id = task_arn.rsplit("/", 1)[-1]
    shown = request.shown or shlex.join(request.command)
    display.step(f"{request.label}: started task {task_id} ({shown})")
    task = _await_stopped(
        clients,
        names,
        task_arn,
        request.label,
        pacer=pacer,
        display=display,
        interval=interval,
        timeout=timeout,
    )
    outcome = judge(task, set(spec.essential))
    if outcome.ok:
        display.done(f"{request.label} finished: {outcome.message}")
        return task
    display.fail(f"{request.label} failed: {outcome.message}")
    lines = last_log_lines(clients.logs, spec.task_definition, task, spec.container)
    if lines:
        display.info(f"last {len(lines)} log lines of {spec.container}:")
        display.quote(lines)
    else:
        display.info(
            f"no log lines from {spec.container} (none written, or the task definition does not use awslogs)"
        )
    raise OneOffFailed(f"{request.label} failed: {outcome.message} (task {task_id})")


def _await_stopped(
    clients: Clients,
    names: ClusterNames,
    task_arn: str,
    label: str,
    *,
    pacer: Pacer,
    display: Display,
    interval: float,
    timeout: float,
) -> dict[str, Any]:
    first_seen: list[float] = []
    started = pacer.elapsed()

    with display.waiting(f"waiting for {label}") as line:

        def check() -> dict[str, Any] | None:
            answer = clients.ecs.describe_tasks(cluster=names.cluster, tasks=[task_arn])
            tasks = answer.get("tasks", [])
            if not tasks:
                if pacer.elapsed() - started > MISSING_GRACE_SECONDS and not first_seen:
                    raise WorkflowError(f"ECS does not know the {label} task {task_arn} (MISSING)")
                if first_seen:
                    raise WorkflowError(
                        f"the {label} task {task_arn} disappeared from ECS before it was seen to stop"
                    )
                line.update("MISSING (ECS has not caught up yet)")
                return None
            first_seen.append(pacer.elapsed())
            task = tasks[0]
            status = task.get("lastStatus", "?")
            line.update(status)
            return task if status == "STOPPED" else None

        try:
            return wait_until(
                check, pacer=pacer, interval=interval, timeout=timeout, what=f"the {label} task"
            )
        except KeyboardInterrupt:
            raise Interrupted(
                f"interrupted; the {label} task keeps running on ECS: {task_arn}"
            ) from None
        except WaitTimeout as exc:
            raise WorkflowError(
                f"{exc}; the task is still running on ECS: {task_arn} "
                f"(stop it with `aws ecs stop-task --cluster {names.cluster} --task {task_arn}` if needed)"
            ) from None
