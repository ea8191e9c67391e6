"""The orchestration itself: a trivial DAG runs to success on a real CeleryExecutor worker."""

from __future__ import annotations

from harness.e2e.airflow_cluster import AirflowCluster
from harness.e2e.processes import ManagedProcess


def test_trivial_dag_runs_on_celery_workers(
    cluster: AirflowCluster, workers: list[ManagedProcess]
) -> None:
    workers.append(cluster.start_worker("smoke", queues="default"))
    cluster.wait_dag_parsed("e2e_trivial")
    cluster.trigger("e2e_trivial", "smoke-1")
    assert cluster.wait_run_finished("e2e_trivial", "smoke-1", timeout=180) == "success"
    hostname = cluster.scalar(
        "SELECT hostname FROM task_instance WHERE dag_id='e2e_trivial' AND run_id='smoke-1'"
    )
    assert hostname, "the task instance records the worker that ran it"
