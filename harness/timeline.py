"""What happened during one scenario run, in order: Airflow attempts, ECS task states,
faults that fired, worker deaths. The report draws it; the expectations count from it."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Event:
    seq: int
    wall: float  # seconds since the run started (real time)
    virtual: float  # fakeecs virtual seconds since the run started
    kind: str  # attempt, attempt-end, poke, ecs-call, ecs-state, container, fault, death, clock, finding, redeploy
    task_id: str | None
    text: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Timeline:
    started: float = field(default_factory=time.monotonic)
    virtual_start: float = 0.0
    events: list[Event] = field(default_factory=list)
    now_virtual: Any = None  # callable returning fakeecs virtual time

    def add(self, kind: str, task_id: str | None, text: str, **data: Any) -> Event:
        virtual = (self.now_virtual() - self.virtual_start) if self.now_virtual else 0.0
        event = Event(
            len(self.events), time.monotonic() - self.started, virtual, kind, task_id, text, data
        )
        self.events.append(event)
        return event

    def of(self, kind: str) -> list[Event]:
        return [e for e in self.events if e.kind == kind]

    def as_dicts(self) -> list[dict[str, Any]]:
        return [asdict(e) for e in self.events]
