"""Reading and changing the cluster's ECS services, and deciding when they have settled."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mit_airflow.maintenance.errors import UnknownServiceError, WorkflowError

Service = dict[str, Any]

#: DescribeServices takes at most 10 services per call.
_DESCRIBE_BATCH = 10


def describe(ecs: Any, cluster: str, names: Iterable[str]) -> dict[str, Service]:
    """Describe services by name; an unknown or deleted one is a one-line error naming it."""
    names = list(dict.fromkeys(names))
    found: dict[str, Service] = {}
    missing: list[str] = []
    for start in range(0, len(names), _DESCRIBE_BATCH):
        batch = names[start : start + _DESCRIBE_BATCH]
        answer = ecs.describe_services(cluster=cluster, services=batch)
        for service in answer.get("services", []):
            if service.get("status") == "INACTIVE":
                missing.append(service.get("serviceName", "?"))
            else:
                found[service["serviceName"]] = service
        for failure in answer.get("failures", []):
            missing.append(failure.get("arn", "?").rsplit("/", 1)[-1])
    if missing:
        listed = ", ".join(sorted(set(missing)))
        raise UnknownServiceError(
            f"unknown service in cluster {cluster!r}: {listed} "
            "(check the service options, e.g. --scheduler / WORKFLOW_SCHEDULER)"
        )
    return {name: found[name] for name in names if name in found}


def describe_one(ecs: Any, cluster: str, name: str) -> Service:
    """Describe a single service (see `describe`)."""
    return describe(ecs, cluster, [name])[name]


def set_desired_count(ecs: Any, cluster: str, name: str, count: int) -> Service:
    """Scale a service; returns the service as ECS now describes it."""
    return ecs.update_service(cluster=cluster, service=name, desiredCount=count)["service"]


def force_new_deployment(ecs: Any, cluster: str, name: str) -> Service:
    """Start a new deployment of a service (new tasks, same task definition: picks up new images)."""
    return ecs.update_service(cluster=cluster, service=name, forceNewDeployment=True)["service"]


def primary_deployment(service: Service) -> dict[str, Any]:
    """The PRIMARY deployment of a service (ECS always has one), or {}."""
    for deployment in service.get("deployments", []):
        if deployment.get("status") == "PRIMARY":
            return deployment
    return {}


def is_stable(service: Service) -> bool:
    """The botocore `services_stable` rule: one deployment, and running == desired."""
    deployments = service.get("deployments", [])
    return len(deployments) == 1 and service.get("runningCount") == service.get("desiredCount")


def failed_rollout(service: Service) -> str | None:
    """The reason a service's primary deployment failed (circuit breaker), or None."""
    primary = primary_deployment(service)
    if primary.get("rolloutState") == "FAILED":
        reason = primary.get("rolloutStateReason") or "the deployment circuit breaker stopped it"
        return f"the deployment of {service.get('serviceName')} failed: {reason}"
    return None


def active_tasks(ecs: Any, cluster: str, service: str) -> list[dict[str, Any]]:
    """The service's tasks that are not yet STOPPED, including those still shutting down.

    ListTasks filtered on desiredStatus RUNNING misses a task that was told to stop but
    whose container is still running, so both listings are read and described.
    """
    arns: list[str] = []
    for desired in ("RUNNING", "STOPPED"):
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {
                "cluster": cluster,
                "serviceName": service,
                "desiredStatus": desired,
            }
            if token:
                kwargs["nextToken"] = token
            page = ecs.list_tasks(**kwargs)
            arns.extend(page.get("taskArns", []))
            token = page.get("nextToken")
            if not token:
                break
    tasks: list[dict[str, Any]] = []
    for start in range(0, len(arns), 100):
        answer = ecs.describe_tasks(cluster=cluster, tasks=arns[start : start + 100])
        tasks.extend(answer.get("tasks", []))
    return [task for task in tasks if task.get("lastStatus") != "STOPPED"]


def require_positive(count: int) -> int:
    """Desired counts a person types must be at least 1 to start something."""
    if count < 1:
        raise WorkflowError(f"the scheduler count must be at least 1, got {count}")
    return count
