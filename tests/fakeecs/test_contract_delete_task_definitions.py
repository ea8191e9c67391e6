"""DeleteTaskDefinitions through boto3: only INACTIVE revisions, DELETE_IN_PROGRESS, then gone
once nothing running uses them (ECS checks periodically; fakeecs every virtual minute)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from fakeecs.engine.core import DELETE_CHECK_SECONDS
from tests.fakeecs.conftest import CLUSTER, fargate_task_definition, run

ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/worker:{}"


def status_of(ecs: Any, ref: str) -> str:
    return ecs.describe_task_definition(taskDefinition=ref)["taskDefinition"]["status"]


def test_an_inactive_revision_is_deleted_in_progress_then_gone(fake: Any, ecs: Any) -> None:
    ecs.deregister_task_definition(taskDefinition="worker:1")
    answer = ecs.delete_task_definitions(taskDefinitions=["worker:1"])
    assert answer["failures"] == []
    assert [t["status"] for t in answer["taskDefinitions"]] == ["DELETE_IN_PROGRESS"]
    assert status_of(ecs, "worker:1") == "DELETE_IN_PROGRESS"
    listed = ecs.list_task_definitions(status="DELETE_IN_PROGRESS")["taskDefinitionArns"]
    assert listed == [ARN.format(1)]
    assert ecs.list_task_definition_families(status="ALL")["families"] == ["worker"]

    fake.advance(DELETE_CHECK_SECONDS + 1)
    with pytest.raises(ClientError) as exc:
        ecs.describe_task_definition(taskDefinition="worker:1")
    assert exc.value.response["Error"]["Code"] == "ClientException"
    assert ecs.list_task_definitions(status="DELETE_IN_PROGRESS")["taskDefinitionArns"] == []
    assert ecs.list_task_definition_families(status="ALL")["families"] == []
    # ECS keeps the name: the next revision is 2, never 1 again
    again = ecs.register_task_definition(**fargate_task_definition())["taskDefinition"]
    assert again["revision"] == 2


def test_a_revision_a_running_task_uses_waits_until_the_task_stops(fake: Any, ecs: Any) -> None:
    fake.behaviour("worker", runSeconds=600)
    task = run(ecs)["tasks"][0]["taskArn"]
    ecs.deregister_task_definition(taskDefinition="worker:1")
    ecs.delete_task_definitions(taskDefinitions=[ARN.format(1)])
    fake.advance(300)
    assert status_of(ecs, "worker:1") == "DELETE_IN_PROGRESS"  # the task still runs
    described = ecs.describe_tasks(cluster=CLUSTER, tasks=[task])["tasks"][0]
    assert described["lastStatus"] == "RUNNING"
    with pytest.raises(ClientError) as exc:
        run(ecs, taskDefinition="worker:1")  # but nothing new may start from it
    assert exc.value.response["Error"]["Code"] == "ClientException"
    fake.advance(600)  # the task stops, the next check deletes the revision
    with pytest.raises(ClientError):
        ecs.describe_task_definition(taskDefinition="worker:1")


def test_references_that_cannot_be_deleted_are_failures_naming_why(ecs: Any) -> None:
    ecs.register_task_definition(**fargate_task_definition())  # worker:2, ACTIVE
    ecs.deregister_task_definition(taskDefinition="worker:1")
    answer = ecs.delete_task_definitions(
        taskDefinitions=["worker:1", "worker:2", "worker:9", "worker"]
    )
    assert [t["taskDefinitionArn"] for t in answer["taskDefinitions"]] == [ARN.format(1)]
    reasons = {f["arn"]: f["reason"] for f in answer["failures"]}
    assert "still in ACTIVE status" in reasons["worker:2"]
    assert "does not exist" in reasons["worker:9"]
    assert "identifier is invalid" in reasons["worker"]
    assert status_of(ecs, "worker:2") == "ACTIVE"


@pytest.mark.parametrize(("count", "words"), [(0, "greater than 0"), (11, "cannot exceed 10")])
def test_the_list_must_hold_1_to_10_references(ecs: Any, count: int, words: str) -> None:
    with pytest.raises(ClientError) as exc:
        ecs.delete_task_definitions(taskDefinitions=["worker:1"] * count)
    assert exc.value.response["Error"]["Code"] == "InvalidParameterException"
    assert words in exc.value.response["Error"]["Message"]
    assert status_of(ecs, "worker:1") == "ACTIVE"


def test_a_deletion_in_progress_survives_a_restart_and_completes(tmp_path: Any) -> None:
    from fakeecs import FakeECS
    from tests.fakeecs.conftest import client

    fake = FakeECS(clock="manual", seed=0, state=tmp_path / "state.json").start()
    try:
        ecs = client(fake)
        ecs.register_task_definition(**fargate_task_definition())
        ecs.deregister_task_definition(taskDefinition="worker:1")
        ecs.delete_task_definitions(taskDefinitions=["worker:1"])
        fake = fake.restart()
        assert status_of(ecs, "worker:1") == "DELETE_IN_PROGRESS"
        fake.advance(DELETE_CHECK_SECONDS + 1)
        with pytest.raises(ClientError):
            ecs.describe_task_definition(taskDefinition="worker:1")
        assert (
            ecs.register_task_definition(**fargate_task_definition())["taskDefinition"]["revision"]
            == 2
        )
    finally:
        fake.stop()
