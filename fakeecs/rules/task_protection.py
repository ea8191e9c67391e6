"""Task scale-in protection: how long it lasts and whether it holds now."""

from __future__ import annotations

from fakeecs import errors
from fakeecs.model import Task

DEFAULT_MINUTES = 120
MAX_MINUTES = 2880


def expiry_minutes(enabled: bool, minutes: int | None) -> int:
    """expiresInMinutes as ECS takes it: 1..2,880, 120 when not given."""
    if minutes is None:
        return DEFAULT_MINUTES
    if not 1 <= minutes <= MAX_MINUTES:
        raise errors.invalid_parameter(
            f"expiresInMinutes must be between 1 and {MAX_MINUTES} (48 hours), got {minutes}."
        )
    return minutes


def is_protected(task: Task, now: float) -> bool:
    """Protected until its expiry passes; the scheduler leaves such a task running."""
    return task.protected_until is not None and now < task.protected_until
