"""RunTask, DescribeTasks, StopTask and ListTasks through boto3, as ECS answers them."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from fakeecs import FakeECS
from tests.fakeecs.conftest import CLUSTER, MADE_UP_NETWORK, describe, fargate_task_definition, run
from tests.fakeecs.ec2_instances import register


def error_code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return exc.value.response["Error"]["Code"]


def test_run_task_answers_a_provisioning_fargate_task(ecs: Any) -> None:
    task = run(ecs, startedBy="airflow", group="g1", tags=[{"key": "k", "value": "v"}])["tasks"][0]

    assert task["lastStatus"] == "PROVISIONING"
    assert task["desiredStatus"] == "RUNNING"
    assert task["launchType"] == "FARGATE"
    assert task["platformVersion"] == "1.4.0"
    assert task["startedBy"] == "airflow" and task["group"] == "g1"
    assert task["taskArn"].startswith("arn:aws:ecs:us-east-1:123456789012:task/test-cluster/")
    assert task["taskDefinitionArn"].endswith(":task-definition/worker:1")
    assert task["containers"][0]["name"] == "main"
    assert "exitCode" not in task["containers"][0]
    assert task["attachments"][0]["type"] == "ElasticNetworkInterface"


def test_run_task_count_starts_that_many_tasks(ecs: Any) -> None:
    assert len(run(ecs, count=10)["tasks"]) == 10
    with pytest.raises(ClientError) as exc:
        run(ecs, count=11)
    assert error_code(exc) == "InvalidParameterException"
    assert len(ecs.list_tasks(cluster=CLUSTER)["taskArns"]) == 10


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        (
            {"networkConfiguration": {"awsvpcConfiguration": {"subnets": []}}},
            "InvalidParameterException",
            "subnets",
        ),
        (
            {
                "networkConfiguration": {
                    "awsvpcConfiguration": {"subnets": [f"s-{i}" for i in range(17)]}
                }
            },
            "InvalidParameterException",
            "16",
        ),
        (
            {
                "networkConfiguration": {
                    "awsvpcConfiguration": {"subnets": ["s"], "securityGroups": list("abcdef")}
                }
            },
            "InvalidParameterException",
            "securityGroups",
        ),
        ({"cluster": "nope"}, "ClusterNotFoundException", "Cluster not found"),
        ({"taskDefinition": "unknown-family"}, "ClientException", "Unable to describe"),
        ({"startedBy": "x" * 129}, "InvalidParameterException", "startedBy"),
        ({"clientToken": "x" * 65}, "InvalidParameterException", "clientToken"),
        (
            {"overrides": {"containerOverrides": [{"name": "ghost", "command": ["x"]}]}},
            "InvalidParameterException",
            "ghost",
        ),
        ({"launchType": "BOGUS"}, "InvalidParameterException", "launchType"),
    ],
)
def test_run_task_rejects_what_ecs_rejects(
    ecs: Any, change: dict[str, Any], code: str, words: str
) -> None:
    with pytest.raises(ClientError) as exc:
        run(ecs, **change)
    assert error_code(exc) == code
    assert words in exc.value.response["Error"]["Message"]
    assert ecs.list_tasks(cluster=CLUSTER)["taskArns"] == []


def test_awsvpc_needs_a_network_configuration(ecs: Any) -> None:
    with pytest.raises(ClientError) as exc:
        ecs.run_task(cluster=CLUSTER, taskDefinition="worker", launchType="FARGATE")
    assert error_code(exc) == "InvalidParameterException"
    assert "Network Configuration must be provided" in exc.value.response["Error"]["Message"]


def test_fargate_needs_a_fargate_compatible_task_definition(fake: FakeECS, ecs: Any) -> None:
    register(fake, ecs)  # an EC2 task needs a container instance
    ecs.register_task_definition(
        family="ec2only", containerDefinitions=[{"name": "main", "image": "x", "memory": 128}]
    )
    with pytest.raises(ClientError) as exc:
        ecs.run_task(cluster=CLUSTER, taskDefinition="ec2only", launchType="FARGATE")
    assert "does not support launch_type FARGATE" in exc.value.response["Error"]["Message"]
    ec2 = ecs.run_task(cluster=CLUSTER, taskDefinition="ec2only", launchType="EC2")["tasks"][0]
    assert ec2["launchType"] == "EC2" and "platformVersion" not in ec2


def test_overrides_are_stored_and_echoed(ecs: Any) -> None:
    overrides = {
        "containerOverrides": [
            {
                "name": "main",
                "command": ["harvest", "--since", "2026-01-01"],
                "environment": [{"name": "ES_URL", "value": "http://es"}],
                "cpu": 128,
                "memory": 256,
            }
        ],
        "taskRoleArn": "arn:aws:iam::123456789012:role/slingshot",
        "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
    }
    arn = run(ecs, overrides=overrides)["tasks"][0]["taskArn"]
    echoed = describe(ecs, arn)["overrides"]
    assert echoed["containerOverrides"] == overrides["containerOverrides"]
    assert echoed["taskRoleArn"] == overrides["taskRoleArn"]
    assert echoed["executionRoleArn"] == overrides["executionRoleArn"]


def test_client_token_returns_the_same_task_and_starts_nothing(ecs: Any) -> None:
    first = run(ecs, clientToken="token-1")["tasks"][0]
    again = run(ecs, clientToken="token-1")["tasks"]
    assert [t["taskArn"] for t in again] == [first["taskArn"]]
    assert len(ecs.list_tasks(cluster=CLUSTER)["taskArns"]) == 1


def test_client_token_with_a_different_request_is_a_conflict_naming_the_tasks(ecs: Any) -> None:
    first = run(ecs, clientToken="token-1", count=2)["tasks"]
    with pytest.raises(ClientError) as exc:
        run(ecs, clientToken="token-1", startedBy="someone-else")
    assert error_code(exc) == "ConflictException"
    # the model's resourceIds member: the task ARNs already tied to the token (SDKs expose it)
    assert exc.value.response["resourceIds"] == [t["taskArn"] for t in first]
    assert len(ecs.list_tasks(cluster=CLUSTER)["taskArns"]) == 2  # nothing new started


def test_client_token_is_forgotten_after_24_hours(fake: Any, ecs: Any) -> None:
    first = run(ecs, clientToken="token-1")["tasks"][0]["taskArn"]
    fake.advance(24 * 3600 + 1)
    second = run(ecs, clientToken="token-1")["tasks"][0]["taskArn"]
    assert second != first


def test_client_tokens_are_per_cluster(ecs: Any) -> None:
    ecs.create_cluster(clusterName="other")
    a = run(ecs, clientToken="t")["tasks"][0]["taskArn"]
    b = run(ecs, cluster="other", clientToken="t")["tasks"][0]["taskArn"]
    assert a != b


def test_describe_tasks_reports_unknown_tasks_as_missing(ecs: Any) -> None:
    arn = run(ecs)["tasks"][0]["taskArn"]
    ghost = arn[:-4] + "ffff"
    answer = ecs.describe_tasks(cluster=CLUSTER, tasks=[arn, ghost])
    assert [t["taskArn"] for t in answer["tasks"]] == [arn]
    assert answer["failures"] == [{"arn": ghost, "reason": "MISSING"}]


def test_describe_tasks_accepts_a_task_id(ecs: Any) -> None:
    arn = run(ecs)["tasks"][0]["taskArn"]
    task_id = arn.rsplit("/", 1)[1]
    assert ecs.describe_tasks(cluster=CLUSTER, tasks=[task_id])["tasks"][0]["taskArn"] == arn


def test_describe_tasks_takes_at_most_100(ecs: Any) -> None:
    with pytest.raises(ClientError) as exc:
        ecs.describe_tasks(cluster=CLUSTER, tasks=[f"t{i}" for i in range(101)])
    assert error_code(exc) == "InvalidParameterException"


def test_tags_only_with_include_tags(ecs: Any) -> None:
    arn = run(ecs, tags=[{"key": "dag", "value": "d1"}])["tasks"][0]["taskArn"]
    assert ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]["tags"] == []
    tagged = ecs.describe_tasks(cluster=CLUSTER, tasks=[arn], include=["TAGS"])["tasks"][0]
    assert tagged["tags"] == [{"key": "dag", "value": "d1"}]


def test_propagate_tags_from_the_task_definition(ecs: Any) -> None:
    ecs.register_task_definition(
        **fargate_task_definition("tagged", tags=[{"key": "team", "value": "library"}])
    )
    arn = run(ecs, taskDefinition="tagged", propagateTags="TASK_DEFINITION")["tasks"][0]["taskArn"]
    tags = ecs.list_tags_for_resource(resourceArn=arn)["tags"]
    assert tags == [{"key": "team", "value": "library"}]


def test_tag_and_untag_a_task(ecs: Any) -> None:
    arn = run(ecs)["tasks"][0]["taskArn"]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"}])
    ecs.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "b", "value": "2"}]


def test_stop_task_sets_desired_status_at_once(fake: Any, ecs: Any) -> None:
    arn = run(ecs)["tasks"][0]["taskArn"]
    fake.advance(10)
    stopped = ecs.stop_task(cluster=CLUSTER, task=arn, reason="operator asked")["task"]
    assert stopped["desiredStatus"] == "STOPPED"
    assert stopped["stopCode"] == "UserInitiated"
    assert stopped["stoppedReason"] == "operator asked"
    fake.advance(10)
    final = describe(ecs, arn)
    assert final["lastStatus"] == "STOPPED"
    assert final["containers"][0]["exitCode"] == 143


def test_stop_task_on_an_unknown_task(ecs: Any) -> None:
    with pytest.raises(ClientError) as exc:
        ecs.stop_task(cluster=CLUSTER, task="0" * 32)
    assert error_code(exc) == "InvalidParameterException"


def test_list_tasks_filters(fake: Any, ecs: Any) -> None:
    ecs.register_task_definition(**fargate_task_definition("other"))
    a = run(ecs, startedBy="me")["tasks"][0]["taskArn"]
    b = run(ecs, taskDefinition="other")["tasks"][0]["taskArn"]
    ecs.stop_task(cluster=CLUSTER, task=b)

    assert ecs.list_tasks(cluster=CLUSTER)["taskArns"] == [a]
    assert ecs.list_tasks(cluster=CLUSTER, desiredStatus="STOPPED")["taskArns"] == [b]
    assert ecs.list_tasks(cluster=CLUSTER, startedBy="me")["taskArns"] == [a]
    assert (
        ecs.list_tasks(cluster=CLUSTER, startedBy="me", desiredStatus="STOPPED")["taskArns"] == []
    )
    assert ecs.list_tasks(cluster=CLUSTER, family="other", desiredStatus="STOPPED")["taskArns"] == [
        b
    ]
    assert ecs.list_tasks(cluster=CLUSTER, launchType="EC2")["taskArns"] == []


def test_list_tasks_started_by_cannot_be_combined_with_family(ecs: Any) -> None:
    with pytest.raises(ClientError) as exc:
        ecs.list_tasks(cluster=CLUSTER, startedBy="me", family="worker")
    assert error_code(exc) == "InvalidParameterException"


def test_list_tasks_paginates(ecs: Any) -> None:
    for _ in range(3):
        run(ecs, count=10)
    pages = list(
        ecs.get_paginator("list_tasks").paginate(cluster=CLUSTER, PaginationConfig={"PageSize": 7})
    )
    assert [len(p["taskArns"]) for p in pages] == [7, 7, 7, 7, 2]
    assert len({a for p in pages for a in p["taskArns"]}) == 30


def test_run_task_needs_an_active_task_definition(ecs: Any) -> None:
    ecs.deregister_task_definition(taskDefinition="worker:1")
    with pytest.raises(ClientError) as exc:
        run(ecs, taskDefinition="worker:1")
    assert error_code(exc) == "ClientException"
    assert "inactive" in exc.value.response["Error"]["Message"]


def test_a_network_configuration_needs_awsvpc(ecs: Any) -> None:
    ecs.register_task_definition(
        family="bridge", containerDefinitions=[{"name": "main", "image": "x", "memory": 128}]
    )
    with pytest.raises(ClientError) as exc:
        ecs.run_task(cluster=CLUSTER, taskDefinition="bridge", networkConfiguration=MADE_UP_NETWORK)
    assert error_code(exc) == "InvalidParameterException"


def test_a_token_replayed_after_retention_answers_missing(fake: Any, ecs: Any) -> None:
    fake.behaviour("worker", runSeconds=1)
    arn = run(ecs, clientToken="token-1")["tasks"][0]["taskArn"]
    fake.advance(2 * 3600)
    again = run(ecs, clientToken="token-1")
    assert again["tasks"] == []
    assert again["failures"] == [{"arn": arn, "reason": "MISSING"}]
    assert ecs.list_tasks(cluster=CLUSTER)["taskArns"] == []


def test_a_token_whose_request_started_nothing_can_be_tried_again(fake: Any, ecs: Any) -> None:
    fake.faults([{"operation": "RunTask", "action": "no-capacity", "times": 1}])
    assert run(ecs, clientToken="token-1")["tasks"] == []
    assert len(run(ecs, clientToken="token-1")["tasks"]) == 1
