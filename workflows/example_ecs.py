"""example_ecs: the minimal pattern every ECS DAG follows.

ECSOperator starts a container and returns at once; ECSTaskSensor waits for it
and fails when it failed. Two containers in a row show the chain. Configuration
(cluster, network, environment) is read when the tasks run, never here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG

from mit_airflow.config import MACROS
from mit_airflow.operators import ECSOperator
from mit_airflow.sensors import ECSTaskSensor

DEFAULT_ARGS = {
    "owner": "library-it",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
}

with DAG(
    "example_ecs",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULT_ARGS,
    user_defined_macros=MACROS,
    tags=["example", "ecs"],
    doc_md=__doc__,
):
    first = ECSOperator(
        task_id="first",
        task_definition="airflow-{{ airflow_environment() }}-example",
        overrides={"containerOverrides": [{"name": "example", "command": ["echo", "first"]}]},
    )
    first_done = ECSTaskSensor(
        task_id="first_done", ecs_task_id="first", poke_interval=60, timeout=3600
    )
    second = ECSOperator(
        task_id="second",
        task_definition="airflow-{{ airflow_environment() }}-example",
        overrides={"containerOverrides": [{"name": "example", "command": ["echo", "second"]}]},
    )
    second_done = ECSTaskSensor(
        task_id="second_done", ecs_task_id="second", poke_interval=60, timeout=3600
    )
    first >> first_done >> second >> second_done
