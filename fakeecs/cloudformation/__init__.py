"""CloudFormation on the fake's endpoint creating real fakeecs resources.

moto answers the CloudFormation API (stacks, events, outputs); fakeecs takes over
the three ECS resource types, so a stack's cluster, task definitions and services
are fakeecs's own: visible and behaving through the ECS API.
"""

from fakeecs.cloudformation.stacks import bound, install

__all__ = ["bound", "install"]
