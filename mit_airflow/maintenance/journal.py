"""What the CLI must remember between runs, kept in SSM Parameter Store next to the cluster.

Two things: the scheduler's desired count while it is stopped (so start-scheduler and a
resumed redeploy restore it), and the progress of a redeploy (so running it again
finishes the job). Parameter Store is shared by everyone who maintains the cluster,
unlike a file on one laptop.
"""

from __future__ import annotations

import json
from typing import Any

from mit_airflow.maintenance.errors import error_code


class ClusterMemory:
    """Small JSON documents under `/workflow/<cluster>/` in SSM Parameter Store."""

    def __init__(self, ssm: Any, cluster: str) -> None:
        self._ssm = ssm
        self.prefix = f"/workflow/{cluster}"

    @property
    def scheduler_count_name(self) -> str:
        return f"{self.prefix}/scheduler-desired-count"

    @property
    def redeploy_name(self) -> str:
        return f"{self.prefix}/redeploy"

    def _get(self, name: str) -> str | None:
        try:
            return self._ssm.get_parameter(Name=name)["Parameter"]["Value"]
        except Exception as exc:
            if error_code(exc) == "ParameterNotFound":
                return None
            raise

    def _put(self, name: str, value: str, description: str) -> None:
        self._ssm.put_parameter(
            Name=name, Value=value, Type="String", Overwrite=True, Description=description
        )

    def _delete(self, name: str) -> None:
        try:
            self._ssm.delete_parameter(Name=name)
        except Exception as exc:
            if error_code(exc) != "ParameterNotFound":
                raise

    def scheduler_count(self) -> int | None:
        """The scheduler's desired count from before it was stopped, if recorded."""
        value = self._get(self.scheduler_count_name)
        try:
            return int(value) if value is not None and int(value) > 0 else None
        except ValueError:
            return None

    def remember_scheduler_count(self, count: int) -> None:
        self._put(
            self.scheduler_count_name,
            str(count),
            "scheduler desiredCount before `workflow` stopped it",
        )

    def redeploy(self) -> dict[str, Any] | None:
        """The unfinished redeploy's journal, or None when no redeploy is under way."""
        value = self._get(self.redeploy_name)
        if value is None:
            return None
        try:
            journal = json.loads(value)
        except ValueError:
            return None
        return journal if isinstance(journal, dict) else None

    def save_redeploy(self, journal: dict[str, Any]) -> None:
        self._put(
            self.redeploy_name,
            json.dumps(journal, sort_keys=True),
            "progress of an unfinished `workflow redeploy`",
        )

    def finish_redeploy(self) -> None:
        self._delete(self.redeploy_name)
