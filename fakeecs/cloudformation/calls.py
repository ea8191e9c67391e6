"""ECS calls made on behalf of a stack: validated like wire requests, logged as CloudFormation's."""

from __future__ import annotations

import json
from typing import Any

from fakeecs import api, wire
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
    name, parsed = wire.parse(wire.TARGET_PREFIX + operation, json.dumps(params).encode())
    with engine.lock:
        engine.sync()
        entry: dict[str, Any] = {
            "operation": name,
            "params": parsed,
            "time": wire.stamp(engine),
            "caller": "cloudformation",
        }
        try:
            result = api.OPERATIONS[name](api.CallContext(engine=engine, region=region), parsed)
        except ECSError as err:
            engine.record_call({**entry, "status": err.status, "error": err.code})
            raise
        engine.record_call({**entry, "status": 200})
    return json.loads(json.dumps(result, default=wire.json_default))
