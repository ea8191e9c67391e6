"""CreateService's `role`: the IAM role ECS uses to call a classic load balancer setup.

The API reference: the parameter "is only permitted if you are using a load balancer
with your service and your task definition doesn't use the awsvpc network mode", and the
service-linked role is required (no role may be given) with awsvpc, service discovery,
an external deployment controller or multiple target groups. The two messages are the
ones ECS answers, as quoted in public reports of CreateService calls.
"""

from __future__ import annotations

from typing import Any

from fakeecs import errors
from fakeecs.ids import ACCOUNT_ID

NO_LOAD_BALANCER = "A role was passed, but no load balancers were present."
NEEDS_LINKED_ROLE = (
    "You cannot specify an IAM role for services that require a service linked role."
)


def role_arn(role: str) -> str:
    """A role as ECS shows it: an ARN as given, a name (or `/path/name`) as the account's role."""
    if role.startswith("arn:"):
        return role
    return f"arn:aws:iam::{ACCOUNT_ID}:role/{role.lstrip('/')}"


def check_role(params: dict[str, Any], network_mode: str | None) -> str | None:
    """The ARN of the role a CreateService request gives (None for none), or ECS's refusal."""
    role = params.get("role")
    if not role:
        return None
    balancers = params.get("loadBalancers") or []
    if not balancers:
        raise errors.invalid_parameter(NO_LOAD_BALANCER)
    controller = (params.get("deploymentController") or {}).get("type", "ECS")
    if (
        network_mode == "awsvpc"
        or len(balancers) > 1
        or params.get("serviceRegistries")
        or controller == "EXTERNAL"
    ):
        raise errors.invalid_parameter(NEEDS_LINKED_ROLE)
    return role_arn(role)
