"""One-off maintenance tasks (migrate-db, upgradedb, rotate-fernet-key) against fakeecs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_cli_support import Cluster, airflow_cluster, container_override, run_task_params


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with airflow_cluster() as made:
        yield made


@pytest.mark.parametrize("command", ["migrate-db", "upgradedb"])
def test_migrate_db_runs_airflow_db_migrate_on_the_worker_task_definition(
    cluster: Cluster, command: str
) -> None:
    cluster.ecs.behaviour(family=f"{cluster.names.cluster}-worker", runSeconds=40, exitCode=0)

    result = cluster.run(command)

    assert result.exit_code == 0, result.output
    assert "migrate-db finished" in result.output
    (params,) = run_task_params(cluster)
    worker = cluster.service(cluster.names.worker)
    assert params["taskDefinition"] == worker["taskDefinition"]
    assert params["networkConfiguration"] == cluster.network
    assert params["launchType"] == "FARGATE"
    assert container_override(params) == {
        "name": "airflow-worker",
        "command": ["airflow", "db", "migrate"],
    }
    assert 1 <= len(params["clientToken"]) <= 64
    # It waited for the task to stop: progress lines name the states it went through.
    assert "RUNNING" in result.output and "STOPPED" in result.output


def test_rotate_fernet_key_runs_its_airflow_command(cluster: Cluster) -> None:
    result = cluster.run("rotate-fernet-key")

    assert result.exit_code == 0, result.output
    (params,) = run_task_params(cluster)
    assert container_override(params)["command"] == ["airflow", "rotate-fernet-key"]


def test_a_task_that_exits_non_zero_shows_its_exit_code_and_last_log_lines(
    cluster: Cluster,
) -> None:
    cluster.ecs.behaviour(
        family=f"{cluster.names.cluster}-worker",
        runSeconds=25,
        exitCode=3,
        logLines=[
            "Running migrations",
            "sqlalchemy.exc.OperationalError: could not connect to server",
        ],
    )

    result = cluster.run("migrate-db")

    assert result.exit_code == 1
    assert "exited with code 3" in result.output
    assert "could not connect to server" in result.output
    assert "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error: migrate-db failed")


def test_a_task_that_fails_to_start_shows_the_reason(cluster: Cluster) -> None:
    reason = "CannotPullContainerError: pull image manifest has been retried 5 time(s)"
    cluster.ecs.behaviour(family=f"{cluster.names.cluster}-worker", failToStart=reason)

    result = cluster.run("migrate-db")

    assert result.exit_code == 1
    assert "CannotPullContainerError" in result.output


def test_out_of_memory_is_reported(cluster: Cluster) -> None:
    cluster.ecs.behaviour(family=f"{cluster.names.cluster}-worker", runSeconds=10, outOfMemory=True)

    result = cluster.run("rotate-fernet-key")

    assert result.exit_code == 1
    assert "137" in result.output


def test_no_capacity_is_one_clear_line(cluster: Cluster) -> None:
    cluster.ecs.faults([{"operation": "RunTask", "action": "no-capacity", "times": 1}])

    result = cluster.run("migrate-db")

    assert result.exit_code == 1
    assert "Error: ECS could not start the migrate-db task" in result.output
    assert "Traceback" not in result.output


def test_throttling_is_retried_with_backoff(cluster: Cluster) -> None:
    cluster.ecs.faults(
        [
            {"operation": "RunTask", "action": "throttle", "times": 2},
            {"operation": "DescribeTasks", "action": "throttle", "times": 3},
        ]
    )

    result = cluster.run("migrate-db")

    assert result.exit_code == 0, result.output
    assert result.output.count("retrying in") == 5
    assert len([c for c in cluster.calls("RunTask") if c["status"] == 200]) == 1


def test_throttling_that_never_ends_is_one_line(cluster: Cluster) -> None:
    cluster.ecs.faults([{"operation": "DescribeServices", "action": "throttle", "times": 100}])

    result = cluster.run("migrate-db")

    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "Error: AWS kept throttling DescribeServices after several retries: wait a minute and run the command again"
    )


def test_a_lost_run_task_response_starts_one_task_not_two(cluster: Cluster) -> None:
    cluster.ecs.faults([{"operation": "RunTask", "action": "lose-response", "times": 1}])

    result = cluster.run("migrate-db")

    assert result.exit_code == 0, result.output
    tokens = {c["params"]["clientToken"] for c in cluster.calls("RunTask")}
    assert len(cluster.calls("RunTask")) == 2 and len(tokens) == 1
    ecs = cluster.client("ecs")
    started = ecs.list_tasks(
        cluster=cluster.names.cluster, startedBy="workflow/migrate-db", desiredStatus="STOPPED"
    )
    assert len(started["taskArns"]) == 1


def test_each_run_is_a_new_task_even_for_the_same_command(cluster: Cluster) -> None:
    assert cluster.run("migrate-db").exit_code == 0
    assert cluster.run("migrate-db").exit_code == 0

    tokens = [c["params"]["clientToken"] for c in cluster.calls("RunTask")]
    assert len(set(tokens)) == 2


def test_ctrl_c_while_waiting_names_the_task_that_keeps_running(cluster: Cluster) -> None:
    def interrupt(_pacer: object) -> None:
        raise KeyboardInterrupt

    cluster.hook = interrupt

    result = cluster.run("migrate-db")

    assert result.exit_code == 130
    (task_arn,) = cluster.client("ecs").list_tasks(
        cluster=cluster.names.cluster, startedBy="workflow/migrate-db"
    )["taskArns"]
    assert (
        f"Error: interrupted; the migrate-db task keeps running on ECS: {task_arn}" in result.output
    )
