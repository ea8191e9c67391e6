"""What RunTask and StartTask share: checking a request, and building and launching its tasks.

A request is checked in two stages because RunTask answers a replayed clientToken and
checks the capacity (launch type or provider strategy) between them: `named` resolves
the cluster and the ACTIVE task definition, `checked` the network, overrides, ECS Exec
and tags. `start` builds one task of a checked request, puts it on its container
instance (EC2) and launches it. The service scheduler builds its tasks with
`start` too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fakeecs import errors, moto_backend
from fakeecs.engine.instance_placement import Placement, claim
from fakeecs.engine.state import RegionState
from fakeecs.ids import arn, hex_id, uuid_like
from fakeecs.model import Cluster, Container, Task, TaskDefinition
from fakeecs.rules.fargate import check_size
from fakeecs.rules.network import network_problem
from fakeecs.rules.tagging import check_tags, merge_tags

if TYPE_CHECKING:
    from fakeecs.engine.core import Engine

_TOKEN_CHARS = {chr(c) for c in range(33, 127)}


@dataclass(frozen=True)
class TaskRequest:
    """A RunTask or StartTask request as checked: what each task it starts is made of."""

    cluster: Cluster
    td: TaskDefinition
    count: int = 1
    started_by: str | None = None
    group: str | None = None
    network: dict[str, Any] | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    tags: list[dict[str, str]] = field(default_factory=list)
    exec_enabled: bool = False


# checks ------------------------------------------------------------------------------


def check_limits(params: dict[str, Any]) -> int:
    """count, startedBy, group and clientToken within ECS's limits; the count."""
    count = params.get("count", 1)
    if not 1 <= count <= 10:
        raise errors.invalid_parameter("count must be between 1 and 10.")
    if len(params.get("startedBy") or "") > 128:
        raise errors.invalid_parameter("startedBy must be at most 128 characters.")
    if len(params.get("group") or "") > 255:
        raise errors.invalid_parameter("group must be at most 255 characters.")
    check_client_token(params.get("clientToken"), longest=64)
    return count


def check_client_token(token: str | None, longest: int) -> None:
    """A clientToken is printable ASCII without spaces, up to `longest` characters (RunTask
    allows 64, CreateTaskSet 36)."""
    if token is not None and (
        not 1 <= len(token) <= longest or any(ch not in _TOKEN_CHARS for ch in token)
    ):
        raise errors.invalid_parameter(
            f"clientToken must be 1-{longest} characters in the range 33-126 (printable ASCII, "
            "no spaces)."
        )


def check_network(
    engine: Engine, region: str, params: dict[str, Any], td: TaskDefinition
) -> dict[str, Any] | None:
    """The networkConfiguration the task definition's network mode needs (awsvpc only).

    Its subnets and security groups must exist in the EC2 on the same endpoint, in one VPC
    (unless fakeecs runs with --lenient-network).
    """
    network = params.get("networkConfiguration")
    if td.body.get("networkMode") != "awsvpc":
        if network is not None:
            raise errors.invalid_parameter(
                "Network Configuration is not valid for the given networkMode of this task definition."
            )
        return None
    vpc = (network or {}).get("awsvpcConfiguration")
    if vpc is None:
        raise errors.invalid_parameter(
            "Network Configuration must be provided when networkMode 'awsvpc' is specified."
        )
    subnets = vpc.get("subnets") or []
    if not subnets:
        raise errors.invalid_parameter("subnets can not be empty.")
    if len(subnets) > 16:
        raise errors.invalid_parameter("subnets can have at most 16 items.")
    groups = vpc.get("securityGroups") or []
    if len(groups) > 5:
        raise errors.invalid_parameter("securityGroups can have at most 5 items.")
    if not engine.lenient_network:
        found = moto_backend.subnets(region, subnets)
        problem = network_problem(
            subnets,
            groups,
            {s: found[s].vpc_id for s in found},
            moto_backend.security_group_vpcs(region, groups),
        )
        if problem is not None:
            raise errors.invalid_parameter(problem)
    return {"awsvpcConfiguration": {"assignPublicIp": "DISABLED", **vpc}}


def check_overrides(overrides: dict[str, Any], td: TaskDefinition) -> None:
    names = {c["name"] for c in td.containers}
    for override in overrides.get("containerOverrides") or []:
        name = override.get("name")
        if name not in names:
            raise errors.invalid_parameter(
                f"Override for container named {name} is not a container in the TaskDefinition."
            )


def check_exec(params: dict[str, Any], td: TaskDefinition, overrides: dict[str, Any]) -> bool:
    """enableExecuteCommand needs a task role (the exec agent's SSM channel uses it)."""
    enabled = bool(params.get("enableExecuteCommand"))
    if enabled and not (td.body.get("taskRoleArn") or overrides.get("taskRoleArn")):
        raise errors.invalid_parameter(
            "The execute command failed because a valid task role is not being used. Specify a "
            "valid task role in your task definition or as a task override and try again."
        )
    return enabled


