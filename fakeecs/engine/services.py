"""The service scheduler: services converge to their desired count as the clock moves.

A scheduler pass is an event in the engine's queue (kind "service", keyed by the
service ARN), so advancing time costs only what changes: a pass is queued when an
API call changes a service and when one of the service's tasks reaches RUNNING or
starts stopping (one second later in both cases, as ECS reacts). A pass starts
tasks of the PRIMARY deployment until it has its desired count (within the
deployment's maximumPercent), stops surplus tasks, stops tasks of older deployments
while minimumHealthyPercent stays satisfied, drops a deployment once its tasks are
all STOPPED, and marks the rollout COMPLETED when only the PRIMARY one is left.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from fakeecs.engine import lifecycle, task_requests
from fakeecs.engine.service_placement import SERVICE_RETRY_SECONDS, place_for_service
from fakeecs.ids import uuid_like
from fakeecs.model import (
    PENDING_STATES,
    STATE_INDEX,
    Container,
    Deployment,
    Service,
    ServiceDeployment,
    ServiceEvent,
    Task,
)
from fakeecs.rules import deployment_stages, service_throttle
from fakeecs.rules.capacity_strategy import service_choices
from fakeecs.rules.task_protection import is_protected

if TYPE_CHECKING:
    from fakeecs.engine.core import Engine

#: Virtual seconds between an API call that changes a service and the scheduler acting on it.
SCHEDULER_DELAY = 1.0
#: An INACTIVE service stays describable this long, then DescribeServices says MISSING.
INACTIVE_RETENTION = 3600.0
#: Service tasks run until stopped unless a behaviour is scripted for their family.
SERVICE_RUN_SECONDS = 10 * 365 * 24 * 3600.0
MAX_EVENTS = 100
_WAKE_ON = frozenset({"RUNNING", "DEACTIVATING", "STOPPING", "STOPPED"})


def service_key(arn: str) -> tuple[str, str, str]:
    """`arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME` -> (region, cluster arn, name)."""
    head, _, resource = arn.partition(":service/")
    cluster, _, name = resource.partition("/")
    return head.split(":")[3], f"{head}:cluster/{cluster}", name


def find(engine: Engine, arn: str) -> Service | None:
    region, cluster_arn, name = service_key(arn)
    state = engine.regions.get(region)
    return state.services.get((cluster_arn, name)) if state else None


def wake(engine: Engine, service: Service, at: float) -> None:
    """Queue a scheduler pass for `service` at `at` (unless one is already queued by then)."""
    if service.wake_at is not None and service.wake_at <= at:
        return
    service.wake_at = at
    engine.queue.push(at, "service", service.arn, 0, "pass")


def wake_at_time(engine: Engine, service: Service, at: float) -> None:
    """Queue a scheduler pass at `at` whatever else is queued: for a moment known in advance
    (a protection or a lifecycle hook that expires), which an earlier pass must not swallow."""
    engine.queue.push(at, "service", service.arn, 0, "pass")


def listener(engine: Engine) -> Callable[[str, Task, Container | None], None]:
    """Wake a task's service a second after one of its tasks reaches RUNNING or starts stopping.

    Always later than the change: a StopTask answered at time t is followed by a replacement
    at t+1 whether or not anyone reads in between (reading never moves state). The same
    changes drive the service throttle logic (a failed start, a task that runs).
    """

    def on_change(kind: str, task: Task, container: Container | None) -> None:
        if kind != "task_state" or task.service_name is None or task.last_status not in _WAKE_ON:
            return
        service = engine.region(task.region).services.get((task.cluster_arn, task.service_name))
        if service is None or service.status == "INACTIVE":
            return
        if task.last_status == "RUNNING":
            end_throttling(service)
        elif task.last_status == "STOPPING" and failed_to_start(task):
            _count_failed_start(engine, service, engine.now_seen)
        wake(engine, service, engine.now_seen + SCHEDULER_DELAY)

    return on_change


# service throttle logic ----------------------------------------------------------


def failed_to_start(task: Task) -> bool:
    """A task that went from PENDING to stopping without ever RUNNING, for its own reasons."""
    return task.stop_code == "TaskFailedToStart" and task.started_at is None


def _count_failed_start(engine: Engine, service: Service, at: float) -> None:
    service.failed_starts += 1
    delay = service_throttle.delay_after(service.failed_starts)
    service.launch_after = at + delay if delay else None
    if service_throttle.starts_throttling(service.failed_starts):
        add_event(engine, service, service_throttle.throttled_message(service.name), at)


def end_throttling(service: Service) -> None:
    """A task of the service ran, or it has a new task definition: launches are prompt again."""
    service.failed_starts = 0
    service.launch_after = None


# reading -----------------------------------------------------------------------


def tasks_of(engine: Engine, service: Service, prune: bool = False) -> list[Task]:
    """The service's tasks that ECS still remembers, oldest first.

    Only the scheduler prunes the ARNs of forgotten tasks: reading changes nothing.
    """
    known = engine.region(service.region).tasks
    if prune:
        service.task_arns = [a for a in service.task_arns if a in known]
    return [known[a] for a in service.task_arns if a in known]


def counts(tasks: list[Task]) -> tuple[int, int]:
    """(runningCount, pendingCount) as ECS reports them for a service or a deployment."""
    running = sum(1 for t in tasks if t.last_status == "RUNNING")
    pending = sum(
        1 for t in tasks if t.last_status in PENDING_STATES and t.desired_status == "RUNNING"
    )
    return running, pending


def live(tasks: list[Task]) -> list[Task]:
    """Tasks the scheduler still wants running (not told to stop)."""
    return [t for t in tasks if t.desired_status == "RUNNING"]


def is_steady(engine: Engine, service: Service) -> bool:
    tasks = tasks_of(engine, service)
    running, pending = counts(tasks)
    return (
        len(service.deployments) == 1
        and running == service.desired_count
        and pending == 0
        and len(live(tasks)) == service.desired_count
    )


# acting ------------------------------------------------------------------------


def add_event(engine: Engine, service: Service, message: str, at: float) -> None:
    service.events.insert(0, ServiceEvent(uuid_like(engine.rng), at, message))
    del service.events[MAX_EVENTS:]


def new_deployment_id(engine: Engine) -> str:
    return f"ecs-svc/{engine.rng.randrange(10**18, 10**19)}"


class Rollout(Protocol):
    """What `start_tasks` starts a service's tasks from: a Deployment, or (for a service with
    the EXTERNAL deployment controller) a TaskSet, which carries the same settings. The new
    tasks' startedBy and deploymentId are its `id`."""

    @property
    def id(self) -> str: ...
    @property
    def task_definition_arn(self) -> str: ...
    @property
    def launch_type(self) -> str | None: ...
    @property
    def capacity_provider_strategy(self) -> list[dict[str, Any]]: ...
    @property
    def network_configuration(self) -> dict[str, Any] | None: ...
    @property
    def platform_version(self) -> str | None: ...


