"""Stopping and starting the scheduler service, remembering its desired count in between."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mit_airflow.maintenance import service_deployments, services
from mit_airflow.maintenance.display import Display
from mit_airflow.maintenance.errors import WorkflowError
from mit_airflow.maintenance.journal import ClusterMemory
from mit_airflow.maintenance.names import ClusterNames
from mit_airflow.maintenance.pacing import Pacer, WaitTimeout, wait_until


def _wait(
    check: Callable[[], bool | None], pacer: Pacer, interval: float, timeout: float, what: str
) -> None:
    """Wait for `check`; running out of time is the CLI's error, not a traceback."""
    try:
        wait_until(check, pacer=pacer, interval=interval, timeout=timeout, what=what)
    except WaitTimeout as exc:
        raise WorkflowError(str(exc)) from None


def stop(ecs: Any, memory: ClusterMemory, names: ClusterNames, display: Display) -> int:
    """Scale the scheduler to 0, first remembering its desired count; returns that count."""
    service = services.describe_one(ecs, names.cluster, names.scheduler)
    desired = int(service.get("desiredCount", 0))
    if desired > 0:
        memory.remember_scheduler_count(desired)
        remembered = desired
    else:
        remembered = memory.scheduler_count() or 1
        display.info(f"{names.scheduler} was already scaled to 0 (will start it with {remembered})")
    display.step(f"stopping {names.scheduler} (desired count {desired} -> 0)")
    services.set_desired_count(ecs, names.cluster, names.scheduler, 0)
    return remembered


def wait_stopped(
    ecs: Any,
    names: ClusterNames,
    *,
    pacer: Pacer,
    display: Display,
    interval: float,
    timeout: float,
) -> None:
    """Wait until no scheduler task is left running or shutting down."""
    with display.waiting(f"waiting for {names.scheduler} to stop") as line:

        def check() -> bool | None:
            active = services.active_tasks(ecs, names.cluster, names.scheduler)
            if not active:
                return True
            states = ", ".join(sorted({t.get("lastStatus", "?") for t in active}))
            line.update(f"{len(active)} scheduler task(s) still up ({states})")
            return None

        _wait(check, pacer, interval, timeout, f"{names.scheduler} to stop")
    display.done(f"{names.scheduler} has no running tasks")


def start(
    ecs: Any, memory: ClusterMemory, names: ClusterNames, display: Display, count: int | None = None
) -> int:
    """Scale the scheduler back up to `count`, or the remembered count, or 1; returns the count."""
    target = count or memory.scheduler_count() or 1
    services.describe_one(ecs, names.cluster, names.scheduler)
    display.step(f"starting {names.scheduler} (desired count {target})")
    services.set_desired_count(ecs, names.cluster, names.scheduler, target)
    return target


def wait_stable(
    ecs: Any,
    names: ClusterNames,
    service_names: list[str],
    *,
    pacer: Pacer,
    display: Display,
    interval: float,
    timeout: float,
    watched: dict[str, str] | None = None,
) -> None:
    """Wait until every named service is stable (one deployment, running == desired).

    `watched` maps services to the service deployment ARNs a redeploy started: their
    progress is shown while waiting, and one that ends rolled back or stopped is a failure.
    """
    watched = watched or {}
    with display.waiting("waiting for services to be stable") as line:

        def check() -> bool | None:
            described = services.describe(ecs, names.cluster, service_names)
            for service in described.values():
                failure = services.failed_rollout(service)
                if failure:
                    raise WorkflowError(failure)
            progress = service_deployments.describe(ecs, list(watched.values())) if watched else {}
            for name, arn in watched.items():
                failure = service_deployments.failure(name, progress.get(arn))
                if failure:
                    raise WorkflowError(failure)
            unstable = [s for s in described.values() if not services.is_stable(s)]
            if not unstable:
                return True
            line.update(
                "; ".join(
                    f"{s['serviceName']} {s.get('runningCount', 0)}/{s.get('desiredCount', 0)} running, "
                    f"{len(s.get('deployments', []))} deployment(s)"
                    + (
                        f", deployment {service_deployments.summary(progress[watched[s['serviceName']]])}"
                        if watched.get(s["serviceName"]) in progress
                        else ""
                    )
                    for s in unstable
                )
            )
            return None

        _wait(check, pacer, interval, timeout, ", ".join(service_names) + " to be stable")
    display.done(f"stable: {', '.join(service_names)}")
