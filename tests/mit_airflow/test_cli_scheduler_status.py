"""status, stop-scheduler, start-scheduler, and the one-line errors a person gets for their mistakes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_cli_support import Cluster, airflow_cluster


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with airflow_cluster() as made:
        yield made


def test_status_shows_every_service_with_its_counts(cluster: Cluster) -> None:
    result = cluster.run("status")

    assert result.exit_code == 0, result.output
    rows = {
        line.split("│")[1].strip(): line
        for line in result.output.splitlines()
        if line.count("│") > 5
    }
    for name in cluster.names.all_services():
        assert name in rows, result.output
    scheduler_row = [cell.strip() for cell in rows[cluster.names.scheduler].split("│")[1:-1]]
    assert scheduler_row[1:4] == ["2", "2", "0"]
    assert scheduler_row[4].startswith("primary 2/2")
    worker_row = [cell.strip() for cell in rows[cluster.names.worker].split("│")[1:-1]]
    assert worker_row[1:3] == ["2", "2"]
    assert "stopped" not in result.output


def test_stop_then_start_scheduler_restores_its_count(cluster: Cluster) -> None:
    stopped = cluster.run("stop-scheduler")

    assert stopped.exit_code == 0, stopped.output
    scheduler = cluster.service(cluster.names.scheduler)
    assert scheduler["desiredCount"] == 0 and scheduler["runningCount"] == 0
    assert "no DAG runs are scheduled until" in stopped.output
    status = cluster.run("status")
    assert f"{cluster.names.scheduler} is stopped" in status.output

    started = cluster.run("start-scheduler")

    assert started.exit_code == 0, started.output
    scheduler = cluster.service(cluster.names.scheduler)
    assert scheduler["desiredCount"] == 2 and scheduler["runningCount"] == 2


def test_start_scheduler_no_wait_returns_before_the_tasks_run(cluster: Cluster) -> None:
    assert cluster.run("stop-scheduler").exit_code == 0

    started = cluster.run("start-scheduler", "--no-wait", "--count", "1")

    assert started.exit_code == 0, started.output
    scheduler = cluster.service(cluster.names.scheduler)
    assert scheduler["desiredCount"] == 1 and scheduler["runningCount"] == 0
    assert cluster.pacers[-1].sleeps == 0


def test_unknown_cluster_is_one_line(cluster: Cluster) -> None:
    result = cluster.run("--cluster", "airflow-prdo", "status")

    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: unknown cluster 'airflow-prdo': check --cluster / WORKFLOW_CLUSTER and the AWS region"
    )


def test_unknown_service_is_one_line(cluster: Cluster) -> None:
    result = cluster.run("--worker", "airflow-test-wrker", "migrate-db")

    assert result.exit_code == 1
    assert result.output.strip().startswith(
        "Error: unknown service in cluster 'airflow-test': airflow-test-wrker"
    )
    assert cluster.calls("RunTask") == []


def test_service_names_come_from_the_environment(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKFLOW_SCHEDULER", "somewhere-else")

    result = cluster.run("status")

    assert result.exit_code == 1
    assert "somewhere-else" in result.output
