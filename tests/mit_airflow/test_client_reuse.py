"""Clients and the task state store are read as rarely as correctness allows.

A sensor checks its ECS task every minute for hours; building a boto3 client for each
check, or reading the task state store on each, costs more than the check itself. What
a user notices: the same client while nothing that shapes it changed, a new one as soon
as the endpoint, the credentials or the connection change; the MISSING count read once
per try, and still carried from one try to the next.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException

from mit_airflow.ecs_client import aws_client
from mit_airflow.operators import ECSOperator
from mit_airflow.sensors import MISSING_KEY, ECSTaskSensor
from tests.mit_airflow.ecs_dag_support import ecs_environment, register
from tests.mit_airflow.operator_attempts import StateStore, TaskInstance, context


def connection(**extra: str) -> str:
    return json.dumps({"conn_type": "aws", "extra": extra})


@pytest.fixture
def deployed(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A worker environment with the deployment's aws_default connection."""
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", connection())
    with ecs_environment(monkeypatch) as (fake, ecs):
        register(ecs, "worker")
        yield fake, ecs


def test_one_client_while_nothing_that_shapes_it_changes(
    deployed: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = aws_client("ecs", "aws_default", None)
    assert aws_client("ecs", "aws_default", None) is first
    assert aws_client("logs", "aws_default", None) is not first
    assert aws_client("ecs", "aws_default", "eu-west-1") is not first

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")  # another endpoint
    moved = aws_client("ecs", "aws_default", None)
    assert moved is not first and moved.meta.endpoint_url == "http://127.0.0.1:1"

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "rotated")  # new credentials
    rotated = aws_client("ecs", "aws_default", None)
    assert rotated is not moved

    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", connection(region_name="eu-central-1"))
    edited = aws_client("ecs", "aws_default", None)
    assert edited is not rotated and edited.meta.region_name == "eu-central-1"


def test_a_missing_connection_still_gets_a_working_client(
    deployed: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, ecs = deployed
    monkeypatch.delenv("AIRFLOW_CONN_AWS_DEFAULT")
    client = aws_client("ecs", "aws_default", None)
    assert client.list_clusters()["clusterArns"] == ecs.list_clusters()["clusterArns"]


@dataclass
class CountingStore(StateStore):
    reads: list[str] = field(default_factory=list)

    def get(self, key: str, default: Any = None) -> Any:
        self.reads.append(key)
        return super().get(key, default)


@dataclass
class Try(TaskInstance):
    try_number: int = 1


def test_the_sensor_reads_its_missing_count_once_per_try(deployed: Any) -> None:
    fake, _ = deployed
    fake.behaviour("worker", runSeconds=3600)
    ti, store = Try(), CountingStore()
    ti.xcom["run"] = ECSOperator(task_id="run", task_definition="worker").execute(context(ti, None))
    watch = ECSTaskSensor(task_id="wait", ecs_task_id="run")
    for _ in range(4):
        assert watch.poke(context(ti, store)) is False
    assert store.reads == [MISSING_KEY]

    ti.try_number = 2  # a retry reads the store again
    assert watch.poke(context(ti, store)) is False
    assert store.reads == [MISSING_KEY, MISSING_KEY]


def test_the_missing_count_carries_over_to_the_next_try(deployed: Any) -> None:
    fake, _ = deployed
    fake.settings(describeDelaySeconds=3600)  # ECS does not list the task yet
    ti, store = Try(), StateStore()
    ti.xcom["run"] = ECSOperator(task_id="run", task_definition="worker").execute(context(ti, None))
    watch = ECSTaskSensor(task_id="wait", ecs_task_id="run")
    for _ in range(2):
        assert watch.poke(context(ti, store)) is False
    ti.try_number = 2
    again = ECSTaskSensor(task_id="wait", ecs_task_id="run")  # a new worker, same task instance
    assert again.poke(context(ti, store)) is False
    assert store.get(MISSING_KEY) == 3
    with pytest.raises(AirflowFailException, match="after 4 checks"):
        again.poke(context(ti, store))
