"""The Auto Scaling groups behind capacity providers, as moto (on the same endpoint) knows them.

Kept apart so the rest of fakeecs reads moto's Auto Scaling state in one place: which
group an ARN or name means, and which provider an EC2 instance belongs to.
"""

from __future__ import annotations

from typing import Any

from fakeecs import errors, moto_backend
from fakeecs.engine.state import RegionState
from fakeecs.model import Cluster

_NAME_PART = "autoScalingGroupName/"


def _groups(region: str) -> dict[str, Any]:
    """moto's Auto Scaling groups in `region`, by name."""
    return moto_backend.autoscaling_groups(region)


def group_name(group_arn: str) -> str:
    return group_arn.rsplit(_NAME_PART, 1)[-1]


def resolve_group(region: str, ref: str) -> tuple[str, Any]:
    """The group's ARN and moto's group (None when moto does not know it).

    A well-formed ARN is accepted even when moto has no such group (tests need not create one);
    a bare name must name a group moto knows, since its ARN carries a UUID only AWS gives.
    """
    groups = _groups(region)
    if ref.startswith("arn:"):
        parts = ref.split(":", 7)
        ok = (
            len(parts) == 8
            and parts[2] == "autoscaling"
            and parts[5] == "autoScalingGroup"
            and parts[7].startswith(_NAME_PART)
            and len(parts[7]) > len(_NAME_PART)
        )
        if not ok:
            raise errors.client_error(
                f"The specified Auto Scaling group ARN {ref} is invalid. Specify an ARN of the form "
                "arn:aws:autoscaling:<region>:<account>:autoScalingGroup:<uuid>:autoScalingGroupName/<name>."
            )
        return ref, groups.get(group_name(ref))
    group = groups.get(ref)
    if group is None:
        raise errors.client_error(
            f"The specified Auto Scaling group {ref} was not found. Specify a valid Auto Scaling "
            "group name or ARN and try again."
        )
    return group.arn, group


def protects_new_instances(group: Any) -> bool:
    """Whether the group launches its instances protected from scale in (managed termination
    protection needs it)."""
    return bool(group.new_instances_protected_from_scale_in)


def provider_of_instance(
    region: str, state: RegionState, cluster: Cluster, ec2_id: str
) -> str | None:
    """The capacity provider an EC2 instance registering to `cluster` belongs to, as ECS finds it:
    the cluster's ACTIVE custom provider whose Auto Scaling group (in moto) holds the instance."""
    groups = _groups(region)
    for name in cluster.capacity_providers:
        provider = state.capacity_providers.get(name)
        if provider is None or provider.status != "ACTIVE":
            continue
        group = groups.get(group_name(provider.auto_scaling_group_provider["autoScalingGroupArn"]))
        if group is not None and any(s.instance.id == ec2_id for s in group.instance_states):
            return name
    return None
