"""Task operations: RunTask, StopTask, DescribeTasks, ListTasks."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fakeecs import errors
from fakeecs.api import capacity_providers, container_instances
from fakeecs.api.fargate import check_size
from fakeecs.api.paging import page, with_token
from fakeecs.api.registry import CallContext, operation
from fakeecs.api.tagging import check_tags, merge_tags
from fakeecs.api.task_shape import task_dict
from fakeecs.engine.core import Engine
from fakeecs.errors import ECSError
from fakeecs.ids import arn, hex_id, uuid_like
from fakeecs.model import ClientTokenRecord, Cluster, Container, Task, TaskDefinition

CLIENT_TOKEN_TTL = 24 * 3600.0
NO_CAPACITY = (
    "Capacity is unavailable at this time. Please try again later or in a different "
    "availability zone"
)
_TOKEN_CHARS = {chr(c) for c in range(33, 127)}


def _check_network(params: dict[str, Any], td: TaskDefinition) -> dict[str, Any] | None:
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
    if len(vpc.get("securityGroups") or []) > 5:
        raise errors.invalid_parameter("securityGroups can have at most 5 items.")
    return {"awsvpcConfiguration": {"assignPublicIp": "DISABLED", **vpc}}


def _check_overrides(overrides: dict[str, Any], td: TaskDefinition) -> None:
    names = {c["name"] for c in td.containers}
    for override in overrides.get("containerOverrides") or []:
        name = override.get("name")
        if name not in names:
            raise errors.invalid_parameter(
                f"Override for container named {name} is not a container in the TaskDefinition."
            )


def _launch_type(params: dict[str, Any], td: TaskDefinition) -> str:
    """One launch type for a request that has one (a strategy's tasks are chosen per task by
    capacity_providers.launch_choices; here a strategy of Fargate providers means FARGATE)."""
    if params.get("capacityProviderStrategy"):
        if "launchType" in params:
            raise errors.invalid_parameter(capacity_providers.BOTH_GIVEN)
        return "FARGATE"
    return capacity_providers.check_launch_type(params.get("launchType", "EC2"), td)


def _check_exec(params: dict[str, Any], td: TaskDefinition, overrides: dict[str, Any]) -> bool:
    """enableExecuteCommand needs a task role (the exec agent's SSM channel uses it)."""
    enabled = bool(params.get("enableExecuteCommand"))
    if enabled and not (td.body.get("taskRoleArn") or overrides.get("taskRoleArn")):
        raise errors.invalid_parameter(
            "enableExecuteCommand requires a task role: give the task definition a taskRoleArn "
            "or pass one in overrides."
        )
    return enabled


def _fingerprint(params: dict[str, Any]) -> str:
    body = {k: v for k, v in params.items() if k != "clientToken"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _check_limits(params: dict[str, Any]) -> int:
    count = params.get("count", 1)
    if not 1 <= count <= 10:
        raise errors.invalid_parameter("count must be between 1 and 10.")
    if len(params.get("startedBy") or "") > 128:
        raise errors.invalid_parameter("startedBy must be at most 128 characters.")
    if len(params.get("group") or "") > 255:
        raise errors.invalid_parameter("group must be at most 255 characters.")
    token = params.get("clientToken")
    if token is not None and (
        not 1 <= len(token) <= 64 or any(ch not in _TOKEN_CHARS for ch in token)
    ):
        raise errors.invalid_parameter(
            "clientToken must be 1-64 characters in the range 33-126 (printable ASCII, no spaces)."
        )
    return count


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


@operation("RunTask")
def run_task(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    engine = ctx.engine
    state = engine.region(ctx.region)
    count = _check_limits(params)
    cluster = state.cluster(params.get("cluster"))
    td = state.task_definition(params["taskDefinition"])
    if td.status != "ACTIVE":
        raise errors.client_error("TaskDefinition is inactive")
    token = params.get("clientToken")
    if token is not None:
        record = state.client_tokens.get((cluster.arn, token))
        if record is not None and record.expires_at > engine.now():
            if record.fingerprint != _fingerprint(params):
                raise ECSError(
                    "ConflictException",
                    "The specified client token has already been used in a request with "
                    "different parameters. Use a new client token.",
                )
            return _replay(state, record)
    choices = capacity_providers.launch_choices(state, cluster, params, td, count)
    network = _check_network(params, td)
    overrides = dict(params.get("overrides") or {})
    _check_overrides(overrides, td)
    exec_enabled = _check_exec(params, td, overrides)
    tags = check_tags(params.get("tags"))
    if params.get("propagateTags") == "TASK_DEFINITION":
        tags = merge_tags(td.tags, tags)
    fault = ctx.fault or {}
    tasks, failures = [], []
    if fault.get("action") == "no-capacity":
        failures = [{"arn": cluster.arn, "reason": NO_CAPACITY} for _ in range(count)]
    else:
        for launch_type, provider in choices:
            slot = None
            if launch_type == "EC2":  # placed on a container instance, or a failure
                slot = _place_on_instance(ctx, cluster, td, params, overrides, provider)
                if slot.failure is not None:
                    failures.append(slot.failure)
                    continue
            task = build_task(
                engine,
                ctx.region,
                cluster,
                td,
                launch_type=launch_type,
                network=network,
                overrides=overrides,
                started_by=params.get("startedBy"),
                group=params.get("group"),
                tags=tags,
                platform_version=params.get("platformVersion", "LATEST")
                if launch_type == "FARGATE"
                else None,
                fail_reason=fault.get("reason") if fault.get("action") == "fail-to-start" else None,
            )
            if task.platform_version == "LATEST":
                task.platform_version = "1.4.0"
            task.capacity_provider_name = provider
            task.enable_execute_command = exec_enabled
            if slot is not None:
                container_instances.claim(engine, ctx.region, slot, task)
            engine.launch(task)
            tasks.append(task)
    if token is not None and tasks:  # an answer that started nothing is not remembered
        for task in tasks:
            task.client_token = token
        record = ClientTokenRecord(
            fingerprint=_fingerprint(params),
            task_arns=[t.arn for t in tasks],
            failures=failures,
            expires_at=engine.now() + CLIENT_TOKEN_TTL,
        )
        engine.remember_token(ctx.region, cluster.arn, token, record)
    return {"tasks": [task_dict(t) for t in tasks], "failures": failures}


def _place_on_instance(
    ctx: CallContext,
    cluster: Cluster,
    td: TaskDefinition,
    params: dict[str, Any],
    overrides: dict[str, Any],
    provider: str | None,
) -> container_instances.Placement:
    return container_instances.place(
        ctx.engine,
        ctx.region,
        cluster,
        td,
        overrides=overrides,
        group=params.get("group"),
        constraints=params.get("placementConstraints"),
        strategies=params.get("placementStrategy"),
        capacity_provider_name=provider,
    )


def _replay(state: Any, record: ClientTokenRecord) -> dict[str, Any]:
    """The same request with the same token: the same tasks as they are now, nothing new.

    A task already past its retention hour is answered as a MISSING failure, as
    DescribeTasks would: keeping every task for the token's 24 hours would make
    memory grow with the RunTask rate (botocore sends a token on every call).
    """
    tasks = [state.tasks[a] for a in record.task_arns if a in state.tasks]
    gone = [{"arn": a, "reason": "MISSING"} for a in record.task_arns if a not in state.tasks]
    return {"tasks": [task_dict(t) for t in tasks], "failures": list(record.failures) + gone}


def _visible(task: Task, now: float) -> bool:
    return task.visible_at is None or now >= task.visible_at


@operation("DescribeTasks")
def describe_tasks(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    refs = params["tasks"]
    if len(refs) > 100:
        raise errors.invalid_parameter("Tasks cannot have more than 100 elements")
    if not refs:
        raise errors.invalid_parameter("Tasks cannot be empty.")
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    include_tags = "TAGS" in (params.get("include") or [])
    now = ctx.engine.now()
    found, failures = [], []
    for ref in refs:
        task = state.task(cluster, ref)
        if task is None or not _visible(task, now):
            missing = (
                ref
                if ref.startswith("arn:")
                else f"{cluster.arn.replace(':cluster/', ':task/')}/{ref}"
            )
            failures.append({"arn": missing, "reason": "MISSING"})
        else:
            found.append(task_dict(task, include_tags))
    return {"tasks": found, "failures": failures}


@operation("StopTask")
def stop_task(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    task = state.task(cluster, params["task"])
    if task is None:
        raise errors.invalid_parameter("The referenced task was not found.")
    reason = params.get("reason")
    if reason is not None and len(reason) > 1024:
        raise errors.invalid_parameter("reason must be at most 1024 characters.")
    ctx.engine.stop_task(task, "UserInitiated", reason)
    return {"task": task_dict(task)}


_FILTERS_EXCLUSIVE_WITH_STARTED_BY = ("family", "serviceName", "containerInstance", "launchType")


@operation("ListTasks")
def list_tasks(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    state = ctx.engine.region(ctx.region)
    cluster = state.cluster(params.get("cluster"))
    started_by = params.get("startedBy")
    if started_by is not None and any(params.get(f) for f in _FILTERS_EXCLUSIVE_WITH_STARTED_BY):
        raise errors.invalid_parameter(
            "startedBy may not be combined with family, serviceName, containerInstance or launchType."
        )
    if params.get("family") and params.get("serviceName"):
        raise errors.invalid_parameter("family may not be combined with serviceName.")
    service = params.get("serviceName")
    if service is not None:
        known = state.services.get((cluster.arn, service.rsplit("/", 1)[-1]))
        if known is None:
            raise ECSError("ServiceNotFoundException", "Service not found.")
    instance = params.get("containerInstance")
    if instance:
        instance = (
            instance
            if instance.startswith("arn:")
            else container_instances.instance_arn(ctx.region, cluster, instance)
        )
    desired = params.get("desiredStatus", "RUNNING")
    now = ctx.engine.now()
    arns = [
        t.arn
        for t in state.cluster_tasks(cluster)
        if t.desired_status == desired
        and _visible(t, now)
        and (started_by is None or t.started_by == started_by)
        and (not params.get("family") or t.family == params["family"])
        and (not params.get("launchType") or t.launch_type == params["launchType"])
        and (service is None or t.service_name == service.rsplit("/", 1)[-1])
        and (not instance or t.container_instance_arn == instance)
    ]
    chunk, token = page(arns, params)
    return with_token({"taskArns": chunk}, token)
