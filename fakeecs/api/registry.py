"""The table of supported ECS operations, which also documents itself.

Each operation is one function `fn(ctx, params) -> dict` registered with
`@operation("RunTask", area="Tasks", notes="...")`. Params and results are plain
dicts shaped like the ECS API model (camelCase members, timestamps as floats or
datetimes). The table is the single list of supported operations: the wire
layer answers an operation missing from it like AWS does, and the support table
in docs/reference/ is generated from it (area and notes included), so nothing
about an operation is written down twice.
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


@dataclass(frozen=True)
class OperationSpec:
    """One registered operation: its ECS name, where the docs list it, and what to know about it."""

    name: str
    area: str
    notes: str
    fn: Operation


#: ECS operation name -> its implementation (what the wire layer dispatches to).
OPERATIONS: dict[str, Operation] = {}
#: ECS operation name -> its registration, with the area and notes the docs print.
SPECS: dict[str, OperationSpec] = {}


def area_of_module(module: str) -> str:
    """The area an operation module documents by default: `fakeecs.api.task_sets` -> "Task sets"."""
    return module.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def operation(
    name: str, *, area: str | None = None, notes: str = ""
) -> Callable[[Operation], Operation]:
    """Register `fn` as the implementation of the ECS operation `name`.

    `area` groups it in the support table (default: its module's name, so a
    module is one area); `notes` is one line on how fakeecs differs or what it
    models, printed next to the name. The function itself is returned unchanged.
    """

    def register(fn: Operation) -> Operation:
        if name in OPERATIONS:
            raise RuntimeError(f"operation {name} registered twice")
        OPERATIONS[name] = fn
        SPECS[name] = OperationSpec(name, area or area_of_module(fn.__module__), notes, fn)
        return fn

    return register
