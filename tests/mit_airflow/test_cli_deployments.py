"""status, redeploy and rollback show and act on the ECS service deployments of the Airflow services."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_cli_support import Cluster, airflow_cluster


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with airflow_cluster() as made:
        yield made


def _rows(output: str) -> dict[str, list[str]]:
    return {
        line.split("│")[1].strip(): [cell.strip() for cell in line.split("│")[1:-1]]
        for line in output.splitlines()
        if line.count("│") > 5
    }


def _pause_worker(cluster: Cluster, **timeout: Any) -> None:
    """Give the worker a PAUSE hook before scale-up (optionally timing out into a rollback)."""
    hook: dict[str, Any] = {"targetType": "PAUSE", "lifecycleStages": ["PRE_SCALE_UP"]}
    if timeout:
        hook["timeoutConfiguration"] = timeout
    cluster.client("ecs").update_service(
        cluster=cluster.names.cluster,
        service=cluster.names.worker,
        deploymentConfiguration={"lifecycleHooks": [hook]},
    )


def test_status_shows_each_services_latest_deployment(cluster: Cluster) -> None:
    result = cluster.run("status")

    assert result.exit_code == 0, result.output
    assert "latest service deployment" in result.output
    rows = _rows(result.output)
    assert rows[cluster.names.worker][5] == "successful 2/2"
    assert rows[cluster.names.scheduler][5] == "successful 2/2"


def test_redeploy_reports_each_service_deployment_it_started(cluster: Cluster) -> None:
    result = cluster.run("redeploy", "--yes")

    assert result.exit_code == 0, result.output
    for name in cluster.names.others():
        assert f"{name}: service deployment arn:aws:ecs:" in result.output
        assert f"{name}: successful" in result.output


def test_a_redeploy_that_ecs_rolls_back_stops_and_says_so(cluster: Cluster) -> None:
    _pause_worker(cluster, timeoutInMinutes=5, action="ROLLBACK")

    result = cluster.run("redeploy", "--yes")

    assert result.exit_code == 1, result.output
    assert f"the deployment of {cluster.names.worker} ended ROLLBACK_SUCCESSFUL" in result.output
    assert "rolled that service back to its previous revision" in result.output
    assert "start-scheduler" in result.output  # the recovery note
    status = cluster.run("status")
    assert "ROLLBACK_SUCCESSFUL" in status.output


def test_rollback_stops_a_deployment_in_progress(cluster: Cluster) -> None:
    ecs = cluster.client("ecs")
    _pause_worker(cluster)
    ecs.update_service(
        cluster=cluster.names.cluster, service=cluster.names.worker, forceNewDeployment=True
    )
    cluster.ecs.advance(5)
    paused = cluster.run("status")
    assert "paused at hook" in paused.output, paused.output

    result = cluster.run("rollback", "worker", "--yes")

    assert result.exit_code == 0, result.output
    assert f"{cluster.names.worker} is back on its previous revision" in result.output
    [latest] = ecs.list_service_deployments(
        cluster=cluster.names.cluster, service=cluster.names.worker, maxResults=1
    )["serviceDeployments"]
    assert latest["status"] == "ROLLBACK_SUCCESSFUL"
    assert [c["params"]["stopType"] for c in cluster.calls("StopServiceDeployment")] == ["ROLLBACK"]


def test_rollback_with_nothing_in_progress_is_a_one_line_error(cluster: Cluster) -> None:
    result = cluster.run("rollback", cluster.names.web, "--yes")

    assert result.exit_code == 1
    assert f"{cluster.names.web} has no deployment in progress to roll back" in result.output
    assert "Traceback" not in result.output
    assert cluster.calls("StopServiceDeployment") == []


def test_rollback_of_an_unknown_service_names_it(cluster: Cluster) -> None:
    result = cluster.run("rollback", "nope", "--yes")

    assert result.exit_code == 1
    assert "unknown service" in result.output and "nope" in result.output
