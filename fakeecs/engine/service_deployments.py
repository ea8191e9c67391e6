"""Service deployments and revisions: what ECS reports about each rollout of a service.

The scheduler's Deployments (engine/services.py) do the work; here each one started by
CreateService/UpdateService gets a ServiceRevision (what it runs) and a
ServiceDeployment whose status follows it on the clock: PENDING until the first
scheduler pass, IN_PROGRESS while it rolls out (through the lifecycle stages, pausing
at PAUSE hooks), SUCCESSFUL when the Deployment completes; a circuit breaker failure
gives STOPPED, or ROLLBACK_IN_PROGRESS then ROLLBACK_SUCCESSFUL/FAILED with rollback;
StopServiceDeployment and a hook's ROLLBACK ask for ROLLBACK_REQUESTED, which the next
pass turns into a rollback to the source revision. `advance` runs before and after
every scheduler pass of the service, so a status only moves when the clock does.
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any

from fakeecs.engine import services
from fakeecs.ids import arn as make_arn
from fakeecs.model import Deployment, Service, ServiceDeployment, ServiceRevision
from fakeecs.rules import deployment_stages as stages

if TYPE_CHECKING:
    from fakeecs.engine.core import Engine

_ID_CHARS = string.ascii_letters + string.digits
CIRCUIT_BREAKER_REASON = "ECS deployment circuit breaker: tasks failed to start."


def _resource(service: Service, kind: str, ident: str) -> str:
    cluster = service.cluster_arn.rsplit("/", 1)[-1]
    return make_arn(service.region, f"{kind}/{cluster}/{service.name}/{ident}")


def begin(engine: Engine, service: Service, deployment: Deployment, at: float) -> None:
    """Record the revision `deployment` runs and the service deployment rolling it out.

    Called when CreateService/UpdateService made `deployment` the PRIMARY one; older
    service deployments still under way are STOPPED (superseded), as a new one replaces
    them.
    """
    state = engine.region(service.region)
    revision = ServiceRevision(
        arn=_resource(service, "service-revision", str(engine.rng.randrange(10**18, 10**19))),
        service_arn=service.arn,
        cluster_arn=service.cluster_arn,
        task_definition_arn=deployment.task_definition_arn,
        created_at=at,
        launch_type=deployment.launch_type,
        capacity_provider_strategy=list(deployment.capacity_provider_strategy),
        platform_version=deployment.platform_version,
        network_configuration=deployment.network_configuration,
        echoed={
            k: service.echoed[k]
            for k in ("loadBalancers", "serviceRegistries", "serviceConnectConfiguration")
            if service.echoed.get(k)
        },
    )
    state.service_revisions[revision.arn] = revision
    sources: dict[str, list[str]] = {}
    for old in service.deployments:
        if old is not deployment and old.revision_arn is not None:
            sources.setdefault(old.revision_arn, []).append(old.id)
    ident = "".join(engine.rng.choice(_ID_CHARS) for _ in range(21))
    sd = ServiceDeployment(
        arn=_resource(service, "service-deployment", ident),
        service_arn=service.arn,
        cluster_arn=service.cluster_arn,
        created_at=at,
        updated_at=at,
        deployment_id=deployment.id,
        target_revision_arn=revision.arn,
        sources=[{"arn": a, "deploymentIds": ids} for a, ids in sources.items()],
        configuration=configuration(service),
        hooks=stages.hooks_from(service.echoed.get("lifecycleHooks")),
        circuit_breaker_threshold=services.failure_threshold(service.desired_count),
    )
    for earlier in of_service(engine, service):
        if earlier.status in stages.ONGOING:
            _finish(engine, service, earlier, "STOPPED", at, f"Superseded by {sd.arn}.")
    state.service_deployments[sd.arn] = sd
    deployment.revision_arn = revision.arn
    deployment.service_deployment_arn = sd.arn


def configuration(service: Service) -> dict[str, Any]:
    """deploymentConfiguration as the service had it when the deployment began."""
    out: dict[str, Any] = {
        "deploymentCircuitBreaker": dict(service.circuit_breaker),
        "maximumPercent": service.maximum_percent,
        "minimumHealthyPercent": service.minimum_healthy_percent,
    }
    if service.echoed.get("lifecycleHooks"):
        out["lifecycleHooks"] = service.echoed["lifecycleHooks"]
    return out


def of_service(engine: Engine, service: Service) -> list[ServiceDeployment]:
    """The service's deployments, newest first."""
    found = [
        sd
        for sd in engine.region(service.region).service_deployments.values()
        if sd.service_arn == service.arn
    ]
    return sorted(found, key=lambda sd: sd.created_at, reverse=True)


