"""Everything ECS remembers in one region, and the lookups every operation needs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, ClassVar

from fakeecs import errors
from fakeecs.ids import short_name
from fakeecs.model import (
    TD_DELETED,
    CapacityProvider,
    ClientTokenRecord,
    Cluster,
    ContainerInstance,
    Daemon,
    DaemonDeployment,
    DaemonRevision,
    DaemonTaskDefinition,
    ExpressService,
    Gateway,
    GatewayAssociation,
    ServiceDeployment,
    ServiceRevision,
    Task,
    TaskDefinition,
    TaskSet,
)


@dataclass
class RegionState:
    name: str
    clusters: dict[str, Cluster] = field(default_factory=dict)
    task_definitions: dict[str, list[TaskDefinition]] = field(
        default_factory=lambda: defaultdict(list)
    )
    tasks: dict[str, Task] = field(default_factory=dict)
    #: (cluster arn, clientToken) -> what that RunTask produced.
    client_tokens: dict[tuple[str, str], ClientTokenRecord] = field(default_factory=dict)
    #: Services, keyed by (cluster arn, service name); filled by the services module.
    services: dict[tuple[str, str], Any] = field(default_factory=dict)
    #: Container instances by ARN (deregistered ones stay, INACTIVE, as ECS shows them a while).
    container_instances: dict[str, ContainerInstance] = field(default_factory=dict)
    #: Capacity providers by name (FARGATE and FARGATE_SPOT are not stored: they always exist).
    capacity_providers: dict[str, CapacityProvider] = field(default_factory=dict)
    #: Task sets by ARN.
    task_sets: dict[str, TaskSet] = field(default_factory=dict)
    #: Service revisions and service deployments by ARN (forgotten with their service).
    service_revisions: dict[str, ServiceRevision] = field(default_factory=dict)
    service_deployments: dict[str, ServiceDeployment] = field(default_factory=dict)
    #: Account settings: "<principal ARN or DEFAULT>|<setting name>" -> value.
    account_settings: dict[str, str] = field(default_factory=dict)
    #: Daemon task definitions, daemons, their revisions and deployments, each by ARN.
    daemon_task_definitions: dict[str, DaemonTaskDefinition] = field(default_factory=dict)
    daemons: dict[str, Daemon] = field(default_factory=dict)
    daemon_revisions: dict[str, DaemonRevision] = field(default_factory=dict)
    daemon_deployments: dict[str, DaemonDeployment] = field(default_factory=dict)
    #: Gateways by ARN, and their cluster associations by "<gateway arn>|<cluster arn>".
    gateways: dict[str, Gateway] = field(default_factory=dict)
    gateway_associations: dict[str, GatewayAssociation] = field(default_factory=dict)
    #: Express services by service ARN (the service itself is in `services`).
    express_services: dict[str, ExpressService] = field(default_factory=dict)

    #: The flat tables persistence saves and restores generically: field -> row type.
    TABLES: ClassVar[dict[str, type]] = {
        "container_instances": ContainerInstance,
        "capacity_providers": CapacityProvider,
        "task_sets": TaskSet,
        "service_revisions": ServiceRevision,
        "service_deployments": ServiceDeployment,
        "daemon_task_definitions": DaemonTaskDefinition,
        "daemons": Daemon,
        "daemon_revisions": DaemonRevision,
        "daemon_deployments": DaemonDeployment,
        "gateways": Gateway,
        "gateway_associations": GatewayAssociation,
        "express_services": ExpressService,
    }

    def cluster(self, name_or_arn: str | None) -> Cluster:
        """The ACTIVE cluster named (ECS's default is `default`), or ClusterNotFoundException."""
        name = short_name(name_or_arn or "default")
        found = self.clusters.get(name)
        if found is None or found.status != "ACTIVE":
            raise errors.cluster_not_found()
        return found

    def task_definition(self, ref: str) -> TaskDefinition:
        """Resolve `family`, `family:revision` or a full ARN (latest ACTIVE for a bare family)."""
        if ":daemon-task-definition/" in ref:  # what a daemon's tasks run
            return self.daemon_task_definition_as_task_definition(ref)
        ref = ref.split("task-definition/", 1)[-1] if ref.startswith("arn:") else ref
        family, _, revision = ref.partition(":")
        revisions = self.task_definitions.get(family, [])
        if revision:
            if not revision.isdigit():
                raise errors.client_error(f"Invalid revision number. Number: {revision}")
            for td in revisions:
                if td.revision == int(revision) and td.status != TD_DELETED:
                    return td
            raise errors.client_error("Unable to describe task definition.")
        active = [td for td in revisions if td.status == "ACTIVE"]
        if not active:
            raise errors.client_error("Unable to describe task definition.")
        return active[-1]

    def daemon_task_definition_as_task_definition(self, ref: str) -> TaskDefinition:
        """A daemon task definition as the task lifecycle and the runtimes read one (an EC2
        task definition with its containers, CPU and memory)."""
        found = self.daemon_task_definitions.get(ref)
        if found is None or found.status == "DELETED":
            raise errors.client_error("Unable to describe daemon task definition.")
        return TaskDefinition(
            found.family, found.revision, found.arn, found.body, found.registered_at
        )

    def task(self, cluster: Cluster, ref: str) -> Task | None:
        """A task of `cluster` by ID or ARN, or None when ECS would not know it."""
        task_id = ref.rsplit("/", 1)[-1]
        for arn in (ref, f"{cluster.arn.replace(':cluster/', ':task/')}/{task_id}"):
            found = self.tasks.get(arn)
            if found is not None and found.cluster_arn == cluster.arn:
                return found
        return None

    def cluster_tasks(self, cluster: Cluster) -> list[Task]:
        return [t for t in self.tasks.values() if t.cluster_arn == cluster.arn]
