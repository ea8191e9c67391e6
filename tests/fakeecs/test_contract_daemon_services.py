"""Services with the DAEMON scheduling strategy through boto3: one task on each ACTIVE container
instance that meets the service's constraints, no desired count, EC2 only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from fakeecs import FakeECS
from fakeecs.rules.daemon_services import NO_DESIRED_COUNT, NO_PLACEMENT_STRATEGY
from tests.fakeecs.conftest import CLUSTER, MADE_UP_NETWORK, client
from tests.fakeecs.ec2_instances import ec2_definition, register


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def create(ecs: Any, **extra: Any) -> dict[str, Any]:
    params = {
        "cluster": CLUSTER,
        "serviceName": "agent",
        "taskDefinition": "web",
        "schedulingStrategy": "DAEMON",
    }
    return ecs.create_service(**{**params, **extra})["service"]


def service(ecs: Any) -> dict[str, Any]:
    return ecs.describe_services(cluster=CLUSTER, services=["agent"])["services"][0]


def running(ecs: Any) -> list[dict[str, Any]]:
    arns = ecs.list_tasks(cluster=CLUSTER, serviceName="agent")["taskArns"]
    tasks = ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if arns else []
    return [t for t in tasks if t["lastStatus"] == "RUNNING"]


def test_one_task_on_each_active_instance_and_desired_count_follows(
    fake: FakeECS, ecs: Any
) -> None:
    ec2_definition(ecs)
    first, second = register(fake, ecs), register(fake, ecs)
    created = create(ecs)
    assert created["schedulingStrategy"] == "DAEMON" and created["desiredCount"] == 0
    assert created["deploymentConfiguration"]["maximumPercent"] == 100
    assert created["deploymentConfiguration"]["minimumHealthyPercent"] == 0
    assert created["launchType"] == "EC2"
    fake.advance(60)
    hosts = sorted(t["containerInstanceArn"] for t in running(ecs))
    assert hosts == sorted([first["containerInstanceArn"], second["containerInstanceArn"]])
    described = service(ecs)
    assert (described["desiredCount"], described["runningCount"]) == (2, 2)
    assert described["deployments"][0]["rolloutState"] == "COMPLETED"
    third = register(fake, ecs)
    fake.advance(60)
    assert third["containerInstanceArn"] in {t["containerInstanceArn"] for t in running(ecs)}
    assert service(ecs)["desiredCount"] == 3
    ecs.update_container_instances_state(
        cluster=CLUSTER, containerInstances=[first["containerInstanceArn"]], status="DRAINING"
    )
    fake.advance(60)
    assert first["containerInstanceArn"] not in {t["containerInstanceArn"] for t in running(ecs)}
    assert (service(ecs)["desiredCount"], service(ecs)["runningCount"]) == (2, 2)
    listed = ecs.list_services(cluster=CLUSTER, schedulingStrategy="DAEMON")["serviceArns"]
    assert listed == [created["serviceArn"]]
    assert ecs.list_services(cluster=CLUSTER, schedulingStrategy="REPLICA")["serviceArns"] == []


def test_an_update_replaces_the_task_on_each_instance(fake: FakeECS, ecs: Any) -> None:
    ec2_definition(ecs)
    register(fake, ecs), register(fake, ecs)
    create(ecs)
    fake.advance(60)
    before = {t["taskArn"] for t in running(ecs)}
    ec2_definition(ecs, memory=256)
    ecs.update_service(cluster=CLUSTER, service="agent", taskDefinition="web:2")
    fake.advance(120)
    after = running(ecs)
    assert len(after) == 2 and not before & {t["taskArn"] for t in after}
    assert {t["taskDefinitionArn"].rsplit(":", 1)[-1] for t in after} == {"2"}
    [deployment] = service(ecs)["deployments"]
    assert deployment["rolloutState"] == "COMPLETED" and deployment["desiredCount"] == 2


def test_placement_constraints_keep_it_off_some_instances(fake: FakeECS, ecs: Any) -> None:
    ec2_definition(ecs)
    small = register(fake, ecs, "t3.small")
    register(fake, ecs, "t3.large")
    create(
        ecs,
        placementConstraints=[
            {"type": "memberOf", "expression": "attribute:ecs.instance-type == t3.large"}
        ],
    )
    fake.advance(60)
    [task] = running(ecs)
    assert task["containerInstanceArn"] != small["containerInstanceArn"]
    assert service(ecs)["desiredCount"] == 1


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"desiredCount": 1}, NO_DESIRED_COUNT),
        ({"placementStrategy": [{"type": "random"}]}, NO_PLACEMENT_STRATEGY),
        ({"launchType": "FARGATE", "networkConfiguration": MADE_UP_NETWORK}, "FARGATE launch type"),
        ({"capacityProviderStrategy": [{"capacityProvider": "FARGATE"}]}, "capacity provider"),
        ({"deploymentController": {"type": "EXTERNAL"}}, "EXTERNAL deployment controller"),
    ],
)
def test_create_refuses_what_ecs_refuses(ecs: Any, extra: dict[str, Any], words: str) -> None:
    ec2_definition(ecs)
    with pytest.raises(ClientError) as exc:
        create(ecs, **extra)
    assert error(exc)[0] == "InvalidParameterException" and words in error(exc)[1]
    assert ecs.list_services(cluster=CLUSTER)["serviceArns"] == []


def test_update_refuses_a_desired_count(fake: FakeECS, ecs: Any) -> None:
    ec2_definition(ecs)
    create(ecs)
    for extra, words in (
        ({"desiredCount": 2}, NO_DESIRED_COUNT),
        ({"placementStrategy": [{"type": "random"}]}, NO_PLACEMENT_STRATEGY),
    ):
        with pytest.raises(ClientError) as exc:
            ecs.update_service(cluster=CLUSTER, service="agent", **extra)
        assert error(exc) == ("InvalidParameterException", words)


def test_delete_needs_no_force_and_stops_every_task(fake: FakeECS, ecs: Any) -> None:
    ec2_definition(ecs)
    register(fake, ecs)
    create(ecs)
    fake.advance(60)
    ecs.delete_service(cluster=CLUSTER, service="agent", force=True)
    fake.advance(120)
    assert running(ecs) == []
    assert service(ecs)["status"] == "INACTIVE"


def test_the_strategy_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with FakeECS(clock="manual", seed=2, state=path) as fake:
        ecs = client(fake)
        ecs.create_cluster(clusterName=CLUSTER)
        ec2_definition(ecs)
        register(fake, ecs)
        create(ecs)
        fake.advance(60)
    with FakeECS(clock="manual", seed=3, state=path) as fake:
        ecs = client(fake)
        described = service(ecs)
        assert (described["schedulingStrategy"], described["desiredCount"]) == ("DAEMON", 1)
        with pytest.raises(ClientError):
            ecs.update_service(cluster=CLUSTER, service="agent", desiredCount=3)
