"""Daemons: CreateDaemon, UpdateDaemon, DeleteDaemon, DescribeDaemon, ListDaemons,
DescribeDaemonDeployments, ListDaemonDeployments, DescribeDaemonRevisions.

These record what was asked (a revision: the daemon's settings as of the call, and a
deployment that rolls it out); the scheduler (engine/daemons.py) starts and stops the
daemon's tasks as the clock moves, one second after the call at the earliest.
"""

from __future__ import annotations

from typing import Any

from fakeecs import errors
from fakeecs.api.capacity_providers import provider_arn
from fakeecs.api.daemon_task_definitions import resolve
from fakeecs.api.registry import CallContext, operation
from fakeecs.engine import daemons as scheduler
from fakeecs.engine.capacity_clusters import associated_cluster
from fakeecs.engine.state import RegionState
from fakeecs.engine.task_requests import check_client_token
from fakeecs.errors import ECSError
from fakeecs.ids import arn, hex_id
from fakeecs.model import Cluster, Daemon, DaemonDeployment, DaemonRevision
from fakeecs.rules import daemons as rules
from fakeecs.rules.describing import describe_each
from fakeecs.rules.paging import page, with_token
from fakeecs.rules.tagging import check_tags

NOT_FOUND = (
    "The specified daemon wasn't found. You can view your available daemons with ListDaemons."
)
NOT_ACTIVE = (
    "The specified daemon isn't active. You can't update a daemon that's inactive. If you have "
    "previously deleted a daemon, you can re-create it with CreateDaemon."
)


def _not_found() -> ECSError:
    return ECSError("DaemonNotFoundException", NOT_FOUND)


def _cluster_of(state: RegionState, daemon_arn: str) -> Cluster:
    """The cluster a daemon ARN names (ClusterNotFoundException when it is gone)."""
    resource = daemon_arn.split(":", 5)[-1] if daemon_arn.startswith("arn:") else ""
    kind, _, rest = resource.partition("/")
    cluster_name, _, name = rest.partition("/")
    if kind != "daemon" or not cluster_name or not name or "/" in name:
        raise errors.invalid_parameter(
            f"Invalid daemon ARN {daemon_arn}: use arn:aws:ecs:REGION:ACCOUNT:daemon/CLUSTER/NAME."
        )
    return state.cluster(cluster_name)


def _daemon(state: RegionState, daemon_arn: str) -> Daemon:
    _cluster_of(state, daemon_arn)
    daemon = state.daemons.get(daemon_arn)
    if daemon is None:
        raise _not_found()
    return daemon


def _active_daemon(state: RegionState, daemon_arn: str) -> Daemon:
    daemon = _daemon(state, daemon_arn)
    if daemon.status != "ACTIVE":
        raise ECSError("DaemonNotActiveException", NOT_ACTIVE)
    return daemon


def _providers(state: RegionState, cluster: Cluster, refs: list[str]) -> list[str]:
    """The capacity providers a daemon may run on: ACTIVE ones associated with its cluster."""
    names = rules.provider_names(refs)
    for name in names:
        provider = state.capacity_providers.get(name)
        if provider is None or provider.status != "ACTIVE":
            raise errors.invalid_parameter(
                f"The specified capacity provider {name} was not found. Specify a valid capacity "
                "provider and try again."
            )
        if associated_cluster(state, name) is not cluster:
            raise errors.invalid_parameter(
                f"The specified capacity provider {name} is not associated with the cluster "
                f"{cluster.name}. Add it with PutClusterCapacityProviders and try again."
            )
    return names


def _task_definition_arn(state: RegionState, ref: str) -> str:
    td = resolve(state, ref)
    if td.status != "ACTIVE":
        raise errors.client_error(
            f"The daemon task definition {td.arn} is {td.status}: use an ACTIVE one."
        )
    return td.arn


def _new_revision(
    ctx: CallContext,
    daemon: Daemon,
    td_arn: str,
    params: dict[str, Any],
    previous: DaemonRevision | None,
) -> DaemonRevision:
    """A snapshot of the daemon's settings: those given, else the previous revision's."""
    state = ctx.engine.region(ctx.region)
    td = state.daemon_task_definitions[td_arn]

    def setting(name: str, attr: str, default: Any) -> Any:
        if params.get(name) is not None:
            return params[name]
        return getattr(previous, attr) if previous is not None else default

    revision = DaemonRevision(
        arn=daemon.arn.replace(":daemon/", ":daemon-revision/") + f"/{hex_id(ctx.engine.rng, 20)}",
        daemon_arn=daemon.arn,
        cluster_arn=daemon.cluster_arn,
        task_definition_arn=td_arn,
        created_at=ctx.engine.now(),
        container_images=[
            {"containerName": c["name"], "image": c["image"]}
            for c in td.body["containerDefinitions"]
        ],
        propagate_tags=setting("propagateTags", "propagate_tags", "NONE"),
        enable_managed_tags=setting("enableECSManagedTags", "enable_managed_tags", False),
        enable_execute_command=setting("enableExecuteCommand", "enable_execute_command", False),
        critical=setting("critical", "critical", True),
    )
    state.daemon_revisions[revision.arn] = revision
    return revision


