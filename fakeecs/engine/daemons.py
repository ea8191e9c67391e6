"""The daemon scheduler: one task of a daemon on each container instance of its capacity providers.

A pass is an event in the engine's queue (kind "daemon", keyed by the daemon ARN), queued
one second after an API call changes a daemon, after a container instance of its cluster
registers or changes state, and after one of its tasks reaches RUNNING or starts stopping.
A pass stops daemon tasks of older revisions (and on instances that no longer qualify),
starts the current revision's task on every ACTIVE instance of the daemon's providers that
has none (once the old one has stopped and freed the instance's resources), and moves the
daemon's latest deployment along: PENDING -> IN_PROGRESS -> SUCCESSFUL (after the bake
time), or to a rollback when its circuit breaker trips.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from fakeecs.engine import lifecycle, task_requests
from fakeecs.engine.instance_placement import place
from fakeecs.model import (
    Container,
    ContainerInstance,
    Daemon,
    DaemonDeployment,
    DaemonRevision,
    Task,
)

if TYPE_CHECKING:
    from fakeecs.engine.core import Engine
    from fakeecs.engine.events import Event
    from fakeecs.engine.state import RegionState

KIND = "daemon"
#: Virtual seconds between a change and the scheduler acting on it (as for services).
DELAY = 1.0
#: How long a pass waits before trying again to place a task that did not fit.
RETRY_SECONDS = 60.0
#: Daemon tasks run until stopped unless a behaviour is scripted for their family.
RUN_SECONDS = 10 * 365 * 24 * 3600.0
#: How often a DELETE_IN_PROGRESS daemon task definition is looked at again.
DELETE_CHECK_SECONDS = 60.0
ACTIVE_DEPLOYMENT = frozenset({"PENDING", "IN_PROGRESS", "ROLLBACK_IN_PROGRESS"})
_WAKE_ON = frozenset({"RUNNING", "DEACTIVATING", "STOPPING", "STOPPED"})


def region_of(arn: str) -> str:
    return arn.split(":")[3]


def find(engine: Engine, arn: str) -> Daemon | None:
    state = engine.regions.get(region_of(arn))
    return state.daemons.get(arn) if state else None


def wake(engine: Engine, daemon: Daemon, at: float) -> None:
    """Queue a pass for `daemon` at `at` (unless one is already queued by then)."""
    if daemon.wake_at is not None and daemon.wake_at <= at:
        return
    daemon.wake_at = at
    engine.queue.push(at, KIND, daemon.arn)


def wake_cluster(engine: Engine, region: str, cluster_arn: str) -> None:
    """A container instance of the cluster came, went or changed: its daemons look again."""
    for daemon in list(engine.region(region).daemons.values()):
        if daemon.cluster_arn == cluster_arn:
            wake(engine, daemon, engine.now() + DELAY)


def delete_task_definition_later(engine: Engine, td_arn: str) -> None:
    """Look again in a while whether a DELETE_IN_PROGRESS daemon task definition is unused."""
    engine.queue.push(engine.now() + DELETE_CHECK_SECONDS, KIND, td_arn, 0, "td-delete")


def _finish_task_definition_deletion(engine: Engine, td_arn: str) -> None:
    """DELETED once no daemon's revision runs it and none of its tasks is still running."""
    state = engine.regions.get(region_of(td_arn))
    td = state.daemon_task_definitions.get(td_arn) if state else None
    if state is None or td is None or td.status != "DELETE_IN_PROGRESS":
        return
    in_use = any(
        state.daemon_revisions[d.revision_arn].task_definition_arn == td_arn
        for d in state.daemons.values()
    ) or any(
        t.task_definition_arn == td_arn and t.last_status != "STOPPED" for t in state.tasks.values()
    )
    if in_use:
        delete_task_definition_later(engine, td_arn)
    else:
        td.status = "DELETED"


def on_event(engine: Engine, event: Event) -> None:
    if event.arg == "td-delete":
        _finish_task_definition_deletion(engine, event.key)
        return
    daemon = find(engine, event.key)
    if daemon is None:
        return
    if daemon.wake_at is not None and daemon.wake_at <= event.time:
        daemon.wake_at = None
    reconcile(engine, daemon, event.time)


def listener(engine: Engine) -> Callable[[str, Task, Container | None], None]:
    """Wake a task's daemon a second after one of its tasks reaches RUNNING or starts stopping."""

    def on_change(kind: str, task: Task, container: Container | None) -> None:
        if kind != "task_state" or task.daemon_arn is None or task.last_status not in _WAKE_ON:
            return
        daemon = find(engine, task.daemon_arn)
        if daemon is not None:
            wake(engine, daemon, engine.now_seen + DELAY)

    return on_change


