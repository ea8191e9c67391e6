"""StartTask checks a request exactly as RunTask does (one set of rules for both), ECS Exec's
task-role check included, and starts the same tasks RunTask would on the instance named."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from fakeecs import FakeECS
from tests.fakeecs.conftest import CLUSTER, MADE_UP_NETWORK
from tests.fakeecs.ec2_instances import ec2_definition, register

ROLE = "arn:aws:iam::123456789012:role/task"


def run_ec2(ecs: Any, **extra: Any) -> dict[str, Any]:
    params = {"cluster": CLUSTER, "taskDefinition": "web", "launchType": "EC2", **extra}
    return ecs.run_task(**params)


def start(ecs: Any, instance: str, **extra: Any) -> dict[str, Any]:
    params = {"cluster": CLUSTER, "taskDefinition": "web", "containerInstances": [instance]}
    return ecs.start_task(**{**params, **extra})


def refusal(call: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        call()
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


BAD_REQUESTS = [
    {"overrides": {"containerOverrides": [{"name": "nope", "command": ["x"]}]}},
    {"networkConfiguration": MADE_UP_NETWORK},  # a bridge-mode definition takes none
    {"startedBy": "x" * 129},
    {"group": "g" * 256},
    {"tags": [{"key": f"k{i}", "value": "v"} for i in range(51)]},
    {"tags": [{"key": "aws:reserved", "value": "v"}]},
    {"enableExecuteCommand": True},  # the definition has no task role
    {"taskDefinition": "unknown"},
    {"cluster": "no-such-cluster"},
]


@pytest.mark.parametrize("bad", BAD_REQUESTS)
def test_start_task_refuses_what_run_task_refuses_with_the_same_error(
    fake: FakeECS, ecs: Any, bad: dict[str, Any]
) -> None:
    instance = register(fake, ecs)["containerInstanceArn"]
    ec2_definition(ecs)
    from_run = refusal(lambda: run_ec2(ecs, **bad))
    from_start = refusal(lambda: start(ecs, instance, **bad))
    assert from_start == from_run
    assert ecs.list_tasks(cluster=CLUSTER)["taskArns"] == []


def test_an_inactive_definition_is_refused_by_both(fake: FakeECS, ecs: Any) -> None:
    instance = register(fake, ecs)["containerInstanceArn"]
    ec2_definition(ecs)
    ecs.deregister_task_definition(taskDefinition="web:1")
    assert refusal(lambda: start(ecs, instance, taskDefinition="web:1")) == refusal(
        lambda: run_ec2(ecs, taskDefinition="web:1")
    )


def test_start_task_with_exec_needs_a_task_role_then_shows_the_agent(
    fake: FakeECS, ecs: Any
) -> None:
    instance = register(fake, ecs)["containerInstanceArn"]
    ec2_definition(ecs)
    code, message = refusal(lambda: start(ecs, instance, enableExecuteCommand=True))
    assert code == "InvalidParameterException" and "task role" in message
    task = start(ecs, instance, enableExecuteCommand=True, overrides={"taskRoleArn": ROLE})[
        "tasks"
    ][0]
    assert task["enableExecuteCommand"] is True
    ec2_definition(ecs, "roled", taskRoleArn=ROLE)
    fake.advance(10)
    roled = ecs.start_task(
        cluster=CLUSTER,
        taskDefinition="roled",
        containerInstances=[instance],
        enableExecuteCommand=True,
    )["tasks"][0]
    fake.advance(10)
    seen = ecs.describe_tasks(cluster=CLUSTER, tasks=[roled["taskArn"]])["tasks"][0]
    assert seen["containers"][0]["managedAgents"][0]["lastStatus"] == "RUNNING"


def test_start_task_and_run_task_make_the_same_task(fake: FakeECS, ecs: Any) -> None:
    """Tags (propagated from the definition), overrides, startedBy and group alike."""
    instance = register(fake, ecs)["containerInstanceArn"]
    ec2_definition(ecs, tags=[{"key": "team", "value": "library"}])
    request = {
        "overrides": {"containerOverrides": [{"name": "main", "command": ["echo", "hi"]}]},
        "startedBy": "me",
        "group": "batch",
        "tags": [{"key": "job", "value": "1"}],
        "propagateTags": "TASK_DEFINITION",
    }
    by_run = run_ec2(ecs, **request)["tasks"][0]
    by_start = start(ecs, instance, **request)["tasks"][0]
    described = ecs.describe_tasks(
        cluster=CLUSTER, tasks=[by_run["taskArn"], by_start["taskArn"]], include=["TAGS"]
    )["tasks"]
    keep = ("overrides", "startedBy", "group", "tags", "launchType", "containerInstanceArn")
    first, second = ({k: t.get(k) for k in keep} for t in described)
    assert first == second
    assert {"key": "team", "value": "library"} in first["tags"]
