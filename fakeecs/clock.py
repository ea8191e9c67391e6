"""The only place in fakeecs that reads time or waits on it.

Everything else asks a Clock, and waits with `wait_for` or `pause` (ruff's banned-API
rule refuses time.time, time.monotonic, time.sleep and datetime.now elsewhere). Virtual clocks make an hour-long container run in
microseconds and make runs reproducible: the same seed and the same calls give
the same timestamps.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Protocol

#: Virtual clocks start here unless told otherwise, so traces are reproducible.
DEFAULT_EPOCH = datetime(2026, 1, 1, tzinfo=UTC).timestamp()


class Clock(Protocol):
    """A source of time in seconds since the Unix epoch (floats)."""

    kind: str

    def now(self) -> float: ...

    def advance(self, seconds: float) -> float:
        """Move virtual time on (if this clock allows it) and return the new time."""
        ...


class SystemClock:
    """Wall-clock time; cannot be advanced."""

    kind = "real"

    def now(self) -> float:
        return time.time()

    def advance(self, seconds: float) -> float:
        raise ValueError("the real clock cannot be advanced; start fakeecs with --clock manual")


class ManualClock:
    """Moves only when told to: the deterministic clock for tests."""

    kind = "manual"

    def __init__(self, start: float = DEFAULT_EPOCH) -> None:
        self._start = float(start)
        self._now = float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError(f"cannot move the clock backwards (seconds={seconds})")
        with self._lock:
            self._now += float(seconds)
            return self._now

    def set(self, when: float) -> None:
        """Restore a saved time (snapshots); never moves backwards."""
        with self._lock:
            self._now = max(self._now, float(when))

    def restart(self) -> None:
        """Back to the start (reset): a reset fake replays exactly like a fresh one."""
        with self._lock:
            self._now = self._start


class ScaledClock:
    """Virtual time that runs `factor` times faster than wall time, and can also jump."""

    kind = "scaled"

    def __init__(self, factor: float, start: float = DEFAULT_EPOCH) -> None:
        if factor <= 0:
            raise ValueError(f"clock factor must be positive, got {factor}")
        self.factor = float(factor)
        self._start = float(start)
        self._wall_start = time.monotonic()
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            elapsed = time.monotonic() - self._wall_start
            return self._start + elapsed * self.factor + self._offset

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError(f"cannot move the clock backwards (seconds={seconds})")
        with self._lock:
            self._offset += float(seconds)
        return self.now()

    def restart(self) -> None:
        """Back to the start (reset): a reset fake replays exactly like a fresh one."""
        with self._lock:
            self._wall_start = time.monotonic()
            self._offset = 0.0

    def set(self, when: float) -> None:
        """Restore a saved time (snapshots); never moves backwards."""
        current = self.now()
        if when > current:
            self.advance(when - current)


def parse_clock(spec: str, start: float = DEFAULT_EPOCH) -> Clock:
    """Build a clock from `real`, `manual` or `scaled:FACTOR` (the CLI's --clock)."""
    if spec == "real":
        return SystemClock()
    if spec == "manual":
        return ManualClock(start)
    if spec.startswith("scaled:"):
        raw = spec.split(":", 1)[1]
        try:
            factor = float(raw)
        except ValueError:
            raise ValueError(
                f"bad clock {spec!r}: FACTOR must be a number, e.g. scaled:60"
            ) from None
        return ScaledClock(factor, start)
    raise ValueError(f"bad clock {spec!r}: use real, manual or scaled:FACTOR")


def iso(ts: float) -> datetime:
    """A timestamp as an aware UTC datetime (what the API layer serializes)."""
    return datetime.fromtimestamp(ts, tz=UTC)


def wait_for(event: threading.Event, seconds: float | None) -> bool:
    """Wait (wall time) until `event` is set or `seconds` pass (None: no limit); whether it was
    set. What a thread waiting for the engine's next due event uses (engine/driver.py)."""
    return event.wait(seconds)


def pause(seconds: float) -> None:
    """Hold the calling thread `seconds` of wall time (the latency fault: a slow answer is slow
    for the client whatever the virtual clock says)."""
    threading.Event().wait(seconds)
