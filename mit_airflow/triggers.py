"""A trigger for ECSTaskSensor(deferrable=True): polls DescribeTasks from the triggerer,
freeing the worker slot while a long container runs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent
from botocore.exceptions import BotoCoreError, ClientError

from mit_airflow.ecs_client import aws_client


class ECSTaskStoppedTrigger(BaseTrigger):
    def __init__(
        self,
        cluster: str,
        task_arn: str,
        aws_conn_id: str | None,
        region_name: str | None,
        poll_interval: float = 60.0,
        missing_limit: int = 3,
    ) -> None:
        super().__init__()
        self.cluster = cluster
        self.task_arn = task_arn
        self.aws_conn_id = aws_conn_id
        self.region_name = region_name
        self.poll_interval = poll_interval
        self.missing_limit = missing_limit

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            "mit_airflow.triggers.ECSTaskStoppedTrigger",
            {
                "cluster": self.cluster,
                "task_arn": self.task_arn,
                "aws_conn_id": self.aws_conn_id,
                "region_name": self.region_name,
                "poll_interval": self.poll_interval,
                "missing_limit": self.missing_limit,
            },
        )

    def _status(self) -> str | None:
        ecs = aws_client("ecs", self.aws_conn_id, self.region_name)
        tasks = ecs.describe_tasks(cluster=self.cluster, tasks=[self.task_arn]).get("tasks") or []
        return tasks[0].get("lastStatus") if tasks else None

    async def run(self) -> AsyncIterator[TriggerEvent]:
        missing = 0
        while True:
            try:
                status = await asyncio.to_thread(self._status)
            except (ClientError, BotoCoreError):
                status = "UNKNOWN"  # transient: look again later; the sensor judges errors
            if status == "STOPPED":
                yield TriggerEvent({"task_arn": self.task_arn, "message": "stopped"})
                return
            if status is None:
                missing += 1
                if missing > self.missing_limit:
                    yield TriggerEvent({"task_arn": self.task_arn, "message": "MISSING"})
                    return
            await asyncio.sleep(self.poll_interval)
