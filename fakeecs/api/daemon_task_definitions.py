"""Daemon task definitions: Register, Describe, List, Delete.

A daemon task definition is a task definition for daemons only (its own ARNs, revisions and
statuses). Deleting one makes it DELETE_IN_PROGRESS at once and DELETED once no daemon
runs it any more; new daemons cannot use it from the moment the delete was asked.
"""

from __future__ import annotations

import copy
from typing import Any

from fakeecs import errors
from fakeecs.api.registry import CallContext, operation
from fakeecs.engine import daemons as scheduler
from fakeecs.engine.state import RegionState
from fakeecs.ids import ACCOUNT_ID, arn
from fakeecs.model import DaemonTaskDefinition
from fakeecs.rules.paging import page, with_token
from fakeecs.rules.placement import check_container_memory
from fakeecs.rules.tagging import check_tags
from fakeecs.rules.task_definitions import check_containers, check_family

REGISTERED_BY = f"arn:aws:iam::{ACCOUNT_ID}:root"
_CONTAINER_DEFAULTS: dict[str, Any] = {
    "cpu": 0,
    "essential": True,
    "environment": [],
    "mountPoints": [],
}
NOT_FOUND = "Unable to describe daemon task definition."


def revisions_of(state: RegionState, family: str) -> list[DaemonTaskDefinition]:
    """A family's revisions, oldest first (deleted ones included: their numbers stay taken)."""
    return sorted(
        (d for d in state.daemon_task_definitions.values() if d.family == family),
        key=lambda d: d.revision,
    )


def resolve(state: RegionState, ref: str) -> DaemonTaskDefinition:
    """`family`, `family:revision` or an ARN (the latest ACTIVE revision for a bare family);
    ClientException as for task definitions when ECS knows no such revision."""
    name = ref.split("daemon-task-definition/", 1)[-1] if ref.startswith("arn:") else ref
    family, _, revision = name.partition(":")
    if revision and not revision.isdigit():
        raise errors.client_error(f"Invalid revision number. Number: {revision}")
    found = [d for d in revisions_of(state, family) if d.status != "DELETED"]
    if revision:
        found = [d for d in found if d.revision == int(revision)]
    else:
        found = [d for d in found if d.status == "ACTIVE"]
    if not found:
        raise errors.client_error(NOT_FOUND)
    return found[-1]


def daemon_task_definition_dict(td: DaemonTaskDefinition) -> dict[str, Any]:
    body = copy.deepcopy(td.body)
    body.pop("tags", None)
    out = {
        "daemonTaskDefinitionArn": td.arn,
        **body,
        "containerDefinitions": [
            {**_CONTAINER_DEFAULTS, **c} for c in body.get("containerDefinitions", [])
        ],
        "family": td.family,
        "revision": td.revision,
        "volumes": body.get("volumes", []),
        "status": td.status,
        "registeredAt": td.registered_at,
        "registeredBy": REGISTERED_BY,
    }
    if td.delete_requested_at is not None:
        out["deleteRequestedAt"] = td.delete_requested_at
    return out


def _check_volumes(body: dict[str, Any]) -> None:
    volumes = body.get("volumes") or []
    names = {v.get("name") for v in volumes}
    for volume in volumes:
        if volume.get("host") is not None and volume.get("logDriverVolumeConfiguration"):
            raise errors.client_error(
                f"Volume {volume.get('name')} specifies both host and logDriverVolumeConfiguration: "
                "use one of them."
            )
        driver = (volume.get("logDriverVolumeConfiguration") or {}).get("driver")
        if driver is not None and driver != "json-file":
            raise errors.client_error(
                f"logDriverVolumeConfiguration.driver {driver} is not supported: the only supported "
                "value is json-file."
            )
    for container in body["containerDefinitions"]:
        for mount in container.get("mountPoints") or []:
            if mount.get("sourceVolume") not in names:
                raise errors.client_error(
                    f"Invalid 'mountPoints' setting for container '{container.get('name')}': "
                    f"unknown volume '{mount.get('sourceVolume')}'."
                )


@operation(
    "RegisterDaemonTaskDefinition",
    area="Daemons",
    notes="Revisions per family; memory per container or task; host and json-file log-driver volumes checked.",
)
def register_daemon_task_definition(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(params)
    family = body["family"]
    check_family(family)
    check_containers(body)
    check_container_memory(body)  # a daemon task takes its memory on the instance
    _check_volumes(body)
    tags = check_tags(body.pop("tags", None))
    state = ctx.engine.region(ctx.region)
    revisions = revisions_of(state, family)
    revision = revisions[-1].revision + 1 if revisions else 1
    td = DaemonTaskDefinition(
        family=family,
        revision=revision,
        arn=arn(ctx.region, f"daemon-task-definition/{family}:{revision}"),
        body=body,
        registered_at=ctx.engine.now(),
        tags=tags,
    )
    state.daemon_task_definitions[td.arn] = td
    return {"daemonTaskDefinitionArn": td.arn}


@operation("DescribeDaemonTaskDefinition", area="Daemons")
def describe_daemon_task_definition(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    td = resolve(ctx.engine.region(ctx.region), params["daemonTaskDefinition"])
    return {"daemonTaskDefinition": daemon_task_definition_dict(td)}


def _summary(td: DaemonTaskDefinition) -> dict[str, Any]:
    out = {
        "arn": td.arn,
        "registeredAt": td.registered_at,
        "registeredBy": REGISTERED_BY,
        "status": td.status,
    }
    if td.delete_requested_at is not None:
        out["deleteRequestedAt"] = td.delete_requested_at
    return out


@operation("ListDaemonTaskDefinitions", area="Daemons")
def list_daemon_task_definitions(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("family") is not None and params.get("familyPrefix") is not None:
        raise errors.invalid_parameter("family and familyPrefix can not be used together.")
    status = params.get("status", "ACTIVE")
    prefix, family = params.get("familyPrefix", ""), params.get("family")
    state = ctx.engine.region(ctx.region)
    found = sorted(
        (
            td
            for td in state.daemon_task_definitions.values()
            if td.status != "DELETED"
            and (status == "ALL" or td.status == status)
            and td.family.startswith(prefix)
            and (family is None or td.family == family)
        ),
        key=lambda td: (td.family, td.revision),
    )
    if params.get("revision") == "LAST_REGISTERED":
        last: dict[str, DaemonTaskDefinition] = {}
        for td in found:
            last[td.family] = td
        found = list(last.values())
    if params.get("sort") == "DESC":
        found.reverse()
    chunk, token = page([_summary(td) for td in found], params)
    return with_token({"daemonTaskDefinitions": chunk}, token)


@operation(
    "DeleteDaemonTaskDefinition",
    area="Daemons",
    notes="DELETE_IN_PROGRESS at once, DELETED once no daemon runs it.",
)
def delete_daemon_task_definition(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    ref = params["daemonTaskDefinition"]
    if ":" not in ref.split("daemon-task-definition/")[-1]:
        raise errors.client_error(
            "Invalid revision number. A daemon task definition revision is required: "
            "family:revision."
        )
    td = resolve(ctx.engine.region(ctx.region), ref)
    if td.status != "ACTIVE":
        raise errors.client_error(
            f"The daemon task definition {td.arn} is {td.status}: only an ACTIVE daemon task "
            "definition can be deleted."
        )
    td.status = "DELETE_IN_PROGRESS"
    td.delete_requested_at = ctx.engine.now()
    scheduler.delete_task_definition_later(ctx.engine, td.arn)
    return {"daemonTaskDefinitionArn": td.arn}