# reading -----------------------------------------------------------------------


def tasks_of(state: RegionState, daemon: Daemon) -> list[Task]:
    """The daemon's tasks that ECS still remembers, oldest first."""
    return [t for t in state.tasks.values() if t.daemon_arn == daemon.arn]


def instances_of(
    state: RegionState, cluster_arn: str, providers: list[str], statuses: tuple[str, ...]
) -> list[ContainerInstance]:
    return [
        ci
        for ci in state.container_instances.values()
        if ci.cluster_arn == cluster_arn
        and ci.status in statuses
        and ci.capacity_provider_name in providers
    ]


def eligible(state: RegionState, daemon: Daemon) -> list[ContainerInstance]:
    """The instances that should run the daemon: ACTIVE ones of its capacity providers."""
    return instances_of(state, daemon.cluster_arn, daemon.capacity_providers, ("ACTIVE",))


def live(tasks: list[Task]) -> list[Task]:
    return [t for t in tasks if t.desired_status == "RUNNING"]


def revision_counts(
    state: RegionState, daemon_arn: str, providers: list[str], revision_arn: str
) -> dict[str, dict[str, int]]:
    """Per capacity provider: instances running `revision_arn`'s task, ACTIVE instances
    without one, DRAINING instances."""
    daemon_tasks = [
        t
        for t in state.tasks.values()
        if t.daemon_arn == daemon_arn and t.daemon_revision_arn == revision_arn
    ]
    cluster_arn = state.daemon_revisions[revision_arn].cluster_arn
    out = {}
    for provider in providers:
        active = instances_of(state, cluster_arn, [provider], ("ACTIVE",))
        draining = instances_of(state, cluster_arn, [provider], ("DRAINING",))
        running = {t.container_instance_arn for t in daemon_tasks if t.last_status == "RUNNING"}
        with_task = {t.container_instance_arn for t in live(daemon_tasks)}
        out[provider] = {
            "running": sum(1 for ci in active + draining if ci.arn in running),
            "without": sum(1 for ci in active if ci.arn not in with_task),
            "draining": len(draining),
        }
    return out


def failure_threshold(instances: int) -> int:
    """The circuit breaker trips after this many tasks failed to start (as for services)."""
    return min(200, max(3, math.ceil(instances * 0.5)))


def failed_starts(state: RegionState, deployment: DaemonDeployment) -> int:
    return sum(
        1
        for t in state.tasks.values()
        if t.daemon_arn == deployment.daemon_arn
        and t.daemon_revision_arn == deployment.target_revision_arn
        and t.stop_code == "TaskFailedToStart"
        and t.created_at >= deployment.created_at
    )


# acting ------------------------------------------------------------------------


def _start(
    engine: Engine, daemon: Daemon, revision: DaemonRevision, ci: ContainerInstance, at: float
) -> bool:
    """Start the revision's task on `ci`; False when it does not fit there (yet)."""
    state = engine.region(region_of(daemon.arn))
    cluster = next(c for c in state.clusters.values() if c.arn == daemon.cluster_arn)
    td = state.task_definition(revision.task_definition_arn)
    tags = list(daemon.tags) if revision.propagate_tags == "DAEMON" else []
    if revision.enable_managed_tags:
        tags += [
            {"key": "aws:ecs:clusterName", "value": cluster.name},
            {"key": "aws:ecs:daemonName", "value": daemon.name},
        ]
    slot = place(engine, state.name, cluster, td, group=f"daemon:{daemon.name}", only=[ci.arn])
    if slot.failure is not None or slot.instance_arn is None:
        return False
    scripted = {(row["family"], row["container"]) for row in engine.behaviours.dump()}

    def mark(task: Task) -> None:
        for container in task.containers:
            if (td.family, container.name) not in scripted and (td.family, None) not in scripted:
                container.behaviour.run_seconds = RUN_SECONDS
        task.daemon_arn = daemon.arn
        task.daemon_revision_arn = revision.arn

    request = task_requests.TaskRequest(
        cluster,
        td,
        started_by=f"ecs-daemon/{daemon.name}",
        group=f"daemon:{daemon.name}",
        tags=tags,
        exec_enabled=revision.enable_execute_command,
    )
    task_requests.start(
        engine,
        state.name,
        request,
        launch_type="EC2",
        slot=slot,
        provider=ci.capacity_provider_name,
        prepare=mark,
    )
    return True


