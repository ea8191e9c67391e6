"""Scenario 6 with a plain task: the scheduler restarted while it runs, as `workflow redeploy` does.

(test_ecs_restarts.py has the same with the ECS operator and sensor.)
"""

from __future__ import annotations

import signal

from harness.e2e.airflow_cluster import AirflowCluster
from harness.e2e.processes import ManagedProcess

DAG_ID = "e2e_sleep_default"


def test_run_resumes_after_scheduler_restart(
    cluster: AirflowCluster, workers: list[ManagedProcess]
) -> None:
    workers.append(cluster.start_worker("sched-restart", queues="default"))
    cluster.wait_dag_parsed(DAG_ID)
    cluster.trigger(DAG_ID, "sched-1", {"seconds": 15})
    cluster.wait_ti_state(DAG_ID, "sched-1", "busy", {"running"})
    scheduler = cluster.processes["scheduler"]
    scheduler.signal(signal.SIGTERM)
    scheduler.wait_exit(timeout=60)
    cluster.start_scheduler()
    assert cluster.wait_run_finished(DAG_ID, "sched-1", timeout=180) == "success"
    assert cluster.ti(DAG_ID, "sched-1", "busy") == ("success", 1), (
        "the running task was neither lost nor re-run"
    )