def named(state: RegionState, params: dict[str, Any]) -> TaskRequest:
    """First stage: the limits, the cluster and the task definition, which must be ACTIVE."""
    count = check_limits(params)
    cluster = state.cluster(params.get("cluster"))
    td = state.task_definition(params["taskDefinition"])
    if td.status != "ACTIVE":
        raise errors.client_error("TaskDefinition is inactive")
    return TaskRequest(
        cluster, td, count, started_by=params.get("startedBy"), group=params.get("group")
    )


def checked(
    engine: Engine, region: str, request: TaskRequest, params: dict[str, Any]
) -> TaskRequest:
    """Second stage: network, container overrides, ECS Exec's task role, tags."""
    td = request.td
    network = check_network(engine, region, params, td)
    overrides = dict(params.get("overrides") or {})
    check_overrides(overrides, td)
    exec_enabled = check_exec(params, td, overrides)
    tags = check_tags(params.get("tags"))
    if params.get("propagateTags") == "TASK_DEFINITION":
        tags = merge_tags(td.tags, tags)
    return dataclasses.replace(
        request, network=network, overrides=overrides, tags=tags, exec_enabled=exec_enabled
    )


# building and launching ----------------------------------------------------------------


def build_task(
    engine: Engine,
    region: str,
    cluster: Cluster,
    td: TaskDefinition,
    *,
    launch_type: str,
    network: dict[str, Any] | None,
    overrides: dict[str, Any],
    started_by: str | None,
    group: str | None,
    tags: list[dict[str, str]],
    platform_version: str | None,
    fail_reason: str | None = None,
) -> Task:
    """A new task of `td` in `cluster`, its containers' behaviours copied from the script."""
    rng = engine.rng
    task_id = hex_id(rng)
    task_arn = arn(region, f"task/{cluster.name}/{task_id}")
    containers = []
    for definition in td.containers:
        behaviour = engine.behaviours.lookup(td.family, definition["name"])
        essential = definition.get("essential", True)
        if fail_reason and essential:
            behaviour.fail_to_start = fail_reason
        override = next(
            (
                o
                for o in overrides.get("containerOverrides", [])
                if o.get("name") == definition["name"]
            ),
            {},
        )
        cpu = override.get("cpu", definition.get("cpu"))
        memory = override.get("memory", definition.get("memory"))
        containers.append(
            Container(
                name=definition["name"],
                arn=arn(region, f"container/{cluster.name}/{task_id}/{uuid_like(rng)}"),
                image=definition["image"],
                essential=essential,
                behaviour=behaviour,
                cpu=None if cpu is None else str(cpu),
                memory=None if memory is None else str(memory),
            )
        )
    cpu = overrides.get("cpu", td.body.get("cpu"))
    memory = overrides.get("memory", td.body.get("memory"))
    if launch_type == "FARGATE" and ("cpu" in overrides or "memory" in overrides):
        cpu, memory = check_size(cpu, memory)
    octets = rng.getrandbits(16)
    return Task(
        arn=task_arn,
        id=task_id,
        cluster_arn=cluster.arn,
        region=region,
        task_definition_arn=td.arn,
        family=td.family,
        launch_type=launch_type,
        created_at=engine.now(),
        containers=containers,
        cpu=None if cpu is None else str(cpu),
        memory=None if memory is None else str(memory),
        platform_version=platform_version if launch_type == "FARGATE" else None,
        group=group or f"family:{td.family}",
        started_by=started_by,
        overrides=overrides,
        tags=tags,
        network_configuration=network,
        availability_zone=f"{region}{'abc'[rng.randrange(3)]}",
        eni_id=uuid_like(rng),
        private_ip=f"10.0.{octets >> 8}.{octets & 0xFF}",
    )


def start(
    engine: Engine,
    region: str,
    request: TaskRequest,
    *,
    launch_type: str,
    slot: Placement | None = None,
    provider: str | None = None,
    platform_version: str | None = None,
    fail_reason: str | None = None,
    prepare: Callable[[Task], None] | None = None,
) -> Task:
    """Build one task of `request`, put it on the instance `slot` chose (EC2), launch it.

    `prepare` marks the task before it is launched (the service scheduler's marks: its
    service, deployment and default run time).
    """
    task = build_task(
        engine,
        region,
        request.cluster,
        request.td,
        launch_type=launch_type,
        network=request.network,
        overrides=request.overrides,
        started_by=request.started_by,
        group=request.group,
        tags=list(request.tags),
        platform_version=platform_version,
        fail_reason=fail_reason,
    )
    if task.platform_version == "LATEST":
        task.platform_version = "1.4.0"
    task.capacity_provider_name = provider
    task.enable_execute_command = request.exec_enabled
    if prepare is not None:
        prepare(task)
    if slot is not None:
        claim(engine, region, slot, task)
    engine.launch(task)
    return task
