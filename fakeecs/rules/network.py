"""ECS's checks of an awsvpc network against EC2: the subnets and security groups must exist,
and all of them must be in one VPC. Pure: the caller looks them up and passes what it found.

The messages are ECS's own where known (the missing subnet and security group ones, as ECS
relays EC2's error; the security group outside the subnets' VPC); the one for subnets of
different VPCs is fakeecs's wording.
"""

from __future__ import annotations


def network_problem(
    subnets: list[str],
    groups: list[str],
    subnet_vpcs: dict[str, str],
    group_vpcs: dict[str, str | None],
) -> str | None:
    """Why ECS refuses this network, or None. `*_vpcs` map the ids that exist to their VPC."""
    missing = [s for s in subnets if s not in subnet_vpcs]
    if missing:
        return (
            f"Error retrieving subnet information for [{missing[0]}]: The subnet ID "
            f"'{missing[0]}' does not exist (ErrorCode: InvalidSubnetID.NotFound)"
        )
    missing = [g for g in groups if g not in group_vpcs]
    if missing:
        return (
            f"Error retrieving security group information for [{missing[0]}]: The security "
            f"group '{missing[0]}' does not exist (ErrorCode: InvalidGroup.NotFound)"
        )
    vpcs = sorted({subnet_vpcs[s] for s in subnets})
    if len(vpcs) > 1:
        return f"The subnets must all be in the same VPC; these are in {', '.join(vpcs)}."
    for group in groups:
        if group_vpcs[group] not in vpcs:
            return (
                f"Security group {group} does not appear to belong to the same VPC as the "
                "input subnets."
            )
    return None
