"""A time-ordered queue of what happens next, so advancing costs only what changes.

Events are plain tuples (time, seq, kind, key, plan, arg): no callables, so a
snapshot of the queue is data. `seq` breaks ties in insertion order, which keeps
runs with the same calls byte-for-byte identical.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(order=True)
class Event:
    time: float
    seq: int
    kind: str = field(compare=False)
    key: str = field(compare=False)
    plan: int = field(compare=False, default=0)
    arg: Any = field(compare=False, default=None)


class EventQueue:
    def __init__(self, on_push: Callable[[], None] | None = None) -> None:
        self._heap: list[Event] = []
        self._seq = 0
        self._on_push = on_push

    def __len__(self) -> int:
        return len(self._heap)

    def push(self, time: float, kind: str, key: str, plan: int = 0, arg: Any = None) -> None:
        self._seq += 1
        heapq.heappush(self._heap, Event(time, self._seq, kind, key, plan, arg))
        if self._on_push is not None:
            self._on_push()

    def pop_due(self, now: float) -> Event | None:
        """The earliest event at or before `now`, or None."""
        if self._heap and self._heap[0].time <= now:
            return heapq.heappop(self._heap)
        return None

    def next_time(self) -> float | None:
        return self._heap[0].time if self._heap else None

    def clear(self) -> None:
        self._heap.clear()

    def dump(self) -> dict[str, Any]:
        return {
            "seq": self._seq,
            "events": [[e.time, e.seq, e.kind, e.key, e.plan, e.arg] for e in self._heap],
        }

    def load(self, data: dict[str, Any]) -> None:
        self._seq = int(data["seq"])
        self._heap = [Event(*row) for row in data["events"]]
        heapq.heapify(self._heap)
