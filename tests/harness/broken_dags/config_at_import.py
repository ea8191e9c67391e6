"""Broken on purpose: reads the deployment's configuration when the file is imported."""

import os
from datetime import datetime

from airflow.sdk import DAG

from mit_airflow.operators import ECSOperator
from mit_airflow.sensors import ECSTaskSensor

CLUSTER = os.environ.get("ECS_CLUSTER", "airflow-stage")

with DAG("broken_config_at_import", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    run = ECSOperator(
        task_id="run",
        cluster=CLUSTER,
        task_definition="airflow-stage-example",
        overrides={"containerOverrides": [{"name": "main", "command": ["true"]}]},
    )
    done = ECSTaskSensor(task_id="done", ecs_task_id="run", poke_interval=60)
    run >> done