def forget(engine: Engine, service: Service) -> None:
    """A forgotten service takes its deployments and revisions with it, as in ECS."""
    state = engine.region(service.region)
    for table in (state.service_deployments, state.service_revisions):
        for key in [k for k, v in table.items() if v.service_arn == service.arn]:
            del table[key]


# counts ----------------------------------------------------------------------------


def revision_counts(
    engine: Engine, service: Service, sd: ServiceDeployment
) -> dict[str, dict[str, int]]:
    """requested/running/pending task counts of each revision the deployment involves."""
    if sd.final_counts is not None:
        return sd.final_counts
    tasks = services.tasks_of(engine, service)
    primary_id = service.deployments[0].id if service.deployments else None

    def count(revision: str, ids: list[str]) -> dict[str, int]:
        mine = [t for t in tasks if t.deployment_id in ids]
        running, pending = services.counts(mine)
        return {
            "requestedTaskCount": service.desired_count if primary_id in ids else 0,
            "runningTaskCount": running,
            "pendingTaskCount": pending,
        }

    out = {sd.target_revision_arn: count(sd.target_revision_arn, [sd.deployment_id])}
    for source in sd.sources:
        ids = list(source["deploymentIds"])
        if (
            sd.rollback_deployment_id
            and sd.rollback
            and sd.rollback["serviceRevisionArn"] == source["arn"]
        ):
            ids.append(sd.rollback_deployment_id)
        out[source["arn"]] = count(source["arn"], ids)
    return out


def failed_tasks(engine: Engine, service: Service, sd: ServiceDeployment) -> int:
    return sum(
        1
        for t in services.tasks_of(engine, service)
        if t.deployment_id == sd.deployment_id and t.stop_code == "TaskFailedToStart"
    )


# moving on the clock ------------------------------------------------------------------


def advance(engine: Engine, service: Service, at: float) -> None:
    """Move the service's ongoing deployments on, as the scheduler pass at `at` leaves them."""
    for sd in of_service(engine, service):
        if sd.status in stages.ONGOING:
            _advance_one(engine, service, sd, at)


def _deployment(service: Service, ident: str | None) -> Deployment | None:
    return next((d for d in service.deployments if d.id == ident), None)


def _advance_one(engine: Engine, service: Service, sd: ServiceDeployment, at: float) -> None:
    target = _deployment(service, sd.deployment_id)
    if sd.status == "PENDING":
        sd.status, sd.started_at, sd.updated_at = "IN_PROGRESS", at, at
        sd.lifecycle_stage = stages.first_stage(len(sd.sources))
    if sd.status == "ROLLBACK_REQUESTED":
        _start_rollback(engine, service, sd, at)
    if sd.status == "IN_PROGRESS":
        if target is not None and target.rollout_state == "FAILED":
            rollback = next(
                (
                    d
                    for d in service.deployments
                    if d.service_deployment_arn == sd.arn and d is not target
                ),
                None,
            )
            if rollback is None:
                _finish(engine, service, sd, "STOPPED", at, CIRCUIT_BREAKER_REASON)
                return
            sd.rollback_deployment_id = rollback.id
            sd.rollback = {
                "reason": CIRCUIT_BREAKER_REASON,
                "startedAt": at,
                "serviceRevisionArn": rollback.revision_arn,
            }
            sd.status, sd.status_reason, sd.updated_at = (
                "ROLLBACK_IN_PROGRESS",
                CIRCUIT_BREAKER_REASON,
                at,
            )
        else:
            _walk_stages(engine, service, sd, target, at)
            if target is not None and target.rollout_state == "COMPLETED":
                _finish(engine, service, sd, "SUCCESSFUL", at, None)
            return
    if sd.status == "ROLLBACK_IN_PROGRESS":
        rollback = _deployment(service, sd.rollback_deployment_id)
        if rollback is not None and rollback.rollout_state == "COMPLETED":
            _finish(engine, service, sd, "ROLLBACK_SUCCESSFUL", at, sd.status_reason)
        elif rollback is not None and rollback.rollout_state == "FAILED":
            _finish(engine, service, sd, "ROLLBACK_FAILED", at, sd.status_reason)


