"""ECSOperator and ECSTaskSensor through real Airflow (dag.test()) against fakeecs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.mit_airflow.ecs_dag_support import (
    CLUSTER,
    advance_on_poke,
    ecs_environment,
    register,
    run_dag,
    task_states,
    write_dag,
)

PAIR_DAG = """
from datetime import datetime
from airflow.sdk import DAG
from mit_airflow.operators import ECSOperator
from mit_airflow.sensors import ECSTaskSensor

with DAG("DAG_ID", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    run = ECSOperator(task_id="run", task_definition="worker",
                      overrides={"containerOverrides": [{"name": "main", "command": ["go"]}]})
    wait = ECSTaskSensor(task_id="wait", ecs_task_id="run", poke_interval=0.01, timeout=600)
    run >> wait
"""


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Any:
    with ecs_environment(monkeypatch) as (fake, ecs):
        register(ecs, "worker")
        advance_on_poke(monkeypatch, fake)
        yield fake, ecs


def test_a_container_that_exits_0_succeeds(airflow_db: Path, dags_folder: Path, env: Any) -> None:
    fake, ecs = env
    fake.behaviour("worker", runSeconds=300, exitCode=0, logLines=["harvested 12 records"])
    run = run_dag(dags_folder, write_dag(dags_folder, PAIR_DAG))

    assert str(run.state) == "success"
    assert task_states(run) == {"run": "success", "wait": "success"}
    runs = [c for c in fake.calls() if c["operation"] == "RunTask"]
    assert len(runs) == 1
    params = runs[0]["params"]
    assert params["startedBy"].startswith("airflow:") and len(params["clientToken"]) == 64
    assert params["overrides"]["containerOverrides"][0]["command"] == ["go"]
    subnets = fake.default_network()["awsvpcConfiguration"]["subnets"]
    assert params["networkConfiguration"]["awsvpcConfiguration"]["subnets"] == subnets
    assert ecs.list_tasks(cluster=CLUSTER, desiredStatus="STOPPED")["taskArns"]


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        ({"runSeconds": 10, "exitCode": 3}, "container main exited with code 3"),
        (
            {"failToStart": "CannotPullContainerError: no such image"},
            "failed to start: CannotPullContainerError",
        ),
        ({"runSeconds": 10, "outOfMemory": True}, "OutOfMemoryError"),
    ],
)
def test_a_failed_container_fails_the_sensor(
    airflow_db: Path,
    dags_folder: Path,
    env: Any,
    behaviour: dict[str, Any],
    message: str,
    capfd: Any,
) -> None:
    fake, _ = env
    fake.behaviour("worker", **behaviour)
    run = run_dag(dags_folder, write_dag(dags_folder, PAIR_DAG))

    assert str(run.state) == "failed"
    assert task_states(run) == {"run": "success", "wait": "failed"}
    out, err = capfd.readouterr()
    assert message in out + err
    assert len([c for c in fake.calls() if c["operation"] == "RunTask"]) == 1
