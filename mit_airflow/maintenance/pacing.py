"""How the CLI waits: the one seam between its polling loops and time.

Production waits in real time; tests pass a pacer that moves fakeecs's virtual
clock instead of sleeping, so an hour-long rollout takes milliseconds and never
depends on the speed of the machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol, TypeVar

T = TypeVar("T")


class Pacer(Protocol):
    """A source of waiting: `sleep` lets time pass, `elapsed` says how much has."""

    def sleep(self, seconds: float) -> None: ...

    def elapsed(self) -> float:
        """Seconds since this pacer was created (monotonic)."""
        ...


class RealPacer:
    """Real time: sleeps for real, measures with the monotonic clock."""

    def __init__(self) -> None:
        self._start = time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))

    def elapsed(self) -> float:
        return time.monotonic() - self._start


class WaitTimeout(Exception):
    """A condition did not come true within its time limit."""

    def __init__(self, what: str, seconds: float) -> None:
        super().__init__(f"gave up waiting after {seconds:g}s for {what}")
        self.what = what
        self.seconds = seconds


def wait_until(
    check: Callable[[], T | None],
    *,
    pacer: Pacer,
    interval: float,
    timeout: float,
    what: str,
) -> T:
    """Call `check` until it returns something other than None, pausing `interval` between calls.

    Raises WaitTimeout when `timeout` seconds of the pacer's time pass first. The
    condition is checked once more at the deadline, so a slow clock never loses a result.
    """
    deadline = pacer.elapsed() + timeout
    while True:
        result = check()
        if result is not None:
            return result
        if pacer.elapsed() >= deadline:
            raise WaitTimeout(what, timeout)
        pacer.sleep(min(interval, deadline - pacer.elapsed()))