def start_tasks(
    engine: Engine,
    service: Service,
    deployment: Rollout,
    n: int,
    at: float,
    slots: list[Any] | None = None,
) -> None:
    """Start `n` tasks of `service` from `deployment`, each placed by its strategy or launch type
    (or, for a DAEMON service, one on each of the EC2 `slots` already chosen).

    The one way the schedulers start tasks; on the EC2 launch type it stops early when no
    container instance fits (the service event says so, a later pass tries again). While the
    service throttle logic holds launches back, it starts nothing and wakes the service when
    the wait is over.
    """
    if service.launch_after is not None and at < service.launch_after:
        wake(engine, service, service.launch_after)
        return
    state = engine.region(service.region)
    cluster = next(c for c in state.clusters.values() if c.arn == service.cluster_arn)
    td = state.task_definition(deployment.task_definition_arn)
    scripted = {(row["family"], row["container"]) for row in engine.behaviours.dump()}
    tags = []
    if service.propagate_tags == "SERVICE":
        tags = list(service.tags)
    elif service.propagate_tags == "TASK_DEFINITION":
        tags = list(td.tags)
    if service.enable_managed_tags:
        tags += [
            {"key": "aws:ecs:clusterName", "value": cluster.name},
            {"key": "aws:ecs:serviceName", "value": service.name},
        ]
    request = task_requests.TaskRequest(
        cluster,
        td,
        started_by=deployment.id,
        group=f"service:{service.name}",
        network=deployment.network_configuration,
        tags=tags,
        exec_enabled=bool(service.echoed.get("enableExecuteCommand")),
    )

    def mark(task: Task) -> None:
        for container in task.containers:
            if (td.family, container.name) not in scripted and (td.family, None) not in scripted:
                container.behaviour.run_seconds = SERVICE_RUN_SECONDS
        task.service_name = service.name
        task.deployment_id = deployment.id
        service.task_arns.append(task.arn)

    started = []
    known = [state.tasks[arn] for arn in service.task_arns if arn in state.tasks]
    if slots is None:
        plan = [(kind, name, None) for kind, name in service_choices(deployment, known, n)]
    else:
        plan = [("EC2", None, slot) for slot in slots]
    for launch_type, provider, slot in plan:
        if launch_type == "EC2" and slot is None:  # none fits: an event, a retry later
            slot = place_for_service(engine, service, cluster, td, provider)
            if isinstance(slot, str):
                if not service.events or service.events[0].message != slot:
                    add_event(engine, service, slot, at)
                wake(engine, service, at + SERVICE_RETRY_SECONDS)
                break
        task = task_requests.start(
            engine,
            service.region,
            request,
            launch_type=launch_type,
            slot=slot,
            provider=provider,
            platform_version=deployment.platform_version,
            prepare=mark,
        )
        started.append(task)
    if not started:
        return
    ids = " ".join(f"(task {t.id})" for t in started)
    add_event(
        engine, service, f"(service {service.name}) has started {len(started)} tasks: {ids}.", at
    )
    service.steady = False


