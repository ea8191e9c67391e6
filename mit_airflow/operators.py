"""ECSOperator: start one container task on ECS (Fargate by default) and return at once.

Safe under worker restarts: every launch carries a deterministic identity, and
before launching the operator looks for the task this task instance already
started. A running or succeeded task is reused, never started twice; a task
that failed is relaunched on a genuine retry. `ECSTaskSensor` watches the task.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException
from botocore.exceptions import ClientError

from mit_airflow.config import ecs_cluster, ecs_network_config
from mit_airflow.ecs_client import aws_client
from mit_airflow.identity import LaunchIdentity
from mit_airflow.launches import STATE_KEY, LaunchRefused, find, launch
from mit_airflow.verdict import MalformedTask


class ECSOperator(BaseOperator):
    """Start one ECS task and push its taskArn (the return value) for `ECSTaskSensor`.

    `cluster` defaults to ECS_CLUSTER and `network_configuration` (for awsvpc) to
    ECS_NETWORK_CONFIG, both read when the task runs.
    """

    template_fields: Sequence[str] = (
        "cluster",
        "task_definition",
        "overrides",
        "network_configuration",
    )
    template_fields_renderers = {"overrides": "json", "network_configuration": "json"}
    ui_color = "#f0ede4"

    def __init__(
        self,
        *,
        cluster: str | None = None,
        task_definition: str,
        overrides: dict[str, Any] | None = None,
        network_configuration: dict[str, Any] | None = None,
        launch_type: str = "FARGATE",
        aws_conn_id: str | None = "aws_default",
        region_name: str | None = None,
        tags: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.cluster = cluster
        self.task_definition = task_definition
        self.overrides = overrides or {}
        self.network_configuration = network_configuration
        self.launch_type = launch_type
        self.aws_conn_id = aws_conn_id
        self.region_name = region_name
        self.tags = tags or {}

    def _request(self, cluster: str, identity: LaunchIdentity) -> dict[str, Any]:
        request: dict[str, Any] = {
            "cluster": cluster,
            "taskDefinition": self.task_definition,
            "count": 1,
            "startedBy": identity.started_by,
            "tags": [*identity.tags(), *({"key": k, "value": v} for k, v in self.tags.items())],
            "overrides": self.overrides,
        }
        if self.launch_type:
            request["launchType"] = self.launch_type
        network = self.network_configuration
        if network is None and self.launch_type == "FARGATE":
            network = ecs_network_config()
        if network is not None:
            request["networkConfiguration"] = network
        return request

    def execute(self, context: Any) -> str:
        identity = LaunchIdentity.from_context(context)
        cluster = self.cluster or ecs_cluster()
        request = self._request(cluster, identity)
        store = context.get("task_state_store")
        remembered = list(store.get(STATE_KEY) or []) if store is not None else []
        ecs = aws_client("ecs", self.aws_conn_id, self.region_name)
        try:
            found = find(ecs, cluster, identity, remembered)
            if found.reusable is not None:
                arn = found.reusable["taskArn"]
                self.log.info(
                    "Reusing %s, started earlier for this task instance (%s)",
                    arn,
                    found.verdict.message,
                )
                return arn
            if found.failed:
                self.log.info(
                    "Earlier launches failed (%s): launching again", ", ".join(found.failed)
                )
            task, generation = launch(ecs, request, identity, generation=len(found.failed))
        except LaunchRefused as exc:
            raise AirflowException(str(exc)) from None
        except MalformedTask as exc:
            raise AirflowException(
                f"cannot start {self.task_definition} in {cluster}: {exc} "
                "(check the ECS endpoint this worker talks to)"
            ) from None
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise AirflowException(
                f"ECS refused to start {self.task_definition} in {cluster}: "
                f"{error.get('Code', 'error')}: {error.get('Message', exc)}"
            ) from None
        arn = task["taskArn"]
        if store is not None:
            store.set(STATE_KEY, [*remembered, arn])
        self.log.info(
            "Started %s (launch generation %d, startedBy %s)", arn, generation, identity.started_by
        )
        return arn

    def on_kill(self) -> None:
        """Leave the container running: an Airflow redeploy must not stop the work it started."""
        self.log.info("Worker is stopping; the ECS task keeps running and a retry will find it")
