"""Broken on purpose: a template pulls an XCom key the upstream task never pushes."""

from datetime import datetime

from airflow.sdk import DAG, task

from mit_airflow.operators import ECSOperator
from mit_airflow.sensors import ECSTaskSensor


@task(task_id="make_path")
def make_path() -> str:
    return "s3://bucket/today.xml"  # pushed as return_value, not as "output_path"


with DAG("broken_xcom_key", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    path = make_path()
    run = ECSOperator(
        task_id="run",
        task_definition="airflow-stage-example",
        overrides={
            "containerOverrides": [
                {
                    "name": "main",
                    "command": [
                        "ingest",
                        "{{ ti.xcom_pull(task_ids='make_path', key='output_path') }}",
                    ],
                }
            ]
        },
    )
    done = ECSTaskSensor(task_id="done", ecs_task_id="run", poke_interval=60)
    path >> run >> done
