"""Scripted container behaviours, looked up per task definition family and container.

A behaviour applies to tasks started after it is set: a task copies its
behaviour at RunTask, so changing the script never rewrites a running task.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from fakeecs.errors import ECSError
from fakeecs.model import Behaviour

#: The control API's camelCase names for Behaviour fields.
WIRE_NAMES = {
    "runSeconds": "run_seconds",
    "exitCode": "exit_code",
    "failToStart": "fail_to_start",
    "outOfMemory": "out_of_memory",
    "logLines": "log_lines",
}

DEFAULT_FAIL_REASON = (
    "CannotPullContainerError: pull image manifest has been retried 7 time(s): "
    "failed to resolve ref: not found"
)


def behaviour_from_wire(spec: dict[str, Any]) -> tuple[str, str | None, Behaviour]:
    """Parse `{"family", "container"?, "runSeconds", ...}`; errors name the bad field."""
    if not isinstance(spec, dict):
        raise ECSError("InvalidBehaviour", "a behaviour must be a JSON object")
    family = spec.get("family")
    if not isinstance(family, str) or not family:
        raise ECSError("InvalidBehaviour", "behaviour needs 'family' (a task definition family)")
    container = spec.get("container")
    if container is not None and not isinstance(container, str):
        raise ECSError("InvalidBehaviour", "'container' must be a container name (string)")
    unknown = set(spec) - set(WIRE_NAMES) - {"family", "container"}
    if unknown:
        raise ECSError(
            "InvalidBehaviour",
            f"unknown behaviour field(s) {sorted(unknown)}; known: {sorted(WIRE_NAMES)}",
        )
    values: dict[str, Any] = {}
    for wire, name in WIRE_NAMES.items():
        if wire in spec and spec[wire] is not None:
            values[name] = spec[wire]
    behaviour = Behaviour(**values)
    _check(behaviour)
    return family, container, behaviour


def _check(b: Behaviour) -> None:
    if isinstance(b.run_seconds, bool) or not isinstance(b.run_seconds, int | float):
        raise ECSError("InvalidBehaviour", "'runSeconds' must be a number of seconds")
    if b.run_seconds < 0:
        raise ECSError("InvalidBehaviour", "'runSeconds' must not be negative")
    if isinstance(b.exit_code, bool) or not isinstance(b.exit_code, int):
        raise ECSError("InvalidBehaviour", "'exitCode' must be an integer")
    if b.fail_to_start is True:
        b.fail_to_start = DEFAULT_FAIL_REASON
    if b.fail_to_start is False:
        b.fail_to_start = None
    if b.fail_to_start is not None and not isinstance(b.fail_to_start, str):
        raise ECSError("InvalidBehaviour", "'failToStart' must be a reason string or true")
    if not isinstance(b.out_of_memory, bool):
        raise ECSError("InvalidBehaviour", "'outOfMemory' must be true or false")
    if not isinstance(b.log_lines, list) or not all(isinstance(x, str) for x in b.log_lines):
        raise ECSError("InvalidBehaviour", "'logLines' must be a list of strings")


def behaviour_to_wire(b: Behaviour) -> dict[str, Any]:
    raw = asdict(b)
    back = {v: k for k, v in WIRE_NAMES.items()}
    return {back[f.name]: raw[f.name] for f in fields(b)}


class BehaviourBook:
    """family -> behaviour, with per-container entries taking precedence."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str | None], Behaviour] = {}

    def set(self, family: str, container: str | None, behaviour: Behaviour) -> None:
        self._by_key[(family, container)] = behaviour

    def lookup(self, family: str, container: str) -> Behaviour:
        found = self._by_key.get((family, container)) or self._by_key.get((family, None))
        return Behaviour(**asdict(found)) if found else Behaviour()

    def clear(self) -> None:
        self._by_key.clear()

    def dump(self) -> list[dict[str, Any]]:
        return [
            {"family": f, "container": c, **behaviour_to_wire(b)}
            for (f, c), b in self._by_key.items()
        ]

    def load(self, rows: list[dict[str, Any]]) -> None:
        self.clear()
        for row in rows:
            family, container, behaviour = behaviour_from_wire(row)
            self.set(family, container, behaviour)