def _stop(engine: Engine, tasks: list[Task], at: float, reason: str) -> None:
    for task in tasks:
        lifecycle.stop(engine, task, at, "ServiceSchedulerInitiated", reason)


def reconcile(engine: Engine, daemon: Daemon, at: float) -> None:
    """One pass: move the daemon's tasks and its latest deployment one step on."""
    state = engine.region(region_of(daemon.arn))
    deployment = state.daemon_deployments[daemon.deployment_arn]
    if deployment.status == "PENDING":
        deployment.status, deployment.started_at = "IN_PROGRESS", at
    tasks = live(tasks_of(state, daemon))
    if daemon.status == "DELETE_IN_PROGRESS":
        _stop(engine, tasks, at, f"Daemon {daemon.name} deleted")
        if all(t.last_status == "STOPPED" for t in tasks_of(state, daemon)):
            _finish(deployment, "SUCCESSFUL", at)
            del state.daemons[daemon.arn]
        return
    targets = {ci.arn: ci for ci in eligible(state, daemon)}
    keep_on = targets.keys() | {
        ci.arn
        for ci in instances_of(state, daemon.cluster_arn, daemon.capacity_providers, ("DRAINING",))
    }
    outdated = [
        t
        for t in tasks
        if t.daemon_revision_arn != daemon.revision_arn or t.container_instance_arn not in keep_on
    ]
    _stop(engine, outdated, at, f"Daemon deployment {deployment.arn.rsplit('/', 1)[-1]}")
    if _trip(engine, state, daemon, deployment, at):
        return
    blocked = (
        deployment.status == "STOPPED" and deployment.target_revision_arn == daemon.revision_arn
    )
    revision = state.daemon_revisions[daemon.revision_arn]
    busy = {t.container_instance_arn for t in tasks_of(state, daemon) if t.last_status != "STOPPED"}
    waiting = False
    for ci in targets.values():
        if ci.arn in busy or blocked:
            continue
        if not _start(engine, daemon, revision, ci, at):
            waiting = True
    if waiting:
        wake(engine, daemon, at + RETRY_SECONDS)
    _progress(engine, state, daemon, deployment, at)


def _finish(deployment: DaemonDeployment, status: str, at: float) -> None:
    deployment.status = status
    deployment.finished_at = at


def _converged(state: RegionState, daemon: Daemon) -> bool:
    tasks = tasks_of(state, daemon)
    current = {
        t.container_instance_arn
        for t in tasks
        if t.daemon_revision_arn == daemon.revision_arn and t.last_status == "RUNNING"
    }
    others = [t for t in tasks if t.daemon_revision_arn != daemon.revision_arn]
    return all(ci.arn in current for ci in eligible(state, daemon)) and all(
        t.last_status == "STOPPED" for t in others
    )


def _progress(
    engine: Engine, state: RegionState, daemon: Daemon, deployment: DaemonDeployment, at: float
) -> None:
    """A deployment whose instances all run its revision is done once its bake time is over."""
    if deployment.status not in ("IN_PROGRESS", "ROLLBACK_IN_PROGRESS"):
        return
    if not _converged(state, daemon):
        deployment.bake_until = None
        return
    if deployment.bake_until is None:
        bake = deployment.configuration.get("bakeTimeInMinutes") or 0
        deployment.bake_until = at + 60.0 * bake
    if at < deployment.bake_until:
        wake(engine, daemon, deployment.bake_until)
        return
    done = "ROLLBACK_SUCCESSFUL" if deployment.status == "ROLLBACK_IN_PROGRESS" else "SUCCESSFUL"
    _finish(deployment, done, at)


def _trip(
    engine: Engine, state: RegionState, daemon: Daemon, deployment: DaemonDeployment, at: float
) -> bool:
    """Roll back (or stop) a deployment when enough of its tasks failed to start."""
    if deployment.status != "IN_PROGRESS":
        return False
    threshold = failure_threshold(len(eligible(state, daemon)))
    if failed_starts(state, deployment) < threshold:
        return False
    reason = "Daemon deployment circuit breaker: tasks failed to start."
    deployment.status_reason = reason
    source = deployment.source_revision_arns[0] if deployment.source_revision_arns else None
    if source is None:
        deployment.status, deployment.stopped_at = "STOPPED", at
        return True
    deployment.status = "ROLLBACK_IN_PROGRESS"
    deployment.rollback = {
        "reason": reason,
        "startedAt": at,
        "rollbackTargetDaemonRevisionArn": source,
        "rollbackCapacityProviders": list(deployment.capacity_providers),
    }
    daemon.revision_arn = source
    wake(engine, daemon, at + DELAY)
    return True
