"""Broken on purpose: the sensor watches a task id that does not exist (a typo)."""

from datetime import datetime

from airflow.sdk import DAG

from mit_airflow.operators import ECSOperator
from mit_airflow.sensors import ECSTaskSensor

with DAG("broken_sensor_target", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    run = ECSOperator(
        task_id="run",
        task_definition="airflow-stage-example",
        overrides={"containerOverrides": [{"name": "main", "command": ["true"]}]},
    )
    done = ECSTaskSensor(task_id="done", ecs_task_id="runn", poke_interval=60)
    run >> done
