"""A task that stays busy for `conf["seconds"]` on its first try only, on a queue the test picks.

It stands in for an operator waiting on a container, so that the worker stop
policy and Celery redelivery can be observed on their own; retries finish at once.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pendulum
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, get_current_context


def busy_on_first_try() -> int:
    ctx = get_current_context()
    seconds = float((ctx["dag_run"].conf or {}).get("seconds", 0))
    if ctx["ti"].try_number == 1:
        time.sleep(seconds)  # the workload itself, not a wait for a condition
    return ctx["ti"].try_number


for queue in ("default", "grace", "redelivery"):
    with DAG(
        f"e2e_sleep_{queue}",
        schedule=None,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
        is_paused_upon_creation=False,  # the deployment pauses new DAGs (workflows/)
        default_args={"retries": 1, "retry_delay": timedelta(seconds=1), "queue": queue},
    ):
        PythonOperator(task_id="busy", python_callable=busy_on_first_try)
