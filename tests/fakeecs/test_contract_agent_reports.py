"""The agent's calls through boto3: state changes reported for tasks on a registered container
instance move them (an agent script drives EC2 tasks); anything else is refused as ECS does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from fakeecs import FakeECS
from tests.fakeecs.conftest import CLUSTER, client, describe, network, run
from tests.fakeecs.ec2_instances import ec2_definition, register


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def ec2_task(fake: FakeECS, ecs: Any) -> dict[str, Any]:
    ec2_definition(ecs)
    register(fake, ecs)
    return ecs.run_task(cluster=CLUSTER, taskDefinition="web", launchType="EC2")["tasks"][0]


def test_reports_drive_the_task_and_its_containers(fake: FakeECS, ecs: Any) -> None:
    task = ec2_task(fake, ecs)
    arn = task["taskArn"]
    answer = ecs.submit_container_state_change(
        cluster=CLUSTER,
        task=arn,
        containerName="main",
        status="RUNNING",
        runtimeId="abc123",
        networkBindings=[{"bindIP": "0.0.0.0", "containerPort": 80, "hostPort": 8080}],
    )
    assert answer["acknowledgment"] == "ACK"
    ecs.submit_task_state_change(cluster=CLUSTER, task=arn, status="RUNNING")
    running = describe(ecs, arn)
    assert running["lastStatus"] == "RUNNING" and "startedAt" in running
    container = running["containers"][0]
    assert (container["lastStatus"], container["runtimeId"]) == ("RUNNING", "abc123")
    assert container["networkBindings"][0]["hostPort"] == 8080
    fake.advance(3600)  # the agent drives it now: the scripted run time does not end it
    assert describe(ecs, arn)["lastStatus"] == "RUNNING"
    ecs.submit_task_state_change(
        cluster=CLUSTER,
        task=arn,
        status="STOPPED",
        reason="Essential container in task exited",
        containers=[{"containerName": "main", "status": "STOPPED", "exitCode": 3}],
    )
    stopped = describe(ecs, arn)
    assert stopped["lastStatus"] == "STOPPED" and stopped["desiredStatus"] == "STOPPED"
    assert stopped["stopCode"] == "EssentialContainerExited"
    assert stopped["stoppedReason"] == "Essential container in task exited"
    assert stopped["containers"][0]["exitCode"] == 3
    # a stale report is acknowledged and changes nothing
    ecs.submit_task_state_change(cluster=CLUSTER, task=arn, status="RUNNING")
    assert describe(ecs, arn)["lastStatus"] == "STOPPED"


def test_reports_are_refused_as_ecs_refuses_them(fake: FakeECS, ecs: Any) -> None:
    task = ec2_task(fake, ecs)
    fargate = run(ecs)["tasks"][0]
    cases = [
        (dict(cluster="nope", task=task["taskArn"]), "ClusterNotFoundException", "Cluster"),
        (dict(cluster=CLUSTER, task="0" * 32), "InvalidParameterException", "not found"),
        (dict(cluster=CLUSTER, task=fargate["taskArn"]), "AccessDeniedException", "agent"),
        (
            dict(cluster=CLUSTER, task=task["taskArn"], status="RUNNINGISH"),
            "InvalidParameterException",
            "Invalid task status",
        ),
        (
            dict(cluster=CLUSTER, task=task["taskArn"], containers=[{"containerName": "x"}]),
            "InvalidParameterException",
            "not a container",
        ),
    ]
    for params, code, words in cases:
        with pytest.raises(ClientError) as exc:
            ecs.submit_task_state_change(**params)
        assert error(exc)[0] == code and words in error(exc)[1], params
    with pytest.raises(ClientError) as exc:
        ecs.submit_container_state_change(
            cluster=CLUSTER, task=task["taskArn"], containerName="main", status="GONE"
        )
    assert error(exc)[0] == "InvalidParameterException"
    ecs.deregister_container_instance(
        cluster=CLUSTER, containerInstance=task["containerInstanceArn"], force=True
    )
    with pytest.raises(ClientError) as exc:
        ecs.submit_container_state_change(
            cluster=CLUSTER, task=task["taskArn"], containerName="main", status="RUNNING"
        )
    assert error(exc)[0] == "AccessDeniedException"


def test_attachment_reports_are_checked_and_acknowledged(fake: FakeECS, ecs: Any) -> None:
    ec2_definition(ecs, family="vpc", networkMode="awsvpc")
    register(fake, ecs)
    task = ecs.run_task(
        cluster=CLUSTER,
        taskDefinition="vpc",
        launchType="EC2",
        networkConfiguration=network(ecs),
    )["tasks"][0]
    eni = task["attachments"][0]["id"]
    attachment = f"arn:aws:ecs:us-east-1:123456789012:attachment/{eni}"
    answer = ecs.submit_attachment_state_changes(
        cluster=CLUSTER, attachments=[{"attachmentArn": attachment, "status": "ATTACHED"}]
    )
    assert answer["acknowledgment"] == "ACK"
    for change, code in (
        ({"attachmentArn": attachment, "status": "GLUED"}, "InvalidParameterException"),
        ({"attachmentArn": attachment + "0", "status": "ATTACHED"}, "InvalidParameterException"),
    ):
        with pytest.raises(ClientError) as exc:
            ecs.submit_attachment_state_changes(cluster=CLUSTER, attachments=[change])
        assert error(exc)[0] == code


def test_update_container_agent_walks_through_its_steps(fake: FakeECS, ecs: Any) -> None:
    old = register(fake, ecs, versionInfo={"agentVersion": "1.70.0"})
    arn = old["containerInstanceArn"]
    answer = ecs.update_container_agent(cluster=CLUSTER, containerInstance=arn)
    assert answer["containerInstance"]["agentUpdateStatus"] == "PENDING"
    with pytest.raises(ClientError) as exc:
        ecs.update_container_agent(cluster=CLUSTER, containerInstance=arn)
    assert error(exc)[0] == "UpdateInProgressException"
    seen = []
    for _ in range(4):
        fake.advance(10)
        ci = ecs.describe_container_instances(cluster=CLUSTER, containerInstances=[arn])[
            "containerInstances"
        ][0]
        seen.append(ci["agentUpdateStatus"])
    assert seen == ["STAGING", "STAGED", "UPDATING", "UPDATED"]
    assert ci["versionInfo"]["agentVersion"] == "1.88.0"
    with pytest.raises(ClientError) as exc:
        ecs.update_container_agent(cluster=CLUSTER, containerInstance=arn)
    assert error(exc)[0] == "NoUpdateAvailableException"
    missing = register(fake, ecs, versionInfo={"agentVersion": ""})
    with pytest.raises(ClientError) as exc:
        ecs.update_container_agent(
            cluster=CLUSTER, containerInstance=missing["containerInstanceArn"]
        )
    assert error(exc)[0] == "MissingVersionException"
    with pytest.raises(ClientError) as exc:
        ecs.update_container_agent(cluster=CLUSTER, containerInstance="nope")
    assert error(exc)[0] == "InvalidParameterException"


def test_an_update_and_a_driven_task_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with FakeECS(clock="manual", seed=4, state=path) as fake:
        ecs = client(fake)
        ecs.create_cluster(clusterName=CLUSTER)
        task = ec2_task(fake, ecs)
        ecs.submit_task_state_change(cluster=CLUSTER, task=task["taskArn"], status="RUNNING")
        old = register(fake, ecs, versionInfo={"agentVersion": "1.70.0"})
        ecs.update_container_agent(cluster=CLUSTER, containerInstance=old["containerInstanceArn"])
    with FakeECS(clock="manual", seed=5, state=path) as fake:
        ecs = client(fake)
        fake.advance(3600)
        assert describe(ecs, task["taskArn"])["lastStatus"] == "RUNNING"
        ci = ecs.describe_container_instances(
            cluster=CLUSTER, containerInstances=[old["containerInstanceArn"]]
        )["containerInstances"][0]
        assert ci["agentUpdateStatus"] == "UPDATED"
        fake.reset()
        ecs.create_cluster(clusterName=CLUSTER)
        assert ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"] == []