def stop_tasks(engine: Engine, service: Service, tasks: list[Task], at: float) -> None:
    """Stop `tasks` as the scheduler does (ServiceSchedulerInitiated), with a service event."""
    for task in tasks:
        lifecycle.stop(
            engine,
            task,
            at,
            "ServiceSchedulerInitiated",
            f"Scaling activity initiated by (deployment {task.deployment_id})",
        )
    ids = " ".join(f"(task {t.id})" for t in tasks)
    add_event(
        engine,
        service,
        f"(service {service.name}) has stopped {len(tasks)} running tasks: {ids}.",
        at,
    )
    service.steady = False


def stop_order(tasks: list[Task]) -> list[Task]:
    """Which tasks to stop first: those not yet running, then the newest."""
    return sorted(tasks, key=lambda t: (t.last_status == "RUNNING", -t.created_at))


def reconcile(engine: Engine, service: Service, tasks: list[Task], at: float) -> None:
    """One scheduler pass for a service whose deployments keep its tasks (the ECS controller):
    move it one step closer to what it was asked for (`tasks`: all of its tasks ECS remembers)."""
    if service.status == "DRAINING":
        drain(engine, service, tasks, at)
        return
    if _trip_circuit_breaker(engine, service, tasks, at):
        tasks = tasks_of(engine, service)
    primary = service.deployments[0]
    want = service.desired_count
    by_deployment = {
        d.id: live([t for t in tasks if t.deployment_id == d.id]) for d in service.deployments
    }
    mine = by_deployment[primary.id]
    leaving = _on_draining_instances(engine, mine)  # replaced elsewhere, then stopped
    mine = [t for t in mine if t not in leaving]
    if len(mine) > want:  # scale-in: a protected task stays until its protection ends
        surplus = [t for t in stop_order(mine) if not is_protected(t, at)]
        if surplus[: len(mine) - want]:
            stop_tasks(engine, service, surplus[: len(mine) - want], at)
    elif (
        len(mine) < want
        and primary.rollout_state != "FAILED"
        and not deployment_stages.holds_scale_up(service_deployment_of(engine, primary))
    ):
        ceiling = max(want, math.floor(want * service.maximum_percent / 100))
        total = sum(len(v) for v in by_deployment.values())
        room = ceiling - total if len(service.deployments) > 1 or leaving else want - len(mine)
        n = min(want - len(mine), room)
        if n > 0:
            start_tasks(engine, service, primary, n, at)
    retire_old(engine, service, at)
    if leaving:
        _leave(engine, service, leaving, at)
    complete(engine, service, at)


