"""add-user, delete-user and initialize: the password never reaches ECS, the output or the logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError
from test_cli_support import Cluster, airflow_cluster, container_override, run_task_params

PASSWORD = "correct-horse-battery-staple-7f3a"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with airflow_cluster() as made:
        yield made


def _environment(params: dict) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container_override(params).get("environment", [])}


def _assert_secret_nowhere(cluster: Cluster, output: str, caplog: pytest.LogCaptureFixture) -> None:
    assert PASSWORD not in cluster.calls_text(), "the password reached fakeecs's call log"
    assert PASSWORD not in output, "the password was printed"
    assert PASSWORD not in caplog.text, "the password reached a log line"


def test_add_user_hands_the_password_over_through_a_deleted_ssm_parameter(
    cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    result = cluster.run(
        "add-user", "--username", "alice", "--email", "alice@example.org", "--role", "User",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    (params,) = run_task_params(cluster)
    command = container_override(params)["command"]
    assert command[:2] == ["python", "-c"]
    assert command[3:] == [
        "airflow", "users", "create", "--username", "alice", "--email", "alice@example.org",
        "--firstname", "alice", "--lastname", "-", "--role", "User",
    ]  # fmt: skip
    parameter = _environment(params)["WORKFLOW_PASSWORD_PARAMETER"]
    assert parameter.startswith(f"/workflow/{cluster.names.cluster}/handoff/")
    ecs = cluster.client("ecs")
    arns = ecs.list_tasks(
        cluster=cluster.names.cluster, startedBy="workflow/add-user_alice", desiredStatus="STOPPED"
    )["taskArns"]
    described = ecs.describe_tasks(cluster=cluster.names.cluster, tasks=arns, include=["TAGS"])
    assert len(described["tasks"]) == 1
    assert PASSWORD not in str(described)
    with pytest.raises(ClientError, match="ParameterNotFound"):
        cluster.client("ssm").get_parameter(Name=parameter, WithDecryption=True)
    _assert_secret_nowhere(cluster, result.output, caplog)


def test_the_password_parameter_is_deleted_even_when_the_task_fails(
    cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    cluster.ecs.behaviour(
        family=f"{cluster.names.cluster}-worker", runSeconds=5, exitCode=1, logLines=["user exists"]
    )

    result = cluster.run(
        "add-user",
        "--username",
        "bob",
        "--email",
        "bob@example.org",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )

    assert result.exit_code == 1
    assert "exited with code 1" in result.output and "user exists" in result.output
    parameter = _environment(run_task_params(cluster)[0])["WORKFLOW_PASSWORD_PARAMETER"]
    assert (
        cluster.client("ssm").get_parameters_by_path(
            Path=f"/workflow/{cluster.names.cluster}/handoff"
        )["Parameters"]
        == []
    )
    assert parameter
    _assert_secret_nowhere(cluster, result.output, caplog)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--username", "carol", "--email", "not-an-address"], "is not an e-mail address"),
        (["--username", "has space", "--email", "c@example.org"], "use 1-64 letters"),
        (
            ["--username", "carol", "--email", "c@example.org", "--role", "God"],
            "'God' is not one of",
        ),
    ],
)
def test_bad_user_input_is_refused_before_anything_runs(
    cluster: Cluster, args: list[str], message: str
) -> None:
    result = cluster.run("add-user", *args, input=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 2
    assert message in result.output
    assert run_task_params(cluster) == []


def test_delete_user_asks_first_and_runs_airflow_users_delete(cluster: Cluster) -> None:
    declined = cluster.run("delete-user", "--username", "alice", input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    assert run_task_params(cluster) == []

    result = cluster.run("delete-user", "--username", "alice", "--yes")

    assert result.exit_code == 0, result.output
    (params,) = run_task_params(cluster)
    assert container_override(params)["command"] == [
        "airflow",
        "users",
        "delete",
        "--username",
        "alice",
    ]


def test_initialize_migrates_then_creates_the_admin(
    cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    result = cluster.run(
        "initialize",
        "--yes",
        "--username",
        "admin",
        "--email",
        "ops@example.org",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    migrate, create = run_task_params(cluster)
    assert container_override(migrate)["command"] == ["airflow", "db", "migrate"]
    assert container_override(create)["command"][3:6] == ["airflow", "users", "create"]
    assert container_override(create)["command"][-2:] == ["--role", "Admin"]
    _assert_secret_nowhere(cluster, result.output, caplog)


def test_initialize_asks_for_confirmation(cluster: Cluster) -> None:
    result = cluster.run(
        "initialize", "--username", "admin", "--email", "ops@example.org", input="n\n"
    )

    assert result.exit_code == 1
    assert "Initialize airflow-test" in result.output
    assert run_task_params(cluster) == []
