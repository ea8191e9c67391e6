"""Scenario 4: the production stop policy (SIGTERM, grace period, SIGKILL) on real Celery workers.

The worker runs under mit_airflow.worker_supervisor exactly as in the container
(grace 120 s in production, a few seconds here).
"""

from __future__ import annotations

import signal
import time

from harness.e2e.airflow_cluster import AirflowCluster
from harness.e2e.processes import ManagedProcess

DAG_ID = "e2e_sleep_grace"


def _stop_worker_during_task(
    cluster: AirflowCluster,
    workers: list[ManagedProcess],
    name: str,
    grace: float,
    seconds: float,
    run_id: str,
) -> float:
    worker = cluster.start_worker(name, grace=grace, queues="grace")
    workers.append(worker)
    cluster.wait_dag_parsed(DAG_ID)
    cluster.trigger(DAG_ID, run_id, {"seconds": seconds})
    cluster.wait_ti_state(DAG_ID, run_id, "busy", {"running"})
    started = time.monotonic()
    worker.signal(signal.SIGTERM)  # what ECS sends to the container's PID 1
    worker.wait_exit(timeout=grace + 60)
    return time.monotonic() - started


def test_task_finishing_within_grace_completes_on_first_try(
    cluster: AirflowCluster, workers: list[ManagedProcess]
) -> None:
    took = _stop_worker_during_task(
        cluster, workers, "grace-a", grace=30, seconds=8, run_id="grace-within"
    )
    assert cluster.wait_run_finished(DAG_ID, "grace-within") == "success"
    assert cluster.ti(DAG_ID, "grace-within", "busy") == ("success", 1)
    assert took < 30, (
        f"the worker waited for its task, then left before the grace ended ({took:.1f}s)"
    )
    assert "still running after" not in cluster.processes["grace-a"].log_text(), (
        "no SIGKILL was needed"
    )


def test_task_outliving_grace_is_killed_then_retried(
    cluster: AirflowCluster, workers: list[ManagedProcess]
) -> None:
    took = _stop_worker_during_task(
        cluster, workers, "grace-b", grace=3, seconds=300, run_id="grace-beyond"
    )
    assert took < 30, f"the supervisor killed the worker soon after the grace ({took:.1f}s)"
    assert "still running after 3s; SIGKILL" in cluster.processes["grace-b"].log_text()
    # The container is gone; Airflow notices through the heartbeat timeout and retries elsewhere.
    workers.append(cluster.start_worker("grace-c", grace=3, queues="grace"))
    assert cluster.wait_run_finished(DAG_ID, "grace-beyond", timeout=180) == "success"
    assert cluster.ti(DAG_ID, "grace-beyond", "busy") == ("success", 2)
