"""Every use of moto in fakeecs: the one module that imports it.

fakeecs answers ECS itself and hands every other AWS service to moto on the same
port; a few ECS behaviours read or write moto's state (an EC2 instance registering
with a cluster, Auto Scaling groups behind capacity providers, Cloud Map namespaces,
awslogs lines, CloudFormation stacks making ECS resources). Keeping all of it here
means a moto upgrade that moves an internal breaks one module, and an import-linter
contract (pyproject.toml) refuses `import moto` anywhere else in fakeecs.

moto's modules are imported when first needed, as before: importing moto's server
application and its backends costs seconds that most runs of fakeecs never spend.
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fakeecs.ids import ACCOUNT_ID

# passthrough and reset ---------------------------------------------------------------


def server_app() -> Any:
    """moto's WSGI application for every service but ECS (fakeecs routes ECS itself)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


def service_app(dispatcher: Any, environ: dict[str, Any]) -> Any:
    """The backend application `dispatcher` (from `server_app`) picks for a request; its
    `service` attribute names the service (moto reads it from the signature, target or body)."""
    return dispatcher.get_application(environ)


def reset() -> None:
    """Forget every other service's state too (moto keeps it per process).

    moto's own reset (`moto_api_backend.reset()`) first rebuilds every backend in every
    region it made and then throws them all away; for EC2 that rebuild loads the region's
    AMIs (0.08 to 0.3 s) for nothing, every time the last fake of a process stops. Here only the backends
    with a reset of their own run it (S3 closes its keys' temporary files, Batch stops its
    jobs); the others are just dropped, and the next call makes a fresh one, as after
    moto's reset.
    """
    from moto.core.base_backend import BackendDict, BaseBackend, backend_lock
    from moto.core.model_instances import reset_model_data
    from moto.moto_api._internal.models import moto_api_backend

    with backend_lock:
        for service in BackendDict._instances:  # type: ignore[misc]
            for account in service.values():
                for backend in account.values():
                    if type(backend).reset is not BaseBackend.reset:
                        backend.reset()
            service.clear()
        BackendDict._instances.clear()  # type: ignore[misc]
    reset_model_data()
    moto_api_backend.__init__(moto_api_backend.region_name, moto_api_backend.account_id)  # type: ignore[misc]


def use_default_amis_only(folder: Path) -> None:
    """moto's EC2 in this process (and in processes it starts) knows moto's 44 default AMIs,
    without the ~1,260 "latest" and ECS-optimized AMIs of the region.

    moto builds every AMI of a region (a volume and a snapshot each) whenever EC2 is first
    used after a reset: 0.3 s of CPU per fake, in every harness cell and every test that
    makes a network. For callers that only run Fargate tasks (the harness, the tests); a
    `fakeecs serve` for EC2 capacity keeps them all. `MOTO_AMIS_PATH` is moto's own switch
    (read when moto's EC2 is imported, and when each EC2 backend starts); a setting already
    made wins. The list is written into `folder`.
    """
    if "MOTO_AMIS_PATH" in os.environ:
        return
    import gzip
    from importlib import resources

    packed = resources.files("moto") / "ec2" / "resources" / "amis.json.gz"
    amis = folder / "moto-default-amis.json"
    amis.write_bytes(gzip.decompress(packed.read_bytes()))
    os.environ["MOTO_AMIS_PATH"] = str(amis)


def seed(value: int) -> None:
    """Restart moto's one random sequence from `value`: the ids it makes (VPCs, subnets,
    security groups, ...) then follow fakeecs's seed, so the same seed and the same calls give
    the same networks. Process-wide: call it only while no other fake's moto state is in use."""
    from moto.moto_api._internal import mock_random

    mock_random.seed(value)


# EC2 identity ------------------------------------------------------------------------


def ec2_instance(region: str, ident: str) -> Any | None:
    """moto's EC2 instance `ident` in `region`, or None when it does not exist or is ending."""
    from moto.ec2.models import ec2_backends

    try:
        found = ec2_backends[ACCOUNT_ID][region].get_instance(ident)
    except Exception:  # moto's InvalidInstanceIdError
        return None
    if found is None or found._state.name in ("terminated", "shutting-down"):
        return None
    return found


def instance_type(name: str) -> dict[str, Any]:
    """What moto knows of an EC2 instance type (vCPUs, memory, architectures); {} if unknown."""
    from moto.ec2.models.instance_types import INSTANCE_TYPES

    return INSTANCE_TYPES.get(name, {})


# Auto Scaling, Cloud Map, CloudWatch Logs -------------------------------------------------


def autoscaling_groups(region: str) -> dict[str, Any]:
    """moto's Auto Scaling groups in `region`, by name."""
    from moto.autoscaling.models import autoscaling_backends

    return autoscaling_backends[ACCOUNT_ID][region].autoscaling_groups


def cloud_map_namespaces(region: str) -> list[tuple[str, str]]:
    """(name, ARN) of each namespace in moto's Cloud Map in `region`."""
    from moto.servicediscovery.models import servicediscovery_backends

    return [
        (ns.name, ns.arn) for ns in servicediscovery_backends[ACCOUNT_ID][region].list_namespaces()
    ]


def put_log_events(region: str, group: str, stream: str, events: list[tuple[int, str]]) -> None:
    """Append (timestamp ms, message) events, creating the group and stream if needed."""
    from moto.logs.models import logs_backends

    backend = logs_backends[ACCOUNT_ID][region]
    if group not in backend.groups:
        backend.create_log_group(group, {})
    log_group = backend.groups[group]
    if stream not in log_group.streams:
        log_group.create_log_stream(stream)
    if events:  # a stream opened with nothing written stays empty
        log_group.streams[stream].put_log_events(
            [{"timestamp": ms, "message": message} for ms, message in events]
        )