def _new_deployment(
    ctx: CallContext, daemon: Daemon, target: str | None, sources: list[str]
) -> DaemonDeployment:
    """A deployment of `target` (None: the daemon goes away); it supersedes any running one."""
    state = ctx.engine.region(ctx.region)
    now = ctx.engine.now()
    previous = state.daemon_deployments.get(daemon.deployment_arn)
    if previous is not None and previous.status in scheduler.ACTIVE_DEPLOYMENT:
        previous.status, previous.stopped_at = "STOPPED", now
        previous.status_reason = "Stopped: a newer deployment of the daemon superseded it."
    deployment = DaemonDeployment(
        arn=daemon.arn.replace(":daemon/", ":daemon-deployment/")
        + f"/{hex_id(ctx.engine.rng, 20)}",
        daemon_arn=daemon.arn,
        cluster_arn=daemon.cluster_arn,
        target_revision_arn=target,
        source_revision_arns=sources,
        capacity_providers=list(daemon.capacity_providers),
        configuration=dict(daemon.deployment_configuration),
        created_at=now,
    )
    state.daemon_deployments[deployment.arn] = deployment
    daemon.deployment_arn = deployment.arn
    daemon.updated_at = now
    scheduler.wake(ctx.engine, daemon, now + scheduler.DELAY)
    return deployment


def _change(daemon: Daemon, deployment: DaemonDeployment) -> dict[str, Any]:
    return {
        "daemonArn": daemon.arn,
        "status": daemon.status,
        "createdAt": daemon.created_at,
        "updatedAt": daemon.updated_at,
        "deploymentArn": deployment.arn,
    }


def _sources(state: RegionState, daemon: Daemon) -> list[str]:
    """The revisions a new deployment moves away from: those of the daemon's live tasks, and
    its current one."""
    found = [daemon.revision_arn]
    for task in scheduler.live(scheduler.tasks_of(state, daemon)):
        if task.daemon_revision_arn and task.daemon_revision_arn not in found:
            found.append(task.daemon_revision_arn)
    return found


@operation(
    "CreateDaemon",
    area="Daemons",
    notes="Auto Scaling group capacity providers stand in for Managed Instances ones.",
)
def create_daemon(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("clusterArn"))
    name = params["daemonName"]
    rules.check_name(name)
    token = params.get("clientToken")
    check_client_token(token, longest=36)
    daemon_arn = arn(ctx.region, f"daemon/{cluster.name}/{name}")
    existing = state.daemons.get(daemon_arn)
    if existing is not None:
        if token is not None and existing.client_token == f"{token}:{rules.fingerprint(params)}":
            return _change(existing, state.daemon_deployments[existing.deployment_arn])
        if existing.status == "DELETE_IN_PROGRESS":
            raise errors.invalid_parameter(
                f"The daemon {name} is still being deleted: wait until it is gone and try again."
            )
        raise errors.invalid_parameter("Creation of daemon was not idempotent.")
    td_arn = _task_definition_arn(state, params["daemonTaskDefinitionArn"])
    providers = _providers(state, cluster, params["capacityProviderArns"])
    now = ctx.engine.now()
    daemon = Daemon(
        name=name,
        arn=daemon_arn,
        cluster_arn=cluster.arn,
        created_at=now,
        updated_at=now,
        capacity_providers=providers,
        revision_arn="",
        deployment_arn="",
        deployment_configuration=rules.deployment_configuration(
            params.get("deploymentConfiguration")
        ),
        tags=check_tags(params.get("tags")),
        client_token=None if token is None else f"{token}:{rules.fingerprint(params)}",
    )
    revision = _new_revision(ctx, daemon, td_arn, params, None)
    daemon.revision_arn = revision.arn
    state.daemons[daemon.arn] = daemon
    deployment = _new_deployment(ctx, daemon, revision.arn, [])
    out = _change(daemon, deployment)
    del out["updatedAt"]
    return out


