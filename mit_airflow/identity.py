"""The identity of one launch: which task instance started which ECS task.

Derived only from dag_id, run_id, task_id and map_index, so every attempt of the
same task instance computes the same identity. It gives ECS a `startedBy` (so a
later attempt can find the task with ListTasks), tags (for people), and a
`clientToken` per launch generation (so a RunTask retried after a lost answer
cannot start a second task, while a deliberate relaunch after a failure can).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

STARTED_BY_PREFIX = "airflow:"


@dataclass(frozen=True)
class LaunchIdentity:
    dag_id: str
    run_id: str
    task_id: str
    map_index: int = -1

    @classmethod
    def from_context(cls, context: Any) -> LaunchIdentity:
        ti = context["ti"]
        map_index = getattr(ti, "map_index", -1)
        return cls(ti.dag_id, ti.run_id, ti.task_id, -1 if map_index is None else int(map_index))

    def _digest(self, *extra: str) -> str:
        text = "\x1f".join((self.dag_id, self.run_id, self.task_id, str(self.map_index), *extra))
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def started_by(self) -> str:
        """`airflow:` and 40 hex digits: fits ECS's 128-character limit for any ids."""
        return STARTED_BY_PREFIX + self._digest()[:40]

    def client_token(self, generation: int) -> str:
        """64 hex digits, unique per task instance and launch generation (0, 1, ...)."""
        return self._digest("launch", str(generation))

    def tags(self) -> list[dict[str, str]]:
        """Readable tags on the ECS task (values cut to ECS's 256 characters)."""
        values = {
            "airflow:dag_id": self.dag_id,
            "airflow:run_id": self.run_id,
            "airflow:task_id": self.task_id,
            "airflow:map_index": str(self.map_index),
        }
        return [{"key": k, "value": v[:256]} for k, v in values.items()]
