"""Service deployments and revisions: ListServiceDeployments, DescribeServiceDeployments,
DescribeServiceRevisions, StopServiceDeployment, ContinueServiceDeployment.

What they show is kept by engine/service_deployments.py as the scheduler rolls a
service out; these operations read it, or ask for a rollback or for a paused lifecycle
hook to go on, which the next scheduler pass (a second later on the clock) carries out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fakeecs import errors
from fakeecs.api.registry import CallContext, operation
from fakeecs.engine import service_deployments as tracking
from fakeecs.engine import service_lookup, services
from fakeecs.errors import ECSError
from fakeecs.model import Service, ServiceDeployment, ServiceRevision
from fakeecs.rules import deployment_stages, service_requests
from fakeecs.rules.describing import describe_each
from fakeecs.rules.paging import page, with_token
from fakeecs.rules.service_requests import launch_fields

AREA = "Service deployments"
#: DescribeServiceDeployments and DescribeServiceRevisions take at most this many ARNs.
MAX_ARNS = 20


def _not_found(arn: str) -> ECSError:
    return ECSError(
        "ServiceDeploymentNotFoundException",
        f"The service deployment {arn} does not exist. "
        "ListServiceDeployments lists the deployments of a service.",
    )


def _service_of(ctx: CallContext, sd: ServiceDeployment | ServiceRevision) -> Service | None:
    return services.find(ctx.engine, sd.service_arn)


def _deployment(ctx: CallContext, arn: str) -> tuple[ServiceDeployment, Service]:
    sd = ctx.engine.region(ctx.region).service_deployments.get(arn)
    service = _service_of(ctx, sd) if sd is not None else None
    if sd is None or service is None:
        raise _not_found(arn)
    return sd, service


def _timestamp(value: Any) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


# shapes ----------------------------------------------------------------------------


def _brief(sd: ServiceDeployment) -> dict[str, Any]:
    out: dict[str, Any] = {
        "serviceDeploymentArn": sd.arn,
        "serviceArn": sd.service_arn,
        "clusterArn": sd.cluster_arn,
        "createdAt": sd.created_at,
        "targetServiceRevisionArn": sd.target_revision_arn,
        "status": sd.status,
    }
    for key, value in (
        ("startedAt", sd.started_at),
        ("finishedAt", sd.finished_at),
        ("statusReason", sd.status_reason),
    ):
        if value is not None:
            out[key] = value
    return out


def _hook_detail(hook: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "hookId": hook["hookId"],
        "targetType": hook["targetType"],
        "status": hook["status"],
        "timeoutAction": hook["timeoutAction"],
    }
    if hook["targetArn"]:
        out["targetArn"] = hook["targetArn"]
    if hook["expiresAt"] is not None:
        out["expiresAt"] = hook["expiresAt"]
    return out


def deployment_dict(ctx: CallContext, sd: ServiceDeployment, service: Service) -> dict[str, Any]:
    counts = tracking.revision_counts(ctx.engine, service, sd)
    out = _brief(sd)
    del out["targetServiceRevisionArn"]
    out["updatedAt"] = sd.updated_at
    out["sourceServiceRevisions"] = [
        {"arn": s["arn"], **counts[s["arn"]]} for s in sd.sources if s["arn"] in counts
    ]
    out["targetServiceRevision"] = {"arn": sd.target_revision_arn, **counts[sd.target_revision_arn]}
    out["deploymentConfiguration"] = sd.configuration
    breaker = sd.configuration.get("deploymentCircuitBreaker") or {}
    out["deploymentCircuitBreaker"] = {
        "status": _breaker_status(sd, breaker),
        "failureCount": tracking.failed_tasks(ctx.engine, service, sd),
        "threshold": sd.circuit_breaker_threshold,
    }
    out["alarms"] = {"status": "DISABLED"}
    if sd.stopped_at is not None:
        out["stoppedAt"] = sd.stopped_at
    if sd.lifecycle_stage is not None:
        out["lifecycleStage"] = deployment_stages.shown_stage(sd.lifecycle_stage)
    details = [_hook_detail(h) for h in sd.hooks if h["hookId"] is not None]
    if details:
        out["lifecycleHookDetails"] = details
    if sd.rollback is not None:
        out["rollback"] = sd.rollback
    return out


def _breaker_status(sd: ServiceDeployment, breaker: dict[str, Any]) -> str:
    if not breaker.get("enable"):
        return "DISABLED"
    if sd.status_reason == tracking.CIRCUIT_BREAKER_REASON:
        return "TRIGGERED"
    return "MONITORING" if sd.status in deployment_stages.ONGOING else "MONITORING_COMPLETE"


def revision_dict(revision: ServiceRevision) -> dict[str, Any]:
    out: dict[str, Any] = {
        "serviceRevisionArn": revision.arn,
        "serviceArn": revision.service_arn,
        "clusterArn": revision.cluster_arn,
        "taskDefinition": revision.task_definition_arn,
        "createdAt": revision.created_at,
        "guardDutyEnabled": False,
    }
    launch_fields(out, revision.launch_type, revision.capacity_provider_strategy)
    if revision.launch_type == "FARGATE":
        out["platformVersion"] = revision.platform_version or service_requests.DEFAULT_PLATFORM
        out["platformFamily"] = "Linux"
    if revision.network_configuration is not None:
        out["networkConfiguration"] = revision.network_configuration
    out.update(revision.echoed)
    return out


# operations ------------------------------------------------------------------------


@operation("ListServiceDeployments", area=AREA, notes="newest first; status and createdAt filters")
def list_service_deployments(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    service = service_lookup.lookup(state, cluster, params["service"])
    if service is None or service.status == "INACTIVE":
        raise service_requests.not_found()
    wanted = set(params.get("status") or [])
    window = params.get("createdAt") or {}
    after = _timestamp(window["after"]) if "after" in window else None
    before = _timestamp(window["before"]) if "before" in window else None
    found = [
        _brief(sd)
        for sd in tracking.of_service(ctx.engine, service)
        if (not wanted or sd.status in wanted)
        and (after is None or sd.created_at >= after)
        and (before is None or sd.created_at <= before)
    ]
    chunk, token = page(found, params, limit=100, default=20)
    return with_token({"serviceDeployments": chunk}, token)


def _check_arns(arns: list[str], what: str) -> None:
    if not arns:
        raise errors.invalid_parameter(f"{what} cannot be empty.")
    if len(arns) > MAX_ARNS:
        raise errors.invalid_parameter(f"{what} cannot have more than {MAX_ARNS} elements.")


@operation("DescribeServiceDeployments", area=AREA, notes="up to 20 ARNs; unknown ones MISSING")
def describe_service_deployments(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    arns = params["serviceDeploymentArns"]
    _check_arns(arns, "serviceDeploymentArns")
    state = ctx.engine.region(ctx.region)

    def find(arn: str) -> tuple[ServiceDeployment, Service] | None:
        sd = state.service_deployments.get(arn)
        service = _service_of(ctx, sd) if sd is not None else None
        return (sd, service) if sd is not None and service is not None else None

    found, failures = describe_each(
        arns, find, lambda pair: deployment_dict(ctx, *pair), lambda arn: arn
    )
    return {"serviceDeployments": found, "failures": failures}


@operation("DescribeServiceRevisions", area=AREA, notes="up to 20 ARNs; unknown ones MISSING")
def describe_service_revisions(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    arns = params["serviceRevisionArns"]
    _check_arns(arns, "serviceRevisionArns")
    revisions = ctx.engine.region(ctx.region).service_revisions
    found, failures = describe_each(arns, revisions.get, revision_dict, lambda arn: arn)
    return {"serviceRevisions": found, "failures": failures}


@operation(
    "StopServiceDeployment",
    area=AREA,
    notes="ROLLBACK (the default) to the source revision on the next scheduler pass; ABORT refused",
)
def stop_service_deployment(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["serviceDeploymentArn"]
    if params.get("stopType", "ROLLBACK") != "ROLLBACK":
        raise errors.invalid_parameter(
            "fakeecs supports the ROLLBACK stop type only (ABORT applies to blue/green "
            "deployments, which it does not emulate)."
        )
    sd, service = _deployment(ctx, arn)
    if sd.status in ("ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "STOP_REQUESTED"):
        return {"serviceDeploymentArn": arn}  # already going back: it continues
    if sd.status in deployment_stages.TERMINAL:
        raise errors.conflict(
            f"The service deployment is {sd.status} and can no longer be stopped.", [arn]
        )
    if not sd.sources:
        raise errors.conflict(
            "The service deployment has no source service revision to roll back to "
            "(it is the first deployment of the service).",
            [arn],
        )
    tracking.request_rollback(
        ctx.engine, service, sd, "Rolled back by StopServiceDeployment.", ctx.engine.now()
    )
    return {"serviceDeploymentArn": arn}


@operation(
    "ContinueServiceDeployment",
    area=AREA,
    notes="CONTINUE or ROLLBACK at a PAUSE lifecycle hook; the hookId DescribeServiceDeployments shows",
)
def continue_service_deployment(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["serviceDeploymentArn"]
    sd, service = _deployment(ctx, arn)
    hook = deployment_stages.awaiting(sd)
    if hook is None:
        raise errors.invalid_parameter(
            f"The service deployment is {sd.status} and not paused at a lifecycle hook."
        )
    if params["hookId"] != hook["hookId"]:
        raise errors.invalid_parameter(
            f"The service deployment is paused at lifecycle hook {hook['hookId']}, "
            f"not {params['hookId']}."
        )
    action = params.get("action", "CONTINUE")
    if action == "ROLLBACK" and not sd.sources:
        raise errors.invalid_parameter(
            "The service deployment has no source service revision to roll back to."
        )
    tracking.continue_at_hook(ctx.engine, service, sd, hook, action, ctx.engine.now())
    return {"serviceDeploymentArn": arn}
