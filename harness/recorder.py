"""What a run records, from both sides: Airflow's tries and ECS's tasks and containers.

`AttemptRecorder` is an Airflow listener (each try's start and end, with its error);
`EcsRecorder` listens to the fake's engine (every task state, every container that
stopped). Both write on the run's timeline; the ECS side also answers which ECS
tasks each Airflow task started and which of them ran to success, judged from
what the containers did, not from what the operators said.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from airflow.listeners import hookimpl

from harness.instrument import retry_pending
from harness.timeline import Timeline


def state_name(value: Any) -> str:
    """`TaskInstanceState.UP_FOR_RETRY` or `up_for_retry` -> `up_for_retry`."""
    return str(value or "none").rsplit(".", 1)[-1].lower()


class AttemptRecorder:
    """Airflow listener: every try's start and end (with its error) on the timeline."""

    def __init__(self) -> None:
        self.timeline: Timeline | None = None
        self.errors: dict[tuple[str, int], str] = {}

    def start(self, timeline: Timeline) -> None:
        self.timeline, self.errors = timeline, {}

    def stop(self) -> None:
        self.timeline = None

    @hookimpl
    def on_task_instance_running(self, previous_state: Any, task_instance: Any) -> None:
        if self.timeline is not None:
            number = int(task_instance.try_number)
            self.timeline.add(
                "attempt", task_instance.task_id, f"try {number} running", try_number=number
            )

    @hookimpl
    def on_task_instance_success(self, previous_state: Any, task_instance: Any) -> None:
        if self.timeline is not None:
            number = int(task_instance.try_number)
            self.timeline.add(
                "attempt-end",
                task_instance.task_id,
                f"try {number} succeeded",
                state="success",
                try_number=number,
            )

    @hookimpl
    def on_task_instance_failed(self, previous_state: Any, task_instance: Any, error: Any) -> None:
        if self.timeline is None:
            return
        number = int(task_instance.try_number)
        state = state_name(getattr(task_instance, "state", "failed") or "failed")
        text = (
            f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else str(error)
        )
        self.errors[(task_instance.task_id, number)] = text
        self.timeline.add(
            "attempt-end",
            task_instance.task_id,
            f"try {number} {state}: {text}",
            state=state,
            try_number=number,
        )
        if state == "up_for_retry":
            retry_pending(task_instance.task_id)


@dataclass
class EcsRecorder:
    """Engine listener: ECS task states and stopped containers, per Airflow task."""

    timeline: Timeline
    events: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, kind: str, task: Any, container: Any) -> None:
        tags = {t.get("key"): t.get("value") for t in task.tags}
        event = {
            "kind": kind,
            "arn": task.arn,
            "short": task.arn.rsplit("/", 1)[-1][:8],
            "task_id": tags.get("airflow:task_id"),
            "state": task.last_status,
            "container": getattr(container, "name", None),
            "essential": getattr(container, "essential", None),
            "exit": getattr(container, "exit_code", None),
        }
        self.events.append(event)
        if kind == "task_state":
            text = f"ECS task {event['short']} {task.last_status}"
            if task.last_status == "STOPPED":
                text += f" ({task.stop_code}: {task.stopped_reason})"
            self.timeline.add(
                "ecs-state", event["task_id"], text, arn=task.arn, state=task.last_status
            )
        elif kind == "container_stopped":
            detail = (
                "no exit code" if container.exit_code is None else f"exit {container.exit_code}"
            )
            if container.reason:
                detail += f", {container.reason}"
            self.timeline.add(
                "container",
                event["task_id"],
                f"{event['short']} {container.name} stopped ({detail})",
                arn=task.arn,
            )

    def launches(self) -> dict[str, list[str]]:
        """Airflow task id -> the ECS task ARNs it started, in order."""
        found: dict[str, list[str]] = {}
        for e in self.events:
            arns = found.setdefault(e["task_id"], []) if e["task_id"] else None
            if arns is not None and e["kind"] == "task_state" and e["arn"] not in arns:
                arns.append(e["arn"])
        return found

    def succeeded(self, arn: str) -> bool:
        """STOPPED with every essential container at exit 0 (the sensor's rule, from ECS's side)."""
        mine = [e for e in self.events if e["arn"] == arn]
        stopped = any(e["kind"] == "task_state" and e["state"] == "STOPPED" for e in mine)
        exits = {
            e["container"]: e["exit"]
            for e in mine
            if e["kind"] == "container_stopped" and e["essential"]
        }
        return stopped and bool(exits) and all(code == 0 for code in exits.values())

    def relaunched_early(self, arns: list[str]) -> list[str]:
        """Launches started while the one before was still running, or after it succeeded:
        what the idempotency promise forbids (a relaunch only follows a failed launch)."""
        first_seen = {}
        stopped_at = {}
        for index, e in enumerate(self.events):
            if e["kind"] == "task_state":
                first_seen.setdefault(e["arn"], index)
                if e["state"] == "STOPPED":
                    stopped_at.setdefault(e["arn"], index)
        early = []
        for before, after in itertools.pairwise(arns):
            gone = stopped_at.get(before, len(self.events)) < first_seen[after]
            if not gone or self.succeeded(before):
                early.append(after)
        return early
