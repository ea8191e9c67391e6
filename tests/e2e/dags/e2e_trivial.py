"""The smallest DAG: proves the scheduler, Celery workers and the execution API work together."""

from __future__ import annotations

import pendulum
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG

with DAG(
    "e2e_trivial",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    is_paused_upon_creation=False,  # the deployment pauses new DAGs (workflows/)
):
    PythonOperator(task_id="hello", python_callable=lambda: "hello from a celery worker")
