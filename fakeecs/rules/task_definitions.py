"""What ECS checks in every kind of task definition (task and daemon ones alike)."""

from __future__ import annotations

from typing import Any

from fakeecs import errors


def check_family(family: str) -> None:
    ok = 1 <= len(family) <= 255 and all(c.isascii() and (c.isalnum() or c in "-_") for c in family)
    if not ok:
        raise errors.client_error(
            "Family contains invalid characters: use up to 255 letters, numbers, hyphens and underscores."
        )


def check_containers(body: dict[str, Any]) -> None:
    containers = body["containerDefinitions"]
    if not containers:
        raise errors.client_error("Container list cannot be empty.")
    names = [c.get("name") for c in containers]
    if any(not n for n in names):
        raise errors.client_error("Container.name should not be null or empty.")
    if len(set(names)) != len(names):
        raise errors.client_error("Container names must be unique within a task definition.")
    if any(not c.get("image") for c in containers):
        raise errors.client_error("Container.image should not be null or empty.")
    if not any(c.get("essential", True) for c in containers):
        raise errors.client_error("A task definition must have at least one essential container.")
