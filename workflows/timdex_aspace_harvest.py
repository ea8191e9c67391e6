"""timdex_aspace_harvest: harvest ArchivesSpace over OAI-PMH into TIMDEX, daily.

`output_key` computes today's S3 location; the oaiharvester container writes
the harvest there; the mario container ingests that file into Elasticsearch at
ES_URL. Both containers are watched by a sensor. Every value that comes from the
deployment (bucket, ES_URL, environment, cluster) is read when tasks run.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import DAG, task

from mit_airflow.config import MACROS, env
from mit_airflow.operators import ECSOperator
from mit_airflow.sensors import ECSTaskSensor

ASPACE_OAI = "https://archivesspace.mit.edu/oai"
DEFAULT_ARGS = {
    "owner": "timdex",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
}


@task(task_id="output_key")
def output_key(**context: Any) -> str:
    """The S3 URI of today's harvest: s3://TIMDEX_BUCKET/archivesspace/aspace-YYYY-MM-DD.xml."""
    bucket = env("TIMDEX_BUCKET")
    return f"s3://{bucket}/archivesspace/aspace-{context['ds']}.xml"


with DAG(
    "timdex_aspace_harvest",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULT_ARGS,
    user_defined_macros=MACROS,
    tags=["timdex", "ecs"],
    doc_md=__doc__,
):
    key = output_key()
    harvest = ECSOperator(
        task_id="harvest",
        task_definition="airflow-{{ airflow_environment() }}-oaiharvester",
        overrides={
            "containerOverrides": [
                {
                    "name": "oaiharvester",
                    "command": [
                        "--host",
                        ASPACE_OAI,
                        "--out",
                        "{{ ti.xcom_pull(task_ids='output_key') }}",
                        "harvest",
                        "--from-date",
                        "{{ macros.ds_add(ds, -1) }}",
                        "--format",
                        "oai_ead",
                    ],
                }
            ]
        },
    )
    harvest_done = ECSTaskSensor(
        task_id="harvest_done", ecs_task_id="harvest", poke_interval=120, timeout=6 * 3600
    )
    ingest = ECSOperator(
        task_id="ingest",
        task_definition="airflow-{{ airflow_environment() }}-mario",
        overrides={
            "containerOverrides": [
                {
                    "name": "mario",
                    "command": [
                        "--url",
                        "{{ env('ES_URL') }}",
                        "ingest",
                        "--source",
                        "aspace",
                        "--consumer",
                        "es",
                        "{{ ti.xcom_pull(task_ids='output_key') }}",
                    ],
                }
            ]
        },
    )
    ingest_done = ECSTaskSensor(
        task_id="ingest_done", ecs_task_id="ingest", poke_interval=120, timeout=6 * 3600
    )
    key >> harvest >> harvest_done >> ingest >> ingest_done
