"""DiscoverPollEndpoint and ExecuteCommand through boto3: the endpoints' shapes, and ECS Exec's
checks (enableExecuteCommand, a RUNNING task, the container, interactive) with a session that
has nothing behind it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from fakeecs import FakeECS
from fakeecs.api.agent import NOT_ENABLED
from tests.fakeecs.conftest import CLUSTER, FAMILY, describe, fargate_task_definition, network, run

ROLE = "arn:aws:iam::123456789012:role/task"


def exec_in(ecs: Any, task: str, **extra: Any) -> dict[str, Any]:
    params = {"cluster": CLUSTER, "task": task, "command": "/bin/sh", "interactive": True}
    return ecs.execute_command(**{**params, **extra})


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


@pytest.fixture
def with_role(ecs: Any) -> Any:
    ecs.register_task_definition(**fargate_task_definition(taskRoleArn=ROLE))
    return ecs


def test_discover_poll_endpoint_answers_ecs_shaped_endpoints(ecs: Any) -> None:
    answer = ecs.discover_poll_endpoint(cluster=CLUSTER, containerInstance="abc")
    assert answer["endpoint"] == "https://ecs-a-1.us-east-1.amazonaws.com/"
    assert answer["telemetryEndpoint"] == "https://ecs-t-1.us-east-1.amazonaws.com/"
    assert answer["serviceConnectEndpoint"] == "https://ecs-sc.us-east-1.amazonaws.com"


def test_execute_command_on_a_running_task_answers_a_session(fake: FakeECS, with_role: Any) -> None:
    ecs = with_role
    fake.behaviour(FAMILY, runSeconds=600)
    task = run(ecs, enableExecuteCommand=True)["tasks"][0]
    assert task["enableExecuteCommand"] is True
    fake.advance(10)
    answer = exec_in(ecs, task["taskArn"].rsplit("/", 1)[-1])
    assert answer["taskArn"] == task["taskArn"]
    assert answer["clusterArn"] == task["clusterArn"]
    assert answer["containerName"] == "main"
    assert answer["containerArn"] == task["containers"][0]["containerArn"]
    assert answer["interactive"] is True
    session = answer["session"]
    assert re.fullmatch(r"ecs-execute-command-[0-9a-f]{17}", session["sessionId"])
    assert session["streamUrl"] == (
        f"wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/{session['sessionId']}"
        "?role=publish_subscribe"
    )
    assert session["tokenValue"]
    agents = describe(ecs, task["taskArn"])["containers"][0]["managedAgents"]
    assert [(a["name"], a["lastStatus"]) for a in agents] == [("ExecuteCommandAgent", "RUNNING")]


def test_a_task_run_without_execute_command_is_refused_with_ecs_words(
    fake: FakeECS, ecs: Any
) -> None:
    fake.behaviour(FAMILY, runSeconds=600)
    task = run(ecs)["tasks"][0]
    fake.advance(10)
    assert describe(ecs, task["taskArn"])["enableExecuteCommand"] is False
    with pytest.raises(ClientError) as exc:
        exec_in(ecs, task["taskArn"])
    assert error(exc) == ("InvalidParameterException", NOT_ENABLED)
    assert NOT_ENABLED.startswith(
        "The execute command failed because execute command was not enabled when the task was run"
    )


def test_before_running_the_agent_is_not_up_and_after_it_cannot_be_reached(
    fake: FakeECS, with_role: Any
) -> None:
    ecs = with_role
    fake.behaviour(FAMILY, runSeconds=30)
    arn = run(ecs, enableExecuteCommand=True)["tasks"][0]["taskArn"]
    with pytest.raises(ClientError) as exc:
        exec_in(ecs, arn)  # PROVISIONING: wait and try again
    assert error(exc) == ("InvalidParameterException", NOT_ENABLED)
    fake.advance(10)
    ecs.stop_task(cluster=CLUSTER, task=arn)
    with pytest.raises(ClientError) as exc:
        exec_in(ecs, arn)
    assert error(exc) == (
        "TargetNotConnectedException",
        "The execute command failed due to an internal error. Try again later.",
    )


def test_the_container_must_be_named_when_there_are_several(fake: FakeECS, ecs: Any) -> None:
    two = [{"name": "app", "image": "x"}, {"name": "sidecar", "image": "y"}]
    ecs.register_task_definition(
        **fargate_task_definition(family="pair", containerDefinitions=two, taskRoleArn=ROLE)
    )
    fake.behaviour("pair", runSeconds=600)
    arn = run(ecs, taskDefinition="pair", enableExecuteCommand=True)["tasks"][0]["taskArn"]
    fake.advance(10)
    with pytest.raises(ClientError, match="more than one container"):
        exec_in(ecs, arn)
    with pytest.raises(ClientError, match="The container nope does not exist"):
        exec_in(ecs, arn, container="nope")
    assert exec_in(ecs, arn, container="sidecar")["containerName"] == "sidecar"


def test_interactive_is_the_only_mode_and_unknown_tasks_are_refused(ecs: Any) -> None:
    with pytest.raises(ClientError) as exc:
        exec_in(ecs, "0" * 32, interactive=False)
    assert error(exc) == (
        "InvalidParameterException",
        "Interactive is the only mode supported currently.",
    )
    with pytest.raises(ClientError, match="task was not found"):
        exec_in(ecs, "0" * 32)
    with pytest.raises(ClientError) as exc:
        exec_in(ecs, "0" * 32, cluster="nowhere")
    assert error(exc)[0] == "ClusterNotFoundException"


def test_execute_command_needs_a_task_role_at_run_task(ecs: Any) -> None:
    with pytest.raises(ClientError, match="a valid task role is not being used"):
        run(ecs, enableExecuteCommand=True)
    task = run(ecs, enableExecuteCommand=True, overrides={"taskRoleArn": ROLE})["tasks"][0]
    assert task["enableExecuteCommand"] is True


def test_service_tasks_carry_the_services_execute_command_setting(
    fake: FakeECS, with_role: Any
) -> None:
    ecs = with_role
    ecs.create_service(
        cluster=CLUSTER,
        serviceName="svc",
        taskDefinition=FAMILY,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=network(ecs),
        enableExecuteCommand=True,
    )
    fake.advance(10)
    [arn] = ecs.list_tasks(cluster=CLUSTER, serviceName="svc")["taskArns"]
    assert exec_in(ecs, arn)["taskArn"] == arn


def create_service(ecs: Any, **extra: Any) -> dict[str, Any]:
    params = {
        "cluster": CLUSTER,
        "serviceName": "svc",
        "taskDefinition": FAMILY,
        "desiredCount": 1,
        "launchType": "FARGATE",
        "networkConfiguration": network(ecs),
    }
    return ecs.create_service(**{**params, **extra})["service"]


def service_task(ecs: Any) -> str:
    [arn] = ecs.list_tasks(cluster=CLUSTER, serviceName="svc", desiredStatus="RUNNING")["taskArns"]
    return arn


def test_create_service_with_execute_command_needs_a_task_role(ecs: Any) -> None:
    with pytest.raises(ClientError) as exc:
        create_service(ecs, enableExecuteCommand=True)
    assert error(exc) == (
        "InvalidParameterException",
        "The service couldn't be created because a valid taskRoleArn is not being used. Specify "
        "a valid task role in your task definition and try again.",
    )
    assert ecs.list_services(cluster=CLUSTER)["serviceArns"] == []


def test_update_service_turns_execute_command_on_for_the_tasks_it_starts_next(
    fake: FakeECS, ecs: Any
) -> None:
    create_service(ecs)
    fake.advance(10)
    with pytest.raises(ClientError) as exc:  # the task definition has no task role
        ecs.update_service(cluster=CLUSTER, service="svc", enableExecuteCommand=True)
    assert "couldn't be updated because a valid taskRoleArn" in error(exc)[1]
    ecs.register_task_definition(**fargate_task_definition(taskRoleArn=ROLE))
    updated = ecs.update_service(
        cluster=CLUSTER, service="svc", taskDefinition=FAMILY, enableExecuteCommand=True
    )["service"]
    assert updated["enableExecuteCommand"] is True
    fake.advance(60)  # the new revision's deployment replaced the task
    arn = service_task(ecs)
    assert describe(ecs, arn)["enableExecuteCommand"] is True
    assert exec_in(ecs, arn)["taskArn"] == arn


def test_turning_execute_command_on_does_not_change_running_tasks(
    fake: FakeECS, with_role: Any
) -> None:
    ecs = with_role
    create_service(ecs)
    fake.advance(10)
    first = service_task(ecs)
    ecs.update_service(cluster=CLUSTER, service="svc", enableExecuteCommand=True)
    fake.advance(60)  # "This parameter doesn't trigger a new service deployment."
    assert service_task(ecs) == first
    with pytest.raises(ClientError) as exc:
        exec_in(ecs, first)
    assert error(exc) == ("InvalidParameterException", NOT_ENABLED)
    ecs.update_service(cluster=CLUSTER, service="svc", forceNewDeployment=True)
    fake.advance(60)
    second = service_task(ecs)
    assert second != first and exec_in(ecs, second)["taskArn"] == second
