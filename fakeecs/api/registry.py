"""The table of supported ECS operations.

Each operation is one pure function `fn(ctx, params) -> dict` registered with
`@operation("RunTask")`. Params and results are plain dicts shaped like the ECS
API model (camelCase members, timestamps as floats or datetimes). The table is
the list of supported operations: the README's support table is generated from
it, and the wire layer answers an unknown operation like AWS does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fakeecs.engine import Engine

Params = dict[str, Any]
Result = dict[str, Any]


@dataclass
class CallContext:
    """What an operation may use besides its params.

    `fault` is the engine-level fault rule that fired on this call (for example
    `{"action": "no-capacity"}` or `{"action": "fail-to-start", "reason": ...}`),
    or None. Wire-level faults (throttle, server-error, latency, lose-response)
    never reach an operation.
    """

    engine: Engine
    region: str = "us-east-1"
    fault: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


Operation = Callable[[CallContext, Params], Result]

OPERATIONS: dict[str, Operation] = {}


def operation(name: str) -> Callable[[Operation], Operation]:
    """Register `fn` as the implementation of the ECS operation `name`."""

    def register(fn: Operation) -> Operation:
        if name in OPERATIONS:
            raise RuntimeError(f"operation {name} registered twice")
        OPERATIONS[name] = fn
        return fn

    return register
