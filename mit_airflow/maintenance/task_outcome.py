"""The CLI judges one-off tasks exactly as ECSTaskSensor does: one shared rule.

Kept as the CLI's import point; the rule lives in `mit_airflow.verdict` and the
log reading in `mit_airflow.task_logs`.
"""

from __future__ import annotations

from typing import Any

from mit_airflow.task_logs import log_lines
from mit_airflow.verdict import Verdict as Outcome
from mit_airflow.verdict import judge

__all__ = ["Outcome", "judge", "last_log_lines"]


def last_log_lines(
    logs: Any,
    task_definition: dict[str, Any],
    task: dict[str, Any],
    container: str,
    limit: int = 20,
) -> list[str]:
    """The container's last `limit` log lines: what the CLI shows under a failed one-off task."""
    return log_lines(logs, task_definition, task, container, limit)