def _on_draining_instances(engine: Engine, tasks: list[Task]) -> list[Task]:
    instances = engine.region(tasks[0].region).container_instances if tasks else {}
    return [
        t
        for t in tasks
        if t.container_instance_arn in instances
        and instances[t.container_instance_arn].status == "DRAINING"
    ]


def _healthy_floor(engine: Engine, service: Service) -> tuple[int, int]:
    """(RUNNING tasks the service wants, how few minimumHealthyPercent allows)."""
    healthy = sum(1 for t in live(tasks_of(engine, service)) if t.last_status == "RUNNING")
    return healthy, math.ceil(service.desired_count * service.minimum_healthy_percent / 100)


def _stoppable(tasks: list[Task], healthy: int, floor: int, at: float) -> tuple[list[Task], int]:
    """Of `tasks`, those that may stop now: any not RUNNING, RUNNING ones while `floor` holds.

    A task with scale-in protection is never among them (a deployment waits for it)."""
    stopping = []
    for task in stop_order(tasks):
        if is_protected(task, at):
            continue
        if task.last_status != "RUNNING":
            stopping.append(task)
        elif healthy - 1 >= floor:
            stopping.append(task)
            healthy -= 1
    return stopping, healthy


def _leave(engine: Engine, service: Service, leaving: list[Task], at: float) -> None:
    """Tasks on a DRAINING instance stop as soon as minimumHealthyPercent allows."""
    healthy, floor = _healthy_floor(engine, service)
    stopping, _ = _stoppable(leaving, healthy, floor, at)
    if stopping:
        stop_tasks(engine, service, stopping, at)


def failure_threshold(desired: int) -> int:
    """ECS's circuit breaker trips after this many tasks failed to start (half, within 3..200)."""
    return min(200, max(3, math.ceil(desired * 0.5)))


def rollout_reason(deployment: Deployment) -> str:
    if deployment.rollout_state == "FAILED":
        return "ECS deployment circuit breaker: tasks failed to start."
    if deployment.rollout_state == "COMPLETED":
        return f"ECS deployment {deployment.id} completed."
    return f"ECS deployment {deployment.id} in progress."


def _trip_circuit_breaker(engine: Engine, service: Service, tasks: list[Task], at: float) -> bool:
    """Fail the PRIMARY deployment when enough of its tasks failed to start, and maybe roll back.

    As in ECS's first stage: only while none of the deployment's tasks has reached RUNNING.
    A FAILED deployment starts no more tasks; with rollback, a new deployment of the last
    COMPLETED one takes over.
    """
    primary = service.deployments[0]
    if not service.circuit_breaker.get("enable") or primary.rollout_state != "IN_PROGRESS":
        return False
    mine = [t for t in tasks if t.deployment_id == primary.id]
    if any(t.started_at is not None for t in mine):
        return False
    failed = sum(1 for t in mine if t.stop_code == "TaskFailedToStart")
    if failed < failure_threshold(service.desired_count):
        return False
    primary.rollout_state = "FAILED"
    primary.updated_at = at
    add_event(
        engine,
        service,
        f"(service {service.name}) (deployment {primary.id}) deployment failed: "
        "tasks failed to start.",
        at,
    )
    for task in live(mine):
        lifecycle.stop(engine, task, at, "ServiceSchedulerInitiated", "Deployment failed")
    previous = next((d for d in service.deployments[1:] if d.rollout_state == "COMPLETED"), None)
    if not service.circuit_breaker.get("rollback") or previous is None:
        return True
    rollback = Deployment(
        id=new_deployment_id(engine),
        task_definition_arn=previous.task_definition_arn,
        desired_count=service.desired_count,
        launch_type=previous.launch_type,
        created_at=at,
        updated_at=at,
        network_configuration=previous.network_configuration,
        platform_version=previous.platform_version,
        capacity_provider_strategy=list(previous.capacity_provider_strategy),
        revision_arn=previous.revision_arn,
        service_deployment_arn=primary.service_deployment_arn,
    )
    take_over(engine, service, rollback, f"deployment {previous.id}", at)
    return True


