"""Task operations: RunTask, StopTask, DescribeTasks, ListTasks."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fakeecs import errors
from fakeecs.api.registry import CallContext, operation
from fakeecs.engine import task_requests
from fakeecs.engine.instance_placement import Candidates, Placement, place
from fakeecs.engine.instance_state import instance_arn
from fakeecs.errors import ECSError
from fakeecs.model import ClientTokenRecord, Task
from fakeecs.rules import capacity_strategy
from fakeecs.rules.describing import describe_each
from fakeecs.rules.paging import page, with_token
from fakeecs.rules.task_shape import task_dict

CLIENT_TOKEN_TTL = 24 * 3600.0
NO_CAPACITY = (
    "Capacity is unavailable at this time. Please try again later or in a different "
    "availability zone"
)


def _fingerprint(params: dict[str, Any]) -> str:
    body = {k: v for k, v in params.items() if k != "clientToken"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


@operation(
    "RunTask",
    notes="Placement strategies and constraints, capacity provider strategies and clientToken are modelled.",
)
def run_task(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    engine = ctx.engine
    state = engine.region(ctx.region)
    request = task_requests.named(state, params)
    cluster, td, count = request.cluster, request.td, request.count
    token = params.get("clientToken")
    if token is not None:
        record = state.client_tokens.get((cluster.arn, token))
        if record is not None and record.expires_at > engine.now():
            if record.fingerprint != _fingerprint(params):
                raise errors.conflict(
                    "The specified client token has already been used in a request with "
                    "different parameters. Use a new client token.",
                    record.task_arns,
                )
            return _replay(state, record)
    choices = capacity_strategy.launch_choices(cluster, params, td, count)
    request = task_requests.checked(ctx.engine, ctx.region, request, params)
    fault = ctx.fault or {}
    tasks, failures = [], []
    if fault.get("action") == "no-capacity":
        failures = [{"arn": cluster.arn, "reason": NO_CAPACITY} for _ in range(count)]
    else:
        candidates = Candidates(state)  # each instance read once per call, not once per task
        for launch_type, provider in choices:
            slot = None
            if launch_type == "EC2":  # placed on a container instance, or a failure
                slot = _place_on_instance(ctx, request, params, provider, candidates)
                if slot.failure is not None:
                    failures.append(slot.failure)
                    continue
            platform = params.get("platformVersion", "LATEST") if launch_type == "FARGATE" else None
            failing = fault.get("action") == "fail-to-start"
            task = task_requests.start(
                engine,
                ctx.region,
                request,
                launch_type=launch_type,
                slot=slot,
                provider=provider,
                platform_version=platform,
                fail_reason=fault.get("reason") if failing else None,
            )
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
    request: task_requests.TaskRequest,
    params: dict[str, Any],
    provider: str | None,
    candidates: Candidates,
) -> Placement:
    return place(
        ctx.engine,
        ctx.region,
        request.cluster,
        request.td,
        overrides=request.overrides,
        group=request.group,
        constraints=params.get("placementConstraints"),
        strategies=params.get("placementStrategy"),
        capacity_provider_name=provider,
        candidates=candidates,
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


def _visible_task(task: Task | None, now: float) -> Task | None:
    """The task if DescribeTasks may show it yet (a new task can stay MISSING a while)."""
    return task if task is not None and _visible(task, now) else None


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
    found, failures = describe_each(
        refs,
        lambda ref: _visible_task(state.task(cluster, ref), now),
        lambda task: task_dict(task, include_tags),
        lambda ref: (
            ref if ref.startswith("arn:") else f"{cluster.arn.replace(':cluster/', ':task/')}/{ref}"
        ),
    )
    return {"tasks": found, "failures": failures}


@operation("StopTask", notes="Without a reason, stoppedReason is `Task stopped by user`.")
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


@operation("ListTasks", notes="Allows startedBy together with desiredStatus.")
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
            instance if instance.startswith("arn:") else instance_arn(ctx.region, cluster, instance)
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