# CloudFormation ----------------------------------------------------------------------


def ecs_model(name: str) -> Any:
    """moto's own CloudFormation model of an ECS type (`Cluster`, `TaskDefinition`, `Service`),
    which answers when moto is used without a fakeecs serving the request."""
    from moto.ecs import models

    return getattr(models, name)


def stack_event(stack: Any, logical_id: str, resource_type: str, status: str, reason: str) -> Any:
    """A resource event in moto's shape, for a stack's event list."""
    from moto.cloudformation.models import Event

    return Event(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=logical_id,
        physical_resource_id="",
        resource_type=resource_type,
        resource_status=status,
        resource_status_reason=reason,
        resource_properties=None,
    )


def install_cloudformation(
    resource_types: Iterable[Any], handlers: dict[str, Callable[..., Any]]
) -> None:
    """Put `resource_types` (each with a `cfn_type`) into moto's type map, and wrap moto's stack
    methods: `handlers["create_resources" | "update" | "delete" | "delete_stack"]` (the stack's),
    `handlers["update_resources" | "resource_diff"]` (its resource map's update and the diff that
    update works from) are called with moto's original method first."""
    from moto.cloudformation import models, parsing

    model_map = parsing.get_model_map()
    for resource_type in resource_types:
        model_map[resource_type.cfn_type] = resource_type
    methods = {
        "delete_stack": (models.CloudFormationBackend, "delete_stack"),
        "update_resources": (parsing.ResourceMap, "update"),
        "resource_diff": (parsing.ResourceMap, "build_resource_diff"),
    }
    for name, handler in handlers.items():
        owner, method = methods.get(name, (models.Stack, name))
        _wrap(owner, method, handler)


def _wrap(owner: Any, name: str, handler: Callable[..., Any]) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return handler(original, *args, **kwargs)

    setattr(owner, name, wrapped)


def stack_resource_templates(resource_map: Any) -> dict[str, dict[str, Any]]:
    """The stack's resources as its current template declares them, by logical id."""
    return dict(resource_map._resource_json_map)


def stack_resource(resource_map: Any, logical_id: str) -> Any | None:
    """The resource made for `logical_id`, or None when none was (a false condition)."""
    return resource_map._parsed_resources.get(logical_id)


def resolved_resource(resource_map: Any, logical_id: str) -> dict[str, Any]:
    """The resource's template with Ref, Fn::GetAtt, Fn::Sub ... resolved against the stack now."""
    from moto.cloudformation.parsing import clean_json

    resource_json = copy.deepcopy(resource_map._resource_json_map[logical_id])
    resource_json.setdefault("Properties", {})
    return clean_json(resource_json, resource_map)  # type: ignore[no-any-return]


def update_stack_resource(resource_map: Any, logical_id: str) -> None:
    """Update one resource from its template, as moto's stack update does a modified one."""
    from moto.cloudformation.parsing import parse_and_update_resource

    resource_json = resource_map._resource_json_map[logical_id]
    resource_map._parsed_resources[logical_id] = parse_and_update_resource(
        logical_id,
        resource_json,
        resource_map,
        account_id=resource_map._account_id,
        region_name=resource_map._region_name,
    )


# EC2 networks: awsvpc subnets and security groups, the default VPC -------------------------


@dataclass(frozen=True)
class Subnet:
    id: str
    vpc_id: str
    availability_zone: str


def _ec2(region: str) -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends[ACCOUNT_ID][region]


def subnets(region: str, ids: list[str]) -> dict[str, Subnet]:
    """The subnets of `ids` that exist in the region's EC2 (missing ones are left out)."""
    found = {}
    by_zone = _ec2(region).subnets
    for zone_subnets in list(by_zone.values()):
        for subnet_id, subnet in list(zone_subnets.items()):
            if subnet_id in ids:
                found[subnet_id] = Subnet(subnet_id, subnet.vpc_id, subnet.availability_zone)
    return found


def security_group_vpcs(region: str, ids: list[str]) -> dict[str, str | None]:
    """The VPC of each security group of `ids` that exists (missing ones are left out)."""
    ec2 = _ec2(region)
    found = {}
    for group_id in ids:
        group = ec2.get_security_group_from_id(group_id)
        if group is not None:
            found[group_id] = group.vpc_id
    return found


def default_network(region: str) -> dict[str, Any]:
    """A networkConfiguration in the region's default VPC: its default subnets (in the order
    of their availability zones) and its default security group."""
    ec2 = _ec2(region)
    vpc = ec2.get_default_vpc()
    if vpc is None:
        raise LookupError(
            f"the EC2 on this endpoint has no default VPC in {region}: create a VPC, a subnet "
            "and a security group with EC2 on the same endpoint and name them instead"
        )
    # only the default VPC's own (moto may mark another VPC's first subnet in a zone default too)
    defaults = {
        s.availability_zone: s
        for s in ec2.describe_subnets(filters={"vpc-id": [vpc.id]})
        if s.default_for_az
    }
    groups = ec2.describe_security_groups(filters={"vpc-id": [vpc.id], "group-name": ["default"]})
    return {
        "awsvpcConfiguration": {
            "subnets": [defaults[zone].id for zone in sorted(defaults)],
            "securityGroups": [g.id for g in groups],
        }
    }