def _walk_stages(
    engine: Engine, service: Service, sd: ServiceDeployment, target: Deployment | None, at: float
) -> None:
    """Pass the lifecycle stages the rollout has reached; stop at a PAUSE hook."""
    hook = stages.awaiting(sd)
    if hook is not None:
        if hook["expiresAt"] is not None and at >= hook["expiresAt"]:
            hook["status"] = "TIMED_OUT"
            _resolve(engine, service, sd, hook, hook["timeoutAction"], at)
        return
    while sd.lifecycle_stage is not None:
        stage = sd.lifecycle_stage
        waiting = [h for h in sd.hooks if stage in h["stages"] and stage not in h["done"]]
        for h in waiting:
            if h["targetType"] != "PAUSE":  # a Lambda hook is reported, not invoked: it succeeds
                h["done"].append(stage)
                h["status"] = "SUCCEEDED"
                continue
            h.update(
                status="AWAITING_ACTION",
                stage=stage,
                hookId=f"{h['index']}-{stage}",
                expiresAt=at + h["timeoutMinutes"] * 60.0 if h["timeoutMinutes"] else None,
            )
            sd.updated_at = at
            if h["expiresAt"] is not None:
                services.wake_at_time(engine, service, h["expiresAt"])
            return
        if stage == "SCALE_UP" and not _scaled_up(engine, service, target):
            return
        following = stages.next_stage(stage)
        if following is None or stage == "CLEAN_UP":
            return
        sd.lifecycle_stage, sd.updated_at = following, at
        if following == "CLEAN_UP":
            services.wake(engine, service, at + services.SCHEDULER_DELAY)


def _scaled_up(engine: Engine, service: Service, target: Deployment | None) -> bool:
    if target is None or target is not service.deployments[0]:
        return False
    mine = [t for t in services.tasks_of(engine, service) if t.deployment_id == target.id]
    running, pending = services.counts(mine)
    return running >= service.desired_count and pending == 0


def _resolve(
    engine: Engine,
    service: Service,
    sd: ServiceDeployment,
    hook: dict[str, Any],
    action: str,
    at: float,
) -> None:
    hook["done"].append(hook["stage"])
    if hook["status"] == "AWAITING_ACTION":
        hook["status"] = "SUCCEEDED" if action == "CONTINUE" else "FAILED"
    sd.updated_at = at
    if action == "ROLLBACK":
        request_rollback(engine, service, sd, "Rolled back by a lifecycle hook.", at)
    services.wake(engine, service, at + services.SCHEDULER_DELAY)


def continue_at_hook(
    engine: Engine,
    service: Service,
    sd: ServiceDeployment,
    hook: dict[str, Any],
    action: str,
    at: float,
) -> None:
    """ContinueServiceDeployment: the paused hook goes on (CONTINUE) or rolls back."""
    _resolve(engine, service, sd, hook, action, at)


def request_rollback(
    engine: Engine, service: Service, sd: ServiceDeployment, reason: str, at: float
) -> None:
    """StopServiceDeployment ROLLBACK: the next scheduler pass rolls back to the source revision."""
    sd.status, sd.status_reason, sd.updated_at = "ROLLBACK_REQUESTED", reason, at
    for hook in sd.hooks:  # a paused hook is over: the deployment goes back instead
        if hook["status"] == "AWAITING_ACTION":
            hook["status"] = "FAILED"
    services.wake(engine, service, at + services.SCHEDULER_DELAY)


def _start_rollback(engine: Engine, service: Service, sd: ServiceDeployment, at: float) -> None:
    if not sd.sources:  # the service's first deployment: nothing to go back to
        _finish(engine, service, sd, "ROLLBACK_FAILED", at, "There is no earlier service revision.")
        return
    revision = engine.region(service.region).service_revisions[sd.sources[0]["arn"]]
    rollback = Deployment(
        id=services.new_deployment_id(engine),
        task_definition_arn=revision.task_definition_arn,
        desired_count=service.desired_count,
        launch_type=revision.launch_type,
        created_at=at,
        updated_at=at,
        network_configuration=revision.network_configuration,
        platform_version=revision.platform_version,
        capacity_provider_strategy=list(revision.capacity_provider_strategy),
        revision_arn=revision.arn,
        service_deployment_arn=sd.arn,
    )
    services.take_over(engine, service, rollback, f"service revision {revision.arn}", at)
    sd.rollback_deployment_id = rollback.id
    sd.rollback = {"reason": sd.status_reason, "startedAt": at, "serviceRevisionArn": revision.arn}
    sd.status, sd.updated_at = "ROLLBACK_IN_PROGRESS", at


def _finish(
    engine: Engine,
    service: Service,
    sd: ServiceDeployment,
    status: str,
    at: float,
    reason: str | None,
) -> None:
    sd.final_counts = None
    sd.final_counts = revision_counts(engine, service, sd)
    sd.status, sd.status_reason, sd.updated_at, sd.finished_at = status, reason, at, at
    if status == "STOPPED":
        sd.stopped_at = at
    if status == "SUCCESSFUL":
        sd.lifecycle_stage = None