@operation(
    "UpdateDaemon",
    area="Daemons",
    notes="A new revision and deployment; tasks replaced in place (no instance drained).",
)
def update_daemon(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    daemon = _active_daemon(state, params["daemonArn"])
    cluster = state.cluster(daemon.cluster_arn)
    td_arn = _task_definition_arn(state, params["daemonTaskDefinitionArn"])
    providers = _providers(state, cluster, params["capacityProviderArns"])
    config = rules.deployment_configuration(
        params.get("deploymentConfiguration"), daemon.deployment_configuration
    )
    sources = _sources(state, daemon)
    previous = state.daemon_revisions[daemon.revision_arn]
    daemon.capacity_providers = providers
    daemon.deployment_configuration = config
    revision = _new_revision(ctx, daemon, td_arn, params, previous)
    daemon.revision_arn = revision.arn
    deployment = _new_deployment(ctx, daemon, revision.arn, sources)
    return _change(daemon, deployment)


@operation(
    "DeleteDaemon",
    area="Daemons",
    notes="Stops the daemon's tasks; the daemon is forgotten once they stopped.",
)
def delete_daemon(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    daemon = _active_daemon(state, params["daemonArn"])
    daemon.status = "DELETE_IN_PROGRESS"
    deployment = _new_deployment(ctx, daemon, None, _sources(state, daemon))
    return _change(daemon, deployment)


def _revision_detail(state: RegionState, daemon: Daemon, revision_arn: str) -> dict[str, Any]:
    counts = scheduler.revision_counts(state, daemon.arn, daemon.capacity_providers, revision_arn)
    providers = [
        {
            "arn": provider_arn(state.name, name),
            "runningCount": c["running"],
            "withoutDaemonCount": c["without"],
        }
        for name, c in counts.items()
    ]
    return {
        "arn": revision_arn,
        "capacityProviders": providers,
        "totalRunningCount": sum(p["runningCount"] for p in providers),
        "totalWithoutDaemonCount": sum(p["withoutDaemonCount"] for p in providers),
    }


@operation("DescribeDaemon", area="Daemons")
def describe_daemon(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    daemon = _daemon(state, params["daemonArn"])
    revisions = [daemon.revision_arn] + [
        r for r in _sources(state, daemon) if r != daemon.revision_arn
    ]
    return {
        "daemon": {
            "daemonArn": daemon.arn,
            "clusterArn": daemon.cluster_arn,
            "status": daemon.status,
            "currentRevisions": [_revision_detail(state, daemon, r) for r in revisions],
            "deploymentArn": daemon.deployment_arn,
            "createdAt": daemon.created_at,
            "updatedAt": daemon.updated_at,
        }
    }


@operation("ListDaemons", area="Daemons")
def list_daemons(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("clusterArn"))
    wanted = (
        set(rules.provider_names(params["capacityProviderArns"]))
        if params.get("capacityProviderArns")
        else None
    )
    found = sorted(
        (
            d
            for d in state.daemons.values()
            if d.cluster_arn == cluster.arn
            and (wanted is None or wanted & set(d.capacity_providers))
        ),
        key=lambda d: d.arn,
    )
    summaries = [
        {
            "daemonArn": d.arn,
            "status": d.status,
            "createdAt": d.created_at,
            "updatedAt": d.updated_at,
        }
        for d in found
    ]
    chunk, token = page(summaries, params)
    return with_token({"daemonSummariesList": chunk}, token)


def _deployment_revision(
    state: RegionState, deployment: DaemonDeployment, revision_arn: str
) -> dict[str, Any]:
    counts = scheduler.revision_counts(
        state, deployment.daemon_arn, deployment.capacity_providers, revision_arn
    )
    providers = [
        {
            "arn": provider_arn(state.name, name),
            "runningInstanceCount": c["running"],
            "withoutDaemonInstanceCount": c["without"],
            "drainingInstanceCount": c["draining"],
        }
        for name, c in counts.items()
    ]
    return {
        "arn": revision_arn,
        "capacityProviders": providers,
        "totalRunningInstanceCount": sum(p["runningInstanceCount"] for p in providers),
        "totalWithoutDaemonInstanceCount": sum(p["withoutDaemonInstanceCount"] for p in providers),
        "totalDrainingInstanceCount": sum(p["drainingInstanceCount"] for p in providers),
    }


def _times(deployment: DaemonDeployment) -> dict[str, Any]:
    out: dict[str, Any] = {"createdAt": deployment.created_at}
    for key, value in (
        ("startedAt", deployment.started_at),
        ("stoppedAt", deployment.stopped_at),
        ("finishedAt", deployment.finished_at),
    ):
        if value is not None:
            out[key] = value
    return out


def _monitors(state: RegionState, deployment: DaemonDeployment) -> dict[str, Any]:
    """The circuit breaker (always on) and the alarms (never fire: fakeecs has no CloudWatch)."""
    done = deployment.status not in scheduler.ACTIVE_DEPLOYMENT
    tripped = deployment.status_reason is not None and "circuit breaker" in deployment.status_reason
    breaker = "TRIGGERED" if tripped else "MONITORING_COMPLETE" if done else "MONITORING"
    threshold = scheduler.failure_threshold(
        len(
            scheduler.instances_of(
                state, deployment.cluster_arn, deployment.capacity_providers, ("ACTIVE",)
            )
        )
    )
    alarms = deployment.configuration.get("alarms") or {}
    alarm_status = "DISABLED"
    if alarms.get("enable"):
        alarm_status = "MONITORING_COMPLETE" if done else "MONITORING"
    return {
        "circuitBreaker": {
            "failureCount": scheduler.failed_starts(state, deployment),
            "status": breaker,
            "threshold": threshold,
        },
        "alarms": {
            "status": alarm_status,
            "alarmNames": list(alarms.get("alarmNames") or []),
            "triggeredAlarmNames": [],
        },
    }


def _deployment_dict(state: RegionState, deployment: DaemonDeployment) -> dict[str, Any]:
    out: dict[str, Any] = {
        "daemonDeploymentArn": deployment.arn,
        "clusterArn": deployment.cluster_arn,
        "status": deployment.status,
        "sourceDaemonRevisions": [
            _deployment_revision(state, deployment, r) for r in deployment.source_revision_arns
        ],
        "deploymentConfiguration": dict(deployment.configuration),
        **_monitors(state, deployment),
        **_times(deployment),
    }
    if deployment.target_revision_arn is not None:
        out["targetDaemonRevision"] = _deployment_revision(
            state, deployment, deployment.target_revision_arn
        )
    if deployment.status_reason is not None:
        out["statusReason"] = deployment.status_reason
    if deployment.rollback is not None:
        out["rollback"] = dict(deployment.rollback)
    return out


def _check_arns(arns: list[str], what: str) -> None:
    if not arns:
        raise errors.invalid_parameter(f"{what} can not be empty.")
    if len(arns) > 20:
        raise errors.invalid_parameter(f"{what} can have at most 20 items.")


@operation(
    "DescribeDaemonDeployments",
    area="Daemons",
    notes="Circuit breaker rolls back; alarms never fire; drainPercent is stored only.",
)
def describe_daemon_deployments(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    arns = params["daemonDeploymentArns"]
    _check_arns(arns, "daemonDeploymentArns")
    found, failures = describe_each(
        arns,
        state.daemon_deployments.get,
        lambda d: _deployment_dict(state, d),
        lambda ref: ref,
    )
    return {"daemonDeployments": found, "failures": failures}


@operation("ListDaemonDeployments", area="Daemons")
def list_daemon_deployments(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    """Newest first; a deleted daemon's deployments stay listed (the daemon ARN names them)."""
    state = ctx.engine.region(ctx.region)
    daemon_arn = params["daemonArn"]
    _cluster_of(state, daemon_arn)
    statuses = params.get("status") or None
    created = params.get("createdAt") or {}
    before, after = created.get("before"), created.get("after")
    found = sorted(
        (
            d
            for d in state.daemon_deployments.values()
            if d.daemon_arn == daemon_arn
            and (statuses is None or d.status in statuses)
            and (before is None or d.created_at < _seconds(before))
            and (after is None or d.created_at > _seconds(after))
        ),
        key=lambda d: -d.created_at,
    )
    summaries = [
        {
            "daemonDeploymentArn": d.arn,
            "daemonArn": d.daemon_arn,
            "clusterArn": d.cluster_arn,
            "status": d.status,
            **({"statusReason": d.status_reason} if d.status_reason else {}),
            **({"targetDaemonRevisionArn": d.target_revision_arn} if d.target_revision_arn else {}),
            **_times(d),
        }
        for d in found
    ]
    chunk, token = page(summaries, params)
    return with_token({"daemonDeployments": chunk}, token)


def _seconds(value: Any) -> float:
    """A timestamp parameter (a datetime from the wire layer, or seconds) as epoch seconds."""
    return value.timestamp() if hasattr(value, "timestamp") else float(value)


def _revision_dict(revision: DaemonRevision) -> dict[str, Any]:
    return {
        "daemonRevisionArn": revision.arn,
        "clusterArn": revision.cluster_arn,
        "daemonArn": revision.daemon_arn,
        "daemonTaskDefinitionArn": revision.task_definition_arn,
        "createdAt": revision.created_at,
        "containerImages": [dict(i) for i in revision.container_images],
        "propagateTags": revision.propagate_tags,
        "enableECSManagedTags": revision.enable_managed_tags,
        "enableExecuteCommand": revision.enable_execute_command,
        "critical": revision.critical,
    }


@operation("DescribeDaemonRevisions", area="Daemons")
def describe_daemon_revisions(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    arns = params["daemonRevisionArns"]
    _check_arns(arns, "daemonRevisionArns")
    found, failures = describe_each(
        arns, state.daemon_revisions.get, _revision_dict, lambda ref: ref
    )
    return {"daemonRevisions": found, "failures": failures}
