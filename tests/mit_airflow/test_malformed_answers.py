"""An ECS answer missing what the operators need fails the task with a message naming it.

Real fakeecs over HTTP; a botocore hook takes a key out of the parsed answer before the
operator sees it (what a broken proxy, an incompatible fake or a future API change does).
Never a KeyError, IndexError or TypeError reaching Airflow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowException

from mit_airflow.operators import ECSOperator
from mit_airflow.sensors import ECSTaskSensor
from tests.mit_airflow.ecs_dag_support import ecs_environment, register
from tests.mit_airflow.operator_attempts import StateStore, TaskInstance, after_answer, context


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Any:
    with ecs_environment(monkeypatch) as (fake, ecs):
        register(ecs, "worker")
        yield fake, ecs


def drop(*path: str | int) -> Callable[..., None]:
    """A hook that deletes parsed[path[0]][path[1]]...[last] from the answer."""

    def hook(parsed: dict[str, Any], **_: Any) -> None:
        node: Any = parsed
        for step in path[:-1]:
            node = node[step]
        del node[path[-1]]

    return hook


def empty(key: str) -> Callable[..., None]:
    def hook(parsed: dict[str, Any], **_: Any) -> None:
        parsed[key] = []

    return hook


@pytest.mark.parametrize(
    ("operation", "hook", "named"),
    [
        ("RunTask", drop("tasks", 0, "taskArn"), "RunTask task without 'taskArn'"),
        ("RunTask", drop("tasks", 0, "taskDefinitionArn"), "without 'taskDefinitionArn'"),
        ("RunTask", drop("tasks", 0, "lastStatus"), "without 'lastStatus'"),
        ("RunTask", empty("tasks"), "ECS did not start the task: no task and no reason"),
        ("RunTask", drop("tasks"), "ECS did not start the task: no task and no reason"),
        (
            "DescribeTaskDefinition",
            drop("taskDefinition"),
            "DescribeTaskDefinition answer without 'taskDefinition'",
        ),
    ],
    ids=["no-arn", "no-definition-arn", "no-status", "empty-tasks", "no-tasks", "no-definition"],
)
def test_the_operator_names_what_the_answer_lacked(
    env: Any, monkeypatch: pytest.MonkeyPatch, operation: str, hook: Any, named: str
) -> None:
    after_answer(monkeypatch, operation, hook)
    with pytest.raises(AirflowException) as raised:
        ECSOperator(task_id="run", task_definition="worker").execute(context(TaskInstance(), None))
    assert named in str(raised.value)


def test_a_retry_that_finds_a_malformed_earlier_launch_names_it(
    env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, ti = StateStore(), TaskInstance()
    ECSOperator(task_id="run", task_definition="worker").execute(context(ti, store))
    after_answer(monkeypatch, "DescribeTasks", drop("tasks", 0, "taskDefinitionArn"))
    with pytest.raises(AirflowException, match="ECS answered a task without 'taskDefinitionArn'"):
        ECSOperator(task_id="run", task_definition="worker").execute(context(ti, store))


@pytest.mark.parametrize(
    ("hook", "named"),
    [
        (drop("tasks", 0, "taskArn"), "without 'taskArn'"),
        (drop("tasks", 0, "lastStatus"), "without 'lastStatus'"),
        (drop("tasks", 0, "containers"), "without 'containers'"),
    ],
    ids=["no-arn", "no-status", "no-containers"],
)
def test_the_sensor_names_what_the_answer_lacked(
    env: Any, monkeypatch: pytest.MonkeyPatch, hook: Any, named: str
) -> None:
    fake, _ = env
    ti = TaskInstance()
    ti.xcom["run"] = ECSOperator(task_id="run", task_definition="worker").execute(context(ti, None))
    fake.advance(3600)  # stopped: the sensor needs every part of the answer to judge it
    after_answer(monkeypatch, "DescribeTasks", hook)
    sensor = ECSTaskSensor(task_id="run_done", ecs_task_id="run")
    with pytest.raises(AirflowException, match=f"cannot judge: ECS answered a .*{named}"):
        sensor.poke(context(ti, None))