def take_over(engine: Engine, service: Service, rollback: Deployment, to: str, at: float) -> None:
    """Make `rollback` the PRIMARY deployment: the service goes back to what it runs."""
    for deployment in service.deployments:
        deployment.status = "ACTIVE"
    service.deployments.insert(0, rollback)
    end_throttling(service)  # back to the last definition that ran
    service.task_definition_arn = rollback.task_definition_arn
    service.network_configuration = rollback.network_configuration
    add_event(engine, service, f"(service {service.name}) rolling back to {to}.", at)
    service.steady = False


def service_deployment_of(engine: Engine, deployment: Deployment) -> ServiceDeployment | None:
    """The service deployment a scheduler Deployment belongs to (None for one without)."""
    arn = deployment.service_deployment_arn
    if arn is None:
        return None
    return engine.region(arn.split(":")[3]).service_deployments.get(arn)


def retire_old(engine: Engine, service: Service, at: float) -> None:
    """Stop tasks of older deployments while enough healthy tasks stay; drop empty deployments."""
    tasks = tasks_of(engine, service)
    healthy, floor = _healthy_floor(engine, service)
    held = deployment_stages.holds_old_tasks(service_deployment_of(engine, service.deployments[0]))
    for old in service.deployments[1:] if not held else []:
        old_tasks = live([t for t in tasks if t.deployment_id == old.id])
        stopping, healthy = _stoppable(old_tasks, healthy, floor, at)
        if stopping:
            stop_tasks(engine, service, stopping, at)
    kept = [service.deployments[0]]
    for old in service.deployments[1:]:
        if any(t.deployment_id == old.id and t.last_status != "STOPPED" for t in tasks):
            kept.append(old)
    service.deployments = kept


def complete(engine: Engine, service: Service, at: float) -> None:
    primary = service.deployments[0]
    if not is_steady(engine, service):
        return
    if deployment_stages.holds_old_tasks(service_deployment_of(engine, primary)):
        return  # lifecycle hooks still to pass (engine/service_deployments.py moves them)
    if primary.rollout_state == "IN_PROGRESS":
        primary.rollout_state = "COMPLETED"
        primary.updated_at = at
        add_event(
            engine,
            service,
            f"(service {service.name}) (deployment {primary.id}) deployment completed.",
            at,
        )
    if not service.steady:
        service.steady = True
        add_event(engine, service, f"(service {service.name}) has reached a steady state.", at)


def drain(engine: Engine, service: Service, tasks: list[Task], at: float) -> None:
    """A deleted service stops its tasks; once all are stopping it is INACTIVE."""
    running = live(tasks)
    if running:
        stop_tasks(engine, service, stop_order(running), at)
    if all(STATE_INDEX[t.last_status] >= STATE_INDEX["STOPPING"] for t in tasks):
        service.status = "INACTIVE"
        service.inactive_at = at
        for deployment in service.deployments:
            deployment.updated_at = at
        engine.queue.push(at + INACTIVE_RETENTION, "service", service.arn, 0, "forget")


def deployment_running(engine: Engine, service: Service, deployment: Deployment) -> list[Task]:
    return [t for t in tasks_of(engine, service) if t.deployment_id == deployment.id]
