"""The loop every Describe* call shares: each reference shown, or a MISSING failure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def describe_each(
    refs: list[str],
    find: Callable[[str], T | None],
    show: Callable[[T], dict[str, Any]],
    missing_arn: Callable[[str], str],
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """(what was found, shown; failures naming by ARN each reference ECS does not know)."""
    found, failures = [], []
    for ref in refs:
        item = find(ref)
        if item is None:
            failures.append({"arn": missing_arn(ref), "reason": "MISSING"})
        else:
            found.append(show(item))
    return found, failures
