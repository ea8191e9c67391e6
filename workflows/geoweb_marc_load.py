"""geoweb_marc_load: load this month's full Alma MARC export into GeoWeb's Solr, monthly on the 2nd.

`find_export` looks for this month's `ALMA_FULL_EXPORT_YYYY-MM` object in the
environment's export bucket (ALMA_EXPORT_BUCKET) and fails, naming what it
looked for, when it is not there; the slingshot container loads it into Solr
with its own task role. Configuration is read when the tasks run.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.providers.amazon.aws.hooks.s3 import S3Hook
from airflow.sdk import DAG, task
from airflow.sdk.exceptions import AirflowFailException

from mit_airflow.config import MACROS, env
from mit_airflow.operators import ECSOperator
from mit_airflow.sensors import ECSTaskSensor

EXPORT_PREFIX = "exlibris/marc/ALMA_FULL_EXPORT_"
DEFAULT_ARGS = {
    "owner": "geoweb",
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
}


@task(task_id="find_export")
def find_export(**context: Any) -> str:
    """The s3:// URI of this month's full export (the newest, when there are several)."""
    bucket = env("ALMA_EXPORT_BUCKET")
    month = context["logical_date"].strftime("%Y-%m")
    prefix = f"{EXPORT_PREFIX}{month}"
    keys = S3Hook(aws_conn_id="aws_default").list_keys(bucket_name=bucket, prefix=prefix)
    if not keys:
        raise AirflowFailException(
            f"No export for {month}: nothing in s3://{bucket}/ starts with {prefix} "
            "(has Alma's monthly full export run?)"
        )
    return f"s3://{bucket}/{sorted(keys)[-1]}"


with DAG(
    "geoweb_marc_load",
    schedule="0 6 2 * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULT_ARGS,
    user_defined_macros=MACROS,
    tags=["geoweb", "ecs"],
    doc_md=__doc__,
):
    export = find_export()
    load = ECSOperator(
        task_id="load",
        task_definition="slingshot-{{ airflow_environment() }}",
        overrides={
            "taskRoleArn": "{{ env('SLINGSHOT_TASK_ROLE_ARN') }}",
            "containerOverrides": [
                {
                    "name": "slingshot",
                    "command": [
                        "marc",
                        "--solr",
                        "{{ env('SOLR_URL') }}",
                        "{{ ti.xcom_pull(task_ids='find_export') }}",
                    ],
                }
            ],
        },
    )
    load_done = ECSTaskSensor(
        task_id="load_done", ecs_task_id="load", poke_interval=300, timeout=12 * 3600
    )
    export >> load >> load_done
