"""Fargate's rules for task size: which cpu/memory pairs exist, and unit parsing."""

from __future__ import annotations

import re

from fakeecs import errors


def _gb(start: int, stop: int, step: int = 1024) -> frozenset[int]:
    return frozenset(range(start, stop + 1, step))


#: cpu units -> memory MiB allowed (the Fargate task size table).
FARGATE_SIZES: dict[int, frozenset[int]] = {
    256: frozenset({512, 1024, 2048}),
    512: _gb(1024, 4096),
    1024: _gb(2048, 8192),
    2048: _gb(4096, 16384),
    4096: _gb(8192, 30720),
    8192: _gb(16384, 61440, 4096),
    16384: _gb(32768, 122880, 8192),
}


def cpu_units(value: str) -> int:
    """`1024`, `1 vCPU` or `0.5 vcpu` -> cpu units."""
    text = value.strip().lower()
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)\s*vcpu", text):
        return int(float(m.group(1)) * 1024)
    if text.isdigit():
        return int(text)
    raise errors.client_error(f"Invalid 'cpu' setting for task: {value!r}.")


def memory_mib(value: str) -> int:
    """`2048` or `2 GB` -> MiB."""
    text = value.strip().lower()
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)\s*gb", text):
        return int(float(m.group(1)) * 1024)
    if text.isdigit():
        return int(text)
    raise errors.client_error(f"Invalid 'memory' setting for task: {value!r}.")


def check_size(cpu: str | None, memory: str | None) -> tuple[str, str]:
    """Fargate needs a task-level cpu and memory that form a valid pair."""
    if cpu is None or memory is None:
        raise errors.client_error(
            "Fargate requires that 'cpu' be defined at the task level."
            if cpu is None
            else "Fargate requires that 'memory' be defined at the task level."
        )
    units, mib = cpu_units(cpu), memory_mib(memory)
    if mib not in FARGATE_SIZES.get(units, frozenset()):
        raise errors.client_error(
            f"No Fargate configuration exists for given values: {units} CPU, {mib} memory. "
            "See the Amazon ECS documentation for the valid values."
        )
    return str(units), str(mib)
