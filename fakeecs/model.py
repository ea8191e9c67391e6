"""The ECS data model as plain dataclasses, and the legal task transitions as data.

Nothing here moves state: the engine does. Keeping the model inert makes it cheap
to snapshot (persistence) and to check (property tests walk LEGAL_TRANSITIONS).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: The task lifecycle in order; a task only ever moves forwards along it.
TASK_STATES = (
    "PROVISIONING",
    "PENDING",
    "ACTIVATING",
    "RUNNING",
    "DEACTIVATING",
    "STOPPING",
    "DEPROVISIONING",
    "STOPPED",
)
STATE_INDEX = {state: i for i, state in enumerate(TASK_STATES)}

#: A task may skip states (a task stopped while PENDING never runs) but never goes back.
LEGAL_TRANSITIONS: dict[str, frozenset[str]] = {
    state: frozenset(TASK_STATES[i + 1 :]) for i, state in enumerate(TASK_STATES)
}

ACTIVE_STATES = frozenset(TASK_STATES[:-1])
#: Started, not yet RUNNING: where ECS's pending counts look.
PENDING_STATES = frozenset(TASK_STATES[: STATE_INDEX["RUNNING"]])

STOP_CODES = (
    "TaskFailedToStart",
    "EssentialContainerExited",
    "UserInitiated",
    "ServiceSchedulerInitiated",
    "SpotInterruption",
    "TerminationNotice",
)


@dataclass
class Cluster:
    name: str
    arn: str
    status: str = "ACTIVE"
    tags: list[dict[str, str]] = field(default_factory=list)
    settings: list[dict[str, str]] = field(
        default_factory=lambda: [{"name": "containerInsights", "value": "disabled"}]
    )
    capacity_providers: list[str] = field(default_factory=list)
    default_strategy: list[dict[str, Any]] = field(default_factory=list)
    configuration: dict[str, Any] | None = None
    #: Deleted by a stack while its services' tasks still stop: INACTIVE once the last one has.
    delete_when_empty: bool = False
    #: serviceConnectDefaults.namespace, as the namespace's ARN (None: no default).
    service_connect_namespace: str | None = None


#: Internal status of a task definition revision deleted for good: no API shows it, but it
#: keeps its revision number taken (ECS never reuses one).
TD_DELETED = "DELETED"


@dataclass
class TaskDefinition:
    """A registered revision; `body` is the request as registered (ECS echoes it back)."""

    family: str
    revision: int
    arn: str
    body: dict[str, Any]
    registered_at: float
    status: str = "ACTIVE"
    deregistered_at: float | None = None
    tags: list[dict[str, str]] = field(default_factory=list)

    @property
    def containers(self) -> list[dict[str, Any]]:
        return list(self.body.get("containerDefinitions", []))


@dataclass
class Behaviour:
    """What a container does when it runs: scripted per family (and optionally per container)."""

    run_seconds: float = 30.0
    exit_code: int = 0
    fail_to_start: str | None = None
    out_of_memory: bool = False
    log_lines: list[str] = field(default_factory=list)


@dataclass
class Container:
    name: str
    arn: str
    image: str
    essential: bool
    behaviour: Behaviour
    cpu: str | None = None
    memory: str | None = None
    last_status: str = "PENDING"
    exit_code: int | None = None
    reason: str | None = None
    runtime_id: str | None = None
    #: EC2 launch type: the host ports bound for it (NetworkBinding dicts), shown once RUNNING.
    network_bindings: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Task:
    arn: str
    id: str
    cluster_arn: str
    region: str
    task_definition_arn: str
    family: str
    launch_type: str
    created_at: float
    containers: list[Container]
    cpu: str | None = None
    memory: str | None = None
    platform_version: str | None = None
    group: str | None = None
    started_by: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    tags: list[dict[str, str]] = field(default_factory=list)
    network_configuration: dict[str, Any] | None = None
    availability_zone: str = "us-east-1a"
    last_status: str = "PROVISIONING"
    desired_status: str = "RUNNING"
    version: int = 1
    pull_started_at: float | None = None
    pull_stopped_at: float | None = None
    connectivity_at: float | None = None
    started_at: float | None = None
    execution_stopped_at: float | None = None
    stopping_at: float | None = None
    stopped_at: float | None = None
    stop_code: str | None = None
    stopped_reason: str | None = None
    #: When DescribeTasks first sees the task (eventual consistency); None = at once.
    visible_at: float | None = None
    #: Bumped whenever a plan is replaced (StopTask, interruption); older events are ignored.
    plan: int = 0
    eni_id: str = ""
    private_ip: str = ""
    service_name: str | None = None
    deployment_id: str | None = None
    #: The RunTask clientToken that started it (its record outlives the task).
    client_token: str | None = None
    #: EC2 launch type: the container instance the task was placed on.
    container_instance_arn: str | None = None
    #: The capacity provider the task's strategy chose (FARGATE, FARGATE_SPOT, or a custom one).
    capacity_provider_name: str | None = None
    #: The task set (EXTERNAL deployment controller) that started it.
    task_set_arn: str | None = None
    #: RunTask/StartTask enableExecuteCommand (ExecuteCommand refuses tasks without it).
    enable_execute_command: bool = False
    #: Scale-in protection: protected until this virtual time (None or past: not protected).
    protected_until: float | None = None
    #: A daemon's task: the daemon and the revision it runs (one per container instance).
    daemon_arn: str | None = None
    daemon_revision_arn: str | None = None

    @property
    def cluster_name(self) -> str:
        return self.cluster_arn.rsplit("/", 1)[-1]

    @property
    def has_eni(self) -> bool:
        """An awsvpc task (its networkConfiguration): ECS provisions an ENI for it first."""
        return self.network_configuration is not None


@dataclass
class ClientTokenRecord:
    """What one RunTask with a clientToken produced, kept 24 hours for idempotency."""

    fingerprint: str
    task_arns: list[str]
    failures: list[dict[str, Any]]
    expires_at: float


@dataclass
class Deployment:
    """One rollout of a service: the task definition and network its tasks start with.

    `id` is what the service's tasks carry as `startedBy` (`ecs-svc/<19 digits>`).
    """

    id: str
    task_definition_arn: str
    desired_count: int
    launch_type: str
    created_at: float
    updated_at: float
    network_configuration: dict[str, Any] | None = None
    platform_version: str | None = None
    status: str = "PRIMARY"
    rollout_state: str = "IN_PROGRESS"
    failed_tasks: int = 0
    capacity_provider_strategy: list[dict[str, Any]] = field(default_factory=list)
    #: The service revision it runs and the service deployment that started it (or rolled
    #: back to it): what DescribeServiceDeployments/Revisions show of it.
    revision_arn: str | None = None
    service_deployment_arn: str | None = None


@dataclass
class ServiceEvent:
    id: str
    created_at: float
    message: str


@dataclass
class Service:
    """A replica service; deployments[0] is the PRIMARY one, the rest are ACTIVE (draining)."""

    name: str
    arn: str
    cluster_arn: str
    region: str
    task_definition_arn: str
    desired_count: int
    launch_type: str
    created_at: float
    deployments: list[Deployment] = field(default_factory=list)
    network_configuration: dict[str, Any] | None = None
    platform_version: str | None = None
    status: str = "ACTIVE"
    maximum_percent: int = 200
    minimum_healthy_percent: int = 100
    propagate_tags: str = "NONE"
    enable_managed_tags: bool = False
    tags: list[dict[str, str]] = field(default_factory=list)
    #: Newest first, as DescribeServices returns them (at most 100 kept).
    events: list[ServiceEvent] = field(default_factory=list)
    #: Every task this service started that ECS still remembers.
    task_arns: list[str] = field(default_factory=list)
    #: Virtual time of the scheduler pass already queued (None = none queued).
    wake_at: float | None = None
    #: Whether the "reached a steady state" event was written for the current state.
    steady: bool = False
    client_token: str | None = None
    #: When the service became INACTIVE (it is forgotten an hour later).
    inactive_at: float | None = None
    #: Given instead of a launch type; ECS then echoes it and shows no launchType.
    capacity_provider_strategy: list[dict[str, Any]] = field(default_factory=list)
    #: Settings fakeecs only stores and echoes (loadBalancers, placementStrategy, ...).
    echoed: dict[str, Any] = field(default_factory=dict)
    #: deploymentConfiguration.deploymentCircuitBreaker: {"enable": bool, "rollback": bool}.
    circuit_breaker: dict[str, bool] = field(
        default_factory=lambda: {"enable": False, "rollback": False}
    )
    #: Service throttle logic: tasks in a row that failed to start (reset when one runs).
    failed_starts: int = 0
    #: No task of the service is launched before this virtual time (None: not throttled).
    launch_after: float | None = None
    #: REPLICA (desiredCount tasks) or DAEMON (one task on each eligible container instance).
    scheduling_strategy: str = "REPLICA"


@dataclass
class ServiceRevision:
    """What a service runs, fixed when a deployment starts (DescribeServiceRevisions)."""

    arn: str
    service_arn: str
    cluster_arn: str
    task_definition_arn: str
    created_at: float
    launch_type: str = ""
    capacity_provider_strategy: list[dict[str, Any]] = field(default_factory=list)
    platform_version: str | None = None
    network_configuration: dict[str, Any] | None = None
    #: loadBalancers, serviceRegistries, serviceConnectConfiguration as the service had them.
    echoed: dict[str, Any] = field(default_factory=dict)


@dataclass
class ServiceDeployment:
    """One service deployment as ECS reports it; the scheduler's Deployment does the work.

    `deployment_id` names the scheduler Deployment (`ecs-svc/...`) rolling the target
    revision out, `rollback_deployment_id` the one rolling back to the source revision.
    `sources` are the revisions running when it began: [{"arn", "deploymentIds"}].
    `hooks` are the deployment's lifecycle hooks with their state (engine/service_deployments.py).
    `final_counts` freeze the revision counts once it finished (ECS shows them as of then).
    """

    arn: str
    service_arn: str
    cluster_arn: str
    created_at: float
    updated_at: float
    deployment_id: str
    target_revision_arn: str
    sources: list[dict[str, Any]] = field(default_factory=list)
    status: str = "PENDING"
    status_reason: str | None = None
    started_at: float | None = None
    finished_at: float | None = None
    stopped_at: float | None = None
    lifecycle_stage: str | None = None
    configuration: dict[str, Any] = field(default_factory=dict)
    hooks: list[dict[str, Any]] = field(default_factory=list)
    rollback: dict[str, Any] | None = None
    rollback_deployment_id: str | None = None
    circuit_breaker_threshold: int = 3
    final_counts: dict[str, dict[str, int]] | None = None


# Breadth of the API beyond tasks and services. Each of these is flat (fields are plain
# JSON values), so persistence saves and restores them generically (see RegionState.TABLES).


@dataclass
class ContainerInstance:
    """An EC2 instance registered to a cluster: the EC2 launch type places tasks on it.

    `registered_resources` is as ECS shows it (CPU, MEMORY, PORTS, PORTS_UDP); what
    remains is computed from the tasks placed on it, never stored.
    """

    arn: str
    id: str
    cluster_arn: str
    ec2_instance_id: str
    registered_at: float
    registered_resources: list[dict[str, Any]] = field(default_factory=list)
    status: str = "ACTIVE"
    agent_connected: bool = True
    attributes: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, str]] = field(default_factory=list)
    version: int = 1
    version_info: dict[str, Any] = field(default_factory=dict)
    capacity_provider_name: str | None = None
    availability_zone: str | None = None
    instance_type: str | None = None
    deregistered_at: float | None = None
    #: What each task placed here took: task ARN -> {"cpu", "memory", "tcp", "udp" (static host
    #: ports), "dynamic_tcp", "dynamic_udp"}. Only
    #: tasks not yet STOPPED count (entries of stopped ones are pruned on the next placement).
    reservations: dict[str, dict[str, Any]] = field(default_factory=dict)
    status_reason: str | None = None
    #: The dynamic host port given last: the next one is the next free port after it.
    last_dynamic_port: int = 0
    #: UpdateContainerAgent's progress (None: never asked).
    agent_update_status: str | None = None


@dataclass
class CapacityProvider:
    """A capacity provider: FARGATE and FARGATE_SPOT are built in, others wrap an ASG."""

    name: str
    arn: str
    status: str = "ACTIVE"
    auto_scaling_group_provider: dict[str, Any] | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    update_status: str | None = None
    update_status_reason: str | None = None
    #: When DeleteCapacityProvider made it INACTIVE (it stays describable for an hour).
    deleted_at: float | None = None


@dataclass
class TaskSet:
    """A set of tasks of a service with an EXTERNAL deployment controller."""

    id: str
    arn: str
    service_arn: str
    cluster_arn: str
    task_definition_arn: str
    created_at: float
    updated_at: float
    status: str = "ACTIVE"
    external_id: str | None = None
    started_by: str | None = None
    launch_type: str | None = None
    capacity_provider_strategy: list[dict[str, Any]] = field(default_factory=list)
    platform_version: str | None = None
    network_configuration: dict[str, Any] | None = None
    #: CreateTaskSet without a scale: ECS answers 0 percent (its own CLI example shows it).
    scale: dict[str, Any] = field(default_factory=lambda: {"value": 0.0, "unit": "PERCENT"})
    stability_status: str = "STABILIZING"
    stability_status_at: float | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    #: loadBalancers and serviceRegistries: stored and echoed, they change nothing.
    echoed: dict[str, Any] = field(default_factory=dict)
    #: "<clientToken>:<fingerprint of the request>" of the CreateTaskSet that made it.
    client_token: str | None = None


# Daemons: one task on each container instance of the named capacity providers.


@dataclass
class DaemonTaskDefinition:
    """A registered daemon task definition revision; `body` is the request as registered."""

    family: str
    revision: int
    arn: str
    body: dict[str, Any]
    registered_at: float
    status: str = "ACTIVE"
    delete_requested_at: float | None = None
    tags: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Daemon:
    """A daemon of a cluster; `revision_arn` is what its tasks should run now."""

    name: str
    arn: str
    cluster_arn: str
    created_at: float
    updated_at: float
    #: Capacity provider names (the API takes and shows their ARNs).
    capacity_providers: list[str]
    revision_arn: str
    deployment_arn: str
    status: str = "ACTIVE"
    deployment_configuration: dict[str, Any] = field(default_factory=dict)
    tags: list[dict[str, str]] = field(default_factory=list)
    #: "<clientToken>:<fingerprint>" of the CreateDaemon that made it.
    client_token: str | None = None
    #: Virtual time of the scheduler pass already queued (None = none queued).
    wake_at: float | None = None


@dataclass
class DaemonRevision:
    """What a deployment rolls out: a snapshot of the daemon's settings (immutable)."""

    arn: str
    daemon_arn: str
    cluster_arn: str
    task_definition_arn: str
    created_at: float
    container_images: list[dict[str, str]] = field(default_factory=list)
    propagate_tags: str = "NONE"
    enable_managed_tags: bool = False
    enable_execute_command: bool = False
    critical: bool = True


