"""ECS's service throttle logic as a schedule: how long a service waits before its next launch.

The developer guide ("Amazon ECS service throttle logic") says only that when a service's tasks
repeatedly fail to reach RUNNING, the time between launch attempts grows up to 27 minutes, that
the service then posts "(service NAME) is unable to consistently start tasks successfully.", that
tasks stopped after reaching RUNNING never count, and that a new task definition ends the
throttling at once. The steps between are not published; fakeecs's choice (written down in the
known differences) is: the first two failed starts in a row are replaced at once, from the third
the wait doubles from 30 seconds (30 s, 1, 2, 4, 8, 16 minutes) and then stays at 27 minutes.
The event is posted once per throttling episode, at the failure that starts the waiting.
"""

from __future__ import annotations

#: Failed starts in a row that are replaced at once, before any waiting.
FREE_FAILURES = 2
#: The first wait, doubled at each further failed start.
FIRST_DELAY = 30.0
#: The longest wait between launch attempts (the developer guide's 27 minutes).
MAX_DELAY = 27 * 60.0


def delay_after(failures: int) -> float:
    """Virtual seconds to wait before the next launch after `failures` failed starts in a row."""
    if failures <= FREE_FAILURES:
        return 0.0
    doublings = failures - FREE_FAILURES - 1
    if doublings >= 16:  # long past the cap; keeps the power small
        return MAX_DELAY
    return min(MAX_DELAY, FIRST_DELAY * 2**doublings)


def starts_throttling(failures: int) -> bool:
    """Whether this failed start is the one that starts an episode (the service event's moment)."""
    return failures == FREE_FAILURES + 1


def throttled_message(service_name: str) -> str:
    return f"(service {service_name}) is unable to consistently start tasks successfully."
