"""What an EC2 instance registers as: its identity document checked, the instance found in
moto's EC2 (RunInstances on the same endpoint), and the resources and attributes ECS derives
from its instance type."""

from __future__ import annotations

import json
from typing import Any

from fakeecs import errors, moto_backend
from fakeecs.ids import ACCOUNT_ID

#: Ports the ECS agent reserves on every instance (SSH, Docker, the agent itself).
DEFAULT_PORTS = ("22", "2375", "2376", "51678", "51679")
#: Share of an instance type's memory the kernel and platform keep (an m4.large, 8192 MiB,
#: registers about 7985 MiB in ECS's own example).
KERNEL_MEMORY_SHARE = 0.025
_CAPABILITIES = (
    *(f"com.amazonaws.ecs.capability.docker-remote-api.1.{n}" for n in range(17, 45)),
    "com.amazonaws.ecs.capability.logging-driver.awslogs",
    "com.amazonaws.ecs.capability.logging-driver.json-file",
    "com.amazonaws.ecs.capability.logging-driver.none",
    "com.amazonaws.ecs.capability.privileged-container",
    "com.amazonaws.ecs.capability.ecr-auth",
    "com.amazonaws.ecs.capability.task-iam-role",
    "com.amazonaws.ecs.capability.task-iam-role-network-host",
    "ecs.capability.execution-role-awslogs",
    "ecs.capability.execution-role-ecr-pull",
    "ecs.capability.task-eni",
    "ecs.capability.task-cpu-mem-limit",
    "ecs.capability.container-health-check",
    "ecs.capability.container-ordering",
    "ecs.capability.secrets.ssm.environment-variables",
    "ecs.capability.secrets.asm.environment-variables",
    "ecs.capability.env-files.s3",
    "ecs.capability.efsAuth",
    "ecs.capability.docker-plugin.local",
)


def document(params: dict[str, Any], region: str) -> dict[str, Any]:
    raw = params.get("instanceIdentityDocument")
    if not raw:
        raise errors.invalid_parameter(
            "instanceIdentityDocument is required: fakeecs registers only EC2 instances. Create "
            "one with EC2 RunInstances on this endpoint and pass its identity document (JSON "
            'with at least "instanceId").'
        )
    try:
        doc = json.loads(raw)
    except ValueError:
        raise errors.invalid_parameter(
            "instanceIdentityDocument is not valid JSON: pass the document an instance reads "
            "from http://169.254.169.254/latest/dynamic/instance-identity/document."
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("instanceId"), str):
        raise errors.invalid_parameter(
            'instanceIdentityDocument must be a JSON object with an "instanceId" string.'
        )
    if doc.get("region") not in (None, region):
        raise errors.invalid_parameter(
            f"The instance identity document is for region {doc['region']}, but this request "
            f"is for {region}: register the instance in its own region."
        )
    if doc.get("accountId") not in (None, ACCOUNT_ID):
        raise errors.invalid_parameter(
            f"The instance identity document is for account {doc['accountId']}; fakeecs has "
            f"one account, {ACCOUNT_ID}."
        )
    return doc


def ec2_instance(region: str, ident: str) -> Any:
    found = moto_backend.ec2_instance(region, ident)
    if found is None:
        raise errors.invalid_parameter(
            f"EC2 instance {ident} was not found in {region} (or is terminated): create it with "
            "EC2 RunInstances on this endpoint before registering it."
        )
    return found


def resources_of(instance_type: str, given: list[dict[str, Any]]) -> list[dict[str, Any]]:
    info = moto_backend.instance_type(instance_type)
    vcpus = int(info.get("VCpuInfo", {}).get("DefaultVCpus", 0))
    mib = int(info.get("MemoryInfo", {}).get("SizeInMiB", 0))
    defaults = {
        "CPU": vcpus * 1024,
        "MEMORY": mib - int(-(-mib * KERNEL_MEMORY_SHARE // 1)),
    }
    by_name = {r.get("name"): r for r in given}
    out = []
    for name in ("CPU", "MEMORY"):
        value = by_name.get(name)
        amount = (
            int(
                value.get("integerValue") or value.get("longValue") or value.get("doubleValue") or 0
            )
            if value
            else defaults[name]
        )
        out.append(integer_resource(name, amount))
    for name, default in (("PORTS", list(DEFAULT_PORTS)), ("PORTS_UDP", [])):
        value = by_name.get(name)
        ports = [str(p) for p in value.get("stringSetValue") or []] if value else default
        out.append(set_resource(name, ports))
    out += [dict(r) for n, r in by_name.items() if n not in ("CPU", "MEMORY", "PORTS", "PORTS_UDP")]
    return out


def integer_resource(name: str, value: int) -> dict[str, Any]:
    return {
        "name": name,
        "type": "INTEGER",
        "doubleValue": 0.0,
        "longValue": 0,
        "integerValue": value,
    }


def set_resource(name: str, values: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "type": "STRINGSET",
        "doubleValue": 0.0,
        "longValue": 0,
        "integerValue": 0,
        "stringSetValue": sorted(set(values), key=lambda p: (len(p), p)),
    }


def builtin_attributes(ec2: Any, doc: dict[str, Any]) -> list[dict[str, Any]]:
    arch = (
        moto_backend.instance_type(ec2.instance_type)
        .get("ProcessorInfo", {})
        .get("SupportedArchitectures", ["x86_64"])[0]
    )
    values = {
        "ecs.ami-id": ec2.image_id or doc.get("imageId"),
        "ecs.availability-zone": ec2.placement.zone or doc.get("availabilityZone"),
        "ecs.instance-type": ec2.instance_type,
        "ecs.os-type": "linux",
        "ecs.os-family": "LINUX",
        "ecs.cpu-architecture": "arm64" if arch == "arm64" else "x86_64",
        "ecs.vpc-id": getattr(ec2, "vpc_id", None),
        "ecs.subnet-id": getattr(ec2, "subnet_id", None),
    }
    out = [{"name": k, "value": v} for k, v in values.items() if v]
    return out + [{"name": c} for c in _CAPABILITIES]
