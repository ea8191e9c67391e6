"""ECSTaskSensor: wait for the ECS task an ECSOperator started, and judge how it ended.

Success only when the task is STOPPED and every essential container exited 0;
any other end fails the sensor at once (retrying cannot change how a container
ended) with a message naming the container, the exit code or the reason. ECS
errors that pass (throttling, server errors, dropped connections) only delay
the verdict. The containers' CloudWatch log lines are copied into this task's log.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from airflow.sdk import BaseSensorOperator
from airflow.sdk.exceptions import AirflowFailException
from botocore.exceptions import BotoCoreError, ClientError

from mit_airflow.config import ecs_cluster
from mit_airflow.ecs_client import aws_client
from mit_airflow.launches import Essentials
from mit_airflow.task_logs import log_lines
from mit_airflow.verdict import MalformedTask, Verdict, judge, require

#: ECS errors that say "try again later", never "your task failed".
TRANSIENT_ERRORS = {
    "ThrottlingException",
    "ServerException",
    "ServiceUnavailableException",
    "RequestLimitExceeded",
    "InternalFailure",
}
MISSING_KEY = "missing_checks"


class ECSTaskSensor(BaseSensorOperator):
    """Watch the task whose ARN the ECSOperator `ecs_task_id` returned."""

    template_fields: Sequence[str] = ("cluster", "ecs_task_id")
    ui_color = "#e4ecf0"

    def __init__(
        self,
        *,
        cluster: str | None = None,
        ecs_task_id: str,
        mode: str = "reschedule",
        aws_conn_id: str | None = "aws_default",
        region_name: str | None = None,
        missing_grace_checks: int = 3,
        deferrable: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("poke_interval", 60)
        super().__init__(mode=mode, **kwargs)
        self.cluster = cluster
        self.ecs_task_id = ecs_task_id
        self.aws_conn_id = aws_conn_id
        self.region_name = region_name
        self.missing_grace_checks = missing_grace_checks
        self.deferrable = deferrable
        self._missing_here = 0
        #: The try whose MISSING count `_missing_here` holds (None: not read from the store yet).
        self._missing_try: tuple[Any, ...] | None = None

    # -- what to watch -------------------------------------------------------------

    def task_arn(self, context: Any) -> str:
        arn = context["ti"].xcom_pull(task_ids=self.ecs_task_id)
        if not arn or not isinstance(arn, str) or ":task/" not in arn:
            raise AirflowFailException(
                f"{self.task_id}: task '{self.ecs_task_id}' returned no ECS taskArn (got {arn!r}); "
                "ecs_task_id must name the ECSOperator that started the container, upstream of this sensor"
            )
        return arn

    # -- one check -------------------------------------------------------------------

    def poke(self, context: Any) -> bool:
        arn = self.task_arn(context)
        cluster = self.cluster or ecs_cluster()
        ecs = aws_client("ecs", self.aws_conn_id, self.region_name)
        try:
            answer = ecs.describe_tasks(cluster=cluster, tasks=[arn])
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in TRANSIENT_ERRORS:
                self.log.warning("ECS answered %s; checking again later", code)
                return False
            raise AirflowFailException(f"ECS refused DescribeTasks for {arn}: {exc}") from None
        except BotoCoreError as exc:
            self.log.warning("Could not reach ECS (%s); checking again later", exc)
            return False
        tasks = answer.get("tasks") or []
        if not tasks:
            return self._missing(context, arn, answer.get("failures") or [])
        self._missing_reset(context)
        return self._judge(context, ecs, tasks[0])

    def _judge(self, context: Any, ecs: Any, task: dict[str, Any]) -> bool:
        try:
            arn = require(task, "taskArn", "task")
            essential = Essentials(ecs).of(require(task, "taskDefinitionArn", "task"))
            verdict = judge(task, essential)
        except MalformedTask as exc:
            raise AirflowFailException(
                f"ECS answered a task this sensor cannot judge: {exc}"
            ) from None
        if not verdict.done:
            self.log.info("%s: %s", arn, verdict.message)
            return False
        self._copy_logs(ecs, task)
        return self._finish(verdict, arn)

    def _finish(self, verdict: Verdict, arn: str) -> bool:
        if not verdict.ok:
            raise AirflowFailException(f"ECS task {arn}: {verdict.message}")
        self.log.info("ECS task %s: %s", arn, verdict.message)
        return True

    # -- MISSING: ECS is eventually consistent right after RunTask --------------------

    def _missing(self, context: Any, arn: str, failures: list[dict[str, Any]]) -> bool:
        reason = failures[0].get("reason", "MISSING") if failures else "MISSING"
        seen = self._missing_count(context) + 1
        store = context.get("task_state_store")
        if store is not None:
            store.set(MISSING_KEY, seen)
        self._missing_here = seen
        if seen > self.missing_grace_checks:
            raise AirflowFailException(
                f"ECS does not know task {arn} ({reason}) after {seen} checks: it was never started "
                "in this cluster, or it stopped more than an hour ago"
            )
        self.log.info(
            "ECS does not list %s yet (%s); check %d of %d",
            arn,
            reason,
            seen,
            self.missing_grace_checks,
        )
        return False

    def _missing_reset(self, context: Any) -> None:
        if self._missing_count(context):
            store = context.get("task_state_store")
            if store is not None:
                store.set(MISSING_KEY, 0)
        self._missing_here = 0

    def _missing_count(self, context: Any) -> int:
        """MISSING checks so far: read from the task state store once per try, then kept here.

        Only this try writes the count while it runs, so the copy held here stays true until
        the next try (which reads the store again: the count carries over retries)."""
        ti = context["ti"]
        this_try = tuple(
            getattr(ti, name, None)
            for name in ("dag_id", "run_id", "task_id", "map_index", "try_number")
        )
        store = context.get("task_state_store")
        if store is not None and self._missing_try != this_try:
            self._missing_here = store.get(MISSING_KEY) or 0
        self._missing_try = this_try
        return self._missing_here

    # -- logs ---------------------------------------------------------------------------

    def container_logs(self, ecs: Any, task: dict[str, Any]) -> list[str]:
        """Every container's CloudWatch lines (awslogs), as `[container] line`."""
        try:
            answer = ecs.describe_task_definition(taskDefinition=task["taskDefinitionArn"])
        except (ClientError, BotoCoreError):
            return []
        definition = answer.get("taskDefinition")
        if not definition or "taskArn" not in task:
            return []  # the logs are a courtesy: an answer without what they need has none
        logs = aws_client("logs", self.aws_conn_id, self.region_name)
        return [
            f"[{container.get('name')}] {line}"
            for container in task.get("containers", [])
            for line in log_lines(logs, definition, task, container.get("name", ""), limit=10_000)
        ]

    def _copy_logs(self, ecs: Any, task: dict[str, Any]) -> None:
        for line in self.container_logs(ecs, task):
            self.log.info("%s", line)

    # -- deferrable mode ----------------------------------------------------------------

    def execute(self, context: Any) -> Any:
        if not self.deferrable:
            return super().execute(context)
        from mit_airflow.triggers import ECSTaskStoppedTrigger

        arn = self.task_arn(context)
        if self.poke(context):
            return None
        self.defer(
            trigger=ECSTaskStoppedTrigger(
                cluster=self.cluster or ecs_cluster(),
                task_arn=arn,
                aws_conn_id=self.aws_conn_id,
                region_name=self.region_name,
                poll_interval=float(self.poke_interval),
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=self.timeout) if self.timeout else None,
        )
        return None

    def execute_complete(self, context: Any, event: dict[str, Any]) -> None:
        """The trigger saw the task stop (or vanish): judge it as a poke would."""
        if not self.poke(context):
            raise AirflowFailException(
                f"ECS task {event.get('task_arn')}: {event.get('message', 'not stopped')}"
            )
