"""ECS calls made for a stack: through the wire's own entry (wire.execute), logged as CloudFormation's."""

from __future__ import annotations

from typing import Any

from fakeecs import wire
from fakeecs.engine import Engine
from fakeecs.errors import ECSError


class ResourceFailed(Exception):
    """A stack resource could not be created, updated or deleted; `reason` is what the stack shows."""

    def __init__(self, logical_id: str, reason: str) -> None:
        super().__init__(f"{logical_id}: {reason}")
        self.logical_id = logical_id
        self.reason = reason


def failure_reason(err: ECSError) -> str:
    """The status reason CloudFormation writes when the ECS handler got an error."""
    return (
        f'Resource handler returned message: "{err.message} (Service: AmazonECS; '
        f'Status Code: {err.status}; Error Code: {err.code})" (HandlerErrorCode: '
        f"{'NotFound' if 'NotFound' in err.code else 'InvalidRequest'})"
    )


def ecs(engine: Engine, region: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run one ECS operation as CloudFormation's handler would call it (no wire faults apply)."""
    return wire.execute(engine, operation, params, region, caller="cloudformation")