@dataclass
class DaemonDeployment:
    """One rollout of a daemon from its source revisions to `target_revision_arn` (None when
    the daemon is being deleted)."""

    arn: str
    daemon_arn: str
    cluster_arn: str
    target_revision_arn: str | None
    source_revision_arns: list[str]
    capacity_providers: list[str]
    configuration: dict[str, Any]
    created_at: float
    status: str = "PENDING"
    status_reason: str | None = None
    started_at: float | None = None
    stopped_at: float | None = None
    finished_at: float | None = None
    #: When a converged deployment's bake time is over (None: not converged yet).
    bake_until: float | None = None
    rollback: dict[str, Any] | None = None


@dataclass
class Gateway:
    """A gateway: shared ingress (load balancers) for the services of its associated clusters.

    fakeecs records its configuration and reports the infrastructure it would manage; no load
    balancer exists anywhere."""

    name: str
    arn: str
    infrastructure_role_arn: str
    #: The type-specific configuration as given, by type ("hostSharedAlb").
    configuration: dict[str, Any]
    created_at: float
    updated_at: float
    status: str = "ACTIVE"
    deletion_protection: bool = False
    propagate_tags: str = "GATEWAY"
    tags: list[dict[str, str]] = field(default_factory=list)
    #: "<clientToken>:<fingerprint>" of the CreateGateway that made it.
    client_token: str | None = None
    #: While UPDATE_IN_PROGRESS: the virtual time the update completes.
    update_until: float | None = None


@dataclass
class GatewayAssociation:
    """A gateway associated with a cluster; DISASSOCIATING until its routes are gone."""

    gateway_arn: str
    cluster_arn: str
    status: str = "ACTIVE"


@dataclass
class ExpressService:
    """What an Express service adds to the ordinary service it is (same ARN): its
    infrastructure role, and the Express configuration each service revision runs."""

    service_arn: str
    #: When that service was created (a later service of the same name is not this one).
    service_created_at: float
    infrastructure_role_arn: str
    #: The family of the task definitions built from its primary container.
    family: str
    #: Service revision ARN -> the ExpressGatewayServiceConfiguration it was created from.
    configurations: dict[str, dict[str, Any]] = field(default_factory=dict)
