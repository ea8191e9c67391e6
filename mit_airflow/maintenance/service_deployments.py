"""ECS service deployments of the Airflow services: how far each rollout got, and rolling one back.

Every UpdateService that changes what runs (a redeploy forces one per service) is a
service deployment in ECS, with a status (IN_PROGRESS, SUCCESSFUL, ROLLBACK_...) and
task counts for the revision being deployed and the one it replaces. `status` and
`redeploy` show them; `rollback` stops one with ROLLBACK (ECS starts the previous
revision again).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from mit_airflow.maintenance.errors import WorkflowError

ServiceDeployment = dict[str, Any]

#: Still moving: a rollback may be asked for (ECS accepts StopServiceDeployment then).
ONGOING = frozenset({"PENDING", "IN_PROGRESS"})
#: Finished without the deployment's revision running.
FAILED = frozenset({"STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"})


def latest(ecs: Any, cluster: str, service: str) -> ServiceDeployment | None:
    """The service's newest service deployment, described; None when ECS has none to show.

    Accounts or endpoints without service deployments (an IAM policy without
    ecs:ListServiceDeployments, an older ECS-compatible endpoint) give None, not an error:
    the rest of the CLI works from DescribeServices alone.
    """
    try:
        found = ecs.list_service_deployments(cluster=cluster, service=service, maxResults=1)
        briefs = found.get("serviceDeployments") or []
        if not briefs:
            return None
        described = ecs.describe_service_deployments(
            serviceDeploymentArns=[briefs[0]["serviceDeploymentArn"]]
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in (
            "AccessDeniedException",
            "UnknownOperationException",
            "UnsupportedFeatureException",
        ):
            return None
        raise
    deployments = described.get("serviceDeployments") or []
    return deployments[0] if deployments else None


def summary(deployment: ServiceDeployment | None) -> str:
    """One line: status, the new revision's running/requested tasks, the old one's, the stage."""
    if deployment is None:
        return "-"
    status = deployment.get("status", "?")
    target = deployment.get("targetServiceRevision") or {}
    parts = [
        f"{status.lower()} {target.get('runningTaskCount', 0)}/{target.get('requestedTaskCount', 0)}"
    ]
    old = sum(s.get("runningTaskCount", 0) for s in deployment.get("sourceServiceRevisions") or [])
    if old and status not in ("SUCCESSFUL",):
        parts.append(f"old {old}")
    stage = deployment.get("lifecycleStage")
    if stage and status in ONGOING:
        parts.append(stage.lower())
    paused = [
        h
        for h in deployment.get("lifecycleHookDetails") or []
        if h.get("status") == "AWAITING_ACTION"
    ]
    if paused:
        parts.append(f"paused at hook {paused[0].get('hookId')}")
    if deployment.get("statusReason") and status not in ONGOING | {"SUCCESSFUL"}:
        parts.append(f"({deployment['statusReason']})")
    return " ".join(parts)


def failure(service: str, deployment: ServiceDeployment | None) -> str | None:
    """Why the service's deployment ended without its new revision running, or None."""
    if deployment is None or deployment.get("status") not in FAILED:
        return None
    reason = deployment.get("statusReason") or "no reason given"
    return f"the deployment of {service} ended {deployment['status']}: {reason}"


def roll_back(ecs: Any, cluster: str, service: str) -> ServiceDeployment:
    """Stop the service's deployment in progress with ROLLBACK; returns it as it was."""
    deployment = latest(ecs, cluster, service)
    if deployment is None or deployment.get("status") not in ONGOING:
        state = "no service deployment" if deployment is None else deployment.get("status")
        raise WorkflowError(
            f"{service} has no deployment in progress to roll back (latest: {state}); "
            "`workflow status` shows each service's latest deployment"
        )
    try:
        ecs.stop_service_deployment(
            serviceDeploymentArn=deployment["serviceDeploymentArn"], stopType="ROLLBACK"
        )
    except ClientError as exc:
        message = exc.response.get("Error", {}).get("Message", str(exc))
        raise WorkflowError(f"ECS refused to roll back {service}: {message}") from None
    return deployment


def describe(ecs: Any, arns: list[str]) -> dict[str, ServiceDeployment]:
    """Service deployments by ARN (ECS takes up to 20 per call)."""
    found: dict[str, ServiceDeployment] = {}
    for start in range(0, len(arns), 20):
        answer = ecs.describe_service_deployments(serviceDeploymentArns=arns[start : start + 20])
        for deployment in answer.get("serviceDeployments") or []:
            found[deployment["serviceDeploymentArn"]] = deployment
    return found
