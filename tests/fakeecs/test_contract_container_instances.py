"""Container instances through boto3: EC2 instances made with moto on the same endpoint register
with their identity document; EC2 tasks take their CPU, memory and ports until they stop."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from fakeecs import FakeECS
from tests.fakeecs.conftest import CLUSTER, client
from tests.fakeecs.ec2_instances import ec2_definition, launch, register, resource


def error(exc: Any) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def describe(ecs: Any, arn: str) -> dict[str, Any]:
    return ecs.describe_container_instances(cluster=CLUSTER, containerInstances=[arn])[
        "containerInstances"
    ][0]


def test_registration_derives_resources_and_attributes_from_the_instance(
    fake: FakeECS, ecs: Any
) -> None:
    ci = register(fake, ecs, "t3.large", zone="us-east-1b")
    assert ci["status"] == "ACTIVE" and ci["agentConnected"] is True
    assert ci["containerInstanceArn"].startswith(
        f"arn:aws:ecs:us-east-1:123456789012:container-instance/{CLUSTER}/"
    )
    assert resource(ci["registeredResources"], "CPU") == 2048  # 2 vCPUs
    assert resource(ci["registeredResources"], "MEMORY") == 7987  # 8 GiB less the kernel's share
    assert resource(ci["registeredResources"], "PORTS") == ["22", "2375", "2376", "51678", "51679"]
    assert resource(ci["registeredResources"], "PORTS_UDP") == []
    attributes = {a["name"]: a.get("value") for a in ci["attributes"]}
    assert attributes["ecs.instance-type"] == "t3.large"
    assert attributes["ecs.availability-zone"] == "us-east-1b"
    assert attributes["ecs.os-type"] == "linux"
    assert "ecs.capability.task-eni" in attributes
    cluster = ecs.describe_clusters(clusters=[CLUSTER])["clusters"][0]
    assert cluster["registeredContainerInstancesCount"] == 1


def test_total_resources_from_the_agent_win(fake: FakeECS, ecs: Any) -> None:
    ci = register(
        fake,
        ecs,
        totalResources=[
            {"name": "CPU", "type": "INTEGER", "integerValue": 1000},
            {"name": "MEMORY", "type": "INTEGER", "integerValue": 3000},
        ],
    )
    assert resource(ci["registeredResources"], "CPU") == 1000
    assert resource(ci["registeredResources"], "MEMORY") == 3000


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ("not json", "not valid JSON"),
        ('{"region": "us-east-1"}', '"instanceId"'),
        ('{"instanceId": "i-0123456789abcdef0"}', "was not found"),
        ('{"instanceId": "i-1", "region": "eu-west-1"}', "region eu-west-1"),
    ],
)
def test_a_document_that_names_no_known_instance_is_refused(
    ecs: Any, document: str, words: str
) -> None:
    with pytest.raises(ClientError) as exc:
        ecs.register_container_instance(cluster=CLUSTER, instanceIdentityDocument=document)
    code, message = error(exc)
    assert code == "InvalidParameterException" and words in message
    assert ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"] == []


def test_registering_the_same_instance_again_keeps_one_registration(
    fake: FakeECS, ecs: Any
) -> None:
    from tests.fakeecs.ec2_instances import identity_document

    instance = launch(fake)
    doc = identity_document(client(fake, "ec2"), instance)
    first = ecs.register_container_instance(cluster=CLUSTER, instanceIdentityDocument=doc)
    again = ecs.register_container_instance(cluster=CLUSTER, instanceIdentityDocument=doc)
    assert (
        first["containerInstance"]["containerInstanceArn"]
        == again["containerInstance"]["containerInstanceArn"]
    )
    ecs.create_cluster(clusterName="other")
    with pytest.raises(ClientError) as exc:
        ecs.register_container_instance(cluster="other", instanceIdentityDocument=doc)
    assert "already registered" in error(exc)[1]


def test_ec2_tasks_need_an_instance(ecs: Any) -> None:
    ec2_definition(ecs)
    with pytest.raises(ClientError) as exc:
        ecs.run_task(cluster=CLUSTER, taskDefinition="web", launchType="EC2")
    assert error(exc) == (
        "InvalidParameterException",
        "No Container Instances were found in your cluster.",
    )


def test_tasks_take_resources_and_give_them_back_when_stopped(fake: FakeECS, ecs: Any) -> None:
    ci = register(fake, ecs)
    arn = ci["containerInstanceArn"]
    ec2_definition(ecs, memory=3000, cpu=512)
    fake.behaviour("web", runSeconds=60)
    answer = ecs.run_task(cluster=CLUSTER, taskDefinition="web", launchType="EC2", count=3)
    assert len(answer["tasks"]) == 2  # 7987 MiB hold two tasks of 3000
    assert answer["failures"] == [{"arn": arn, "reason": "RESOURCE:MEMORY"}]
    task = answer["tasks"][0]
    assert task["containerInstanceArn"] == arn and task["launchType"] == "EC2"
    assert task["attachments"] == []  # bridge mode: no ENI
    seen = describe(ecs, arn)
    assert resource(seen["remainingResources"], "MEMORY") == 7987 - 6000
    assert resource(seen["remainingResources"], "CPU") == 2048 - 1024
    # ECS counts as running every task whose desired status is RUNNING, pending or not
    assert seen["pendingTasksCount"] == 2 and seen["runningTasksCount"] == 2
    listed = ecs.list_tasks(cluster=CLUSTER, containerInstance=arn.rsplit("/", 1)[-1])
    assert sorted(listed["taskArns"]) == sorted(t["taskArn"] for t in answer["tasks"])
    fake.advance(10)
    assert describe(ecs, arn)["runningTasksCount"] == 2
    fake.advance(120)  # the containers exit, the tasks stop
    seen = describe(ecs, arn)
    assert resource(seen["remainingResources"], "MEMORY") == 7987
    assert seen["runningTasksCount"] == 0
    assert len(ecs.run_task(cluster=CLUSTER, taskDefinition="web", launchType="EC2")["tasks"]) == 1


def test_static_host_ports_conflict_dynamic_ones_do_not(fake: FakeECS, ecs: Any) -> None:
    arn = register(fake, ecs)["containerInstanceArn"]
    ec2_definition(
        ecs,
        "static",
        memory=64,
        container={"portMappings": [{"containerPort": 80, "hostPort": 8080}]},
    )
    ec2_definition(
        ecs,
        "dynamic",
        memory=64,
        container={"portMappings": [{"containerPort": 80, "hostPort": 0}]},
    )
    ec2_definition(
        ecs,
        "hostmode",
        memory=64,
        networkMode="host",
        container={"portMappings": [{"containerPort": 22}]},
    )
    static = ecs.run_task(cluster=CLUSTER, taskDefinition="static", launchType="EC2", count=2)
    assert len(static["tasks"]) == 1
    assert static["failures"] == [{"arn": arn, "reason": "RESOURCE:PORTS"}]
    assert "8080" in resource(describe(ecs, arn)["remainingResources"], "PORTS")
    dynamic = ecs.run_task(cluster=CLUSTER, taskDefinition="dynamic", launchType="EC2", count=3)
    assert len(dynamic["tasks"]) == 3
    host = ecs.run_task(cluster=CLUSTER, taskDefinition="hostmode", launchType="EC2")
    assert host["failures"] == [{"arn": arn, "reason": "RESOURCE:PORTS"}]  # 22 is the agent's


def test_a_container_without_memory_is_refused_at_registration(ecs: Any) -> None:
    with pytest.raises(ClientError) as exc:
        ecs.register_task_definition(
            family="nomem",
            containerDefinitions=[
                {"name": "sized", "image": "x", "memory": 128},
                {"name": "main", "image": "x"},
            ],
        )
    assert error(exc) == (
        "ClientException",
        "Invalid setting for container 'main'. At least one of 'memory' or 'memoryReservation' "
        "must be specified.",
    )
    assert ecs.list_task_definitions(familyPrefix="nomem")["taskDefinitionArns"] == []
    soft = {"name": "main", "image": "x", "memoryReservation": 64}
    ecs.register_task_definition(family="soft", containerDefinitions=[soft])
    bare = {"name": "main", "image": "x"}
    ecs.register_task_definition(family="tasklevel", memory="512", containerDefinitions=[bare])
    with pytest.raises(ClientError) as exc:  # Fargate's own rule comes first: task memory
        ecs.register_task_definition(
            family="fg",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            containerDefinitions=[bare],
        )
    assert error(exc)[0] == "ClientException" and "memoryReservation" not in error(exc)[1]


def test_list_filters_by_query_and_status_and_pages(fake: FakeECS, ecs: Any) -> None:
    small = register(fake, ecs, "t3.small")["containerInstanceArn"]
    large = register(fake, ecs, "t3.large")["containerInstanceArn"]
    found = ecs.list_container_instances(
        cluster=CLUSTER, filter="attribute:ecs.instance-type == t3.small"
    )["containerInstanceArns"]
    assert found == [small]
    found = ecs.list_container_instances(
        cluster=CLUSTER, filter="attribute:ecs.instance-type in [t3.small, t3.large]"
    )["containerInstanceArns"]
    assert sorted(found) == sorted([small, large])
    first = ecs.list_container_instances(cluster=CLUSTER, maxResults=1)
    second = ecs.list_container_instances(cluster=CLUSTER, nextToken=first["nextToken"])
    assert first["containerInstanceArns"] + second["containerInstanceArns"] == [small, large]
    ecs.update_container_instances_state(
        cluster=CLUSTER, containerInstances=[large], status="DRAINING"
    )
    drained = ecs.list_container_instances(cluster=CLUSTER, status="DRAINING")
    assert drained["containerInstanceArns"] == [large]
    with pytest.raises(ClientError) as exc:
        ecs.list_container_instances(cluster=CLUSTER, filter="attribute:x ==")
    assert error(exc)[0] == "InvalidParameterException"


def test_describe_reports_unknown_instances_missing(fake: FakeECS, ecs: Any) -> None:
    arn = register(fake, ecs)["containerInstanceArn"]
    answer = ecs.describe_container_instances(
        cluster=CLUSTER, containerInstances=[arn, "0123abcd"], include=["TAGS"]
    )
    assert [c["containerInstanceArn"] for c in answer["containerInstances"]] == [arn]
    assert answer["failures"] == [
        {
            "arn": f"arn:aws:ecs:us-east-1:123456789012:container-instance/{CLUSTER}/0123abcd",
            "reason": "MISSING",
        }
    ]


def test_deregistering_refuses_running_tasks_unless_forced(fake: FakeECS, ecs: Any) -> None:
    arn = register(fake, ecs)["containerInstanceArn"]
    ec2_definition(ecs)
    fake.behaviour("web", runSeconds=600)
    task = ecs.run_task(cluster=CLUSTER, taskDefinition="web", launchType="EC2")["tasks"][0]
    with pytest.raises(ClientError) as exc:
        ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=arn)
    assert error(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:  # the cluster keeps it, so it cannot go either
        ecs.delete_cluster(cluster=CLUSTER)
    gone = ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=arn, force=True)
    assert gone["containerInstance"]["status"] == "INACTIVE"
    assert ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"] == []
    assert describe(ecs, arn)["status"] == "INACTIVE"
    fake.advance(10)  # the orphaned task goes on running
    described = ecs.describe_tasks(cluster=CLUSTER, tasks=[task["taskArn"]])["tasks"][0]
    assert described["lastStatus"] == "RUNNING"
    assert (
        ecs.describe_clusters(clusters=[CLUSTER])["clusters"][0][
            "registeredContainerInstancesCount"
        ]
        == 0
    )
    with pytest.raises(ClientError):
        ecs.run_task(cluster=CLUSTER, taskDefinition="web", launchType="EC2")


def test_draining_moves_service_tasks_and_leaves_standalone_ones(fake: FakeECS, ecs: Any) -> None:
    first = register(fake, ecs)["containerInstanceArn"]
    ec2_definition(ecs, memory=1024)
    fake.behaviour("solo", runSeconds=10_000)
    ec2_definition(ecs, "solo", memory=256)
    solo = ecs.run_task(cluster=CLUSTER, taskDefinition="solo", launchType="EC2")["tasks"][0]
    ecs.create_service(
        cluster=CLUSTER,
        serviceName="web",
        taskDefinition="web",
        desiredCount=2,
        launchType="EC2",
        deploymentConfiguration={"minimumHealthyPercent": 50, "maximumPercent": 200},
    )
    fake.advance(15)
    tasks = ecs.list_tasks(cluster=CLUSTER, serviceName="web")["taskArns"]
    assert len(tasks) == 2
    second = register(fake, ecs)["containerInstanceArn"]
    answer = ecs.update_container_instances_state(
        cluster=CLUSTER, containerInstances=[first, "nope"], status="DRAINING"
    )
    assert answer["containerInstances"][0]["status"] == "DRAINING"
    assert answer["failures"][0]["reason"] == "MISSING"
    fake.advance(60)
    service = ecs.describe_services(cluster=CLUSTER, services=["web"])["services"][0]
    assert service["runningCount"] == 2
    on_second = ecs.list_tasks(cluster=CLUSTER, containerInstance=second)["taskArns"]
    assert len(on_second) == 2
    on_first = ecs.list_tasks(cluster=CLUSTER, containerInstance=first)["taskArns"]
    assert on_first == [solo["taskArn"]]  # the standalone task keeps running where it is
    refused = ecs.start_task(cluster=CLUSTER, taskDefinition="solo", containerInstances=[first])
    assert refused["tasks"] == [] and refused["failures"][0]["reason"] == "DRAINING"
    ecs.update_container_instances_state(
        cluster=CLUSTER, containerInstances=[second], status="DRAINING"
    )
    with pytest.raises(ClientError) as exc:
        ecs.update_container_instances_state(
            cluster=CLUSTER, containerInstances=[second], status="REGISTERING"
        )
    assert error(exc)[0] == "InvalidParameterException"


def test_a_service_with_no_room_says_why_and_starts_once_an_instance_registers(
    fake: FakeECS, ecs: Any
) -> None:
    ec2_definition(ecs, memory=512)
    ecs.create_service(
        cluster=CLUSTER, serviceName="web", taskDefinition="web", desiredCount=1, launchType="EC2"
    )
    fake.advance(5)
    service = ecs.describe_services(cluster=CLUSTER, services=["web"])["services"][0]
    assert service["runningCount"] == 0
    assert "No Container Instances were found in your cluster." in service["events"][0]["message"]
    register(fake, ecs)
    fake.advance(10)
    service = ecs.describe_services(cluster=CLUSTER, services=["web"])["services"][0]
    assert service["runningCount"] == 1


def test_start_task_places_one_task_on_each_named_instance(fake: FakeECS, ecs: Any) -> None:
    a = register(fake, ecs)["containerInstanceArn"]
    b = register(fake, ecs, "t3.micro")["containerInstanceArn"]
    ec2_definition(ecs, memory=2048)
    answer = ecs.start_task(
        cluster=CLUSTER, taskDefinition="web", containerInstances=[a, b, "unknown"], startedBy="me"
    )
    assert [t["containerInstanceArn"] for t in answer["tasks"]] == [a]
    assert answer["tasks"][0]["startedBy"] == "me"
    reasons = [f["reason"] for f in answer["failures"]]
    assert reasons == ["RESOURCE:MEMORY", "MISSING"]
    with pytest.raises(ClientError) as exc:
        ecs.start_task(cluster=CLUSTER, taskDefinition="web", containerInstances=[a] * 11)
    assert error(exc)[0] == "InvalidParameterException"


def test_container_instances_survive_a_restart(tmp_path: Any) -> None:
    fake = FakeECS(clock="manual", seed=0, state=tmp_path / "state.json").start()
    try:
        ecs = client(fake)
        ecs.create_cluster(clusterName=CLUSTER)
        arn = register(fake, ecs)["containerInstanceArn"]
        ec2_definition(ecs, memory=1000)
        fake.behaviour("web", runSeconds=600)
        ecs.run_task(cluster=CLUSTER, taskDefinition="web", launchType="EC2")
        ecs.put_attributes(
            cluster=CLUSTER, attributes=[{"name": "stack", "value": "prod", "targetId": arn}]
        )
        fake = fake.restart()
        seen = describe(ecs, arn)
        assert resource(seen["remainingResources"], "MEMORY") == 7987 - 1000
        assert {"name": "stack", "value": "prod"} in seen["attributes"]
        fake.advance(700)
        assert resource(describe(ecs, arn)["remainingResources"], "MEMORY") == 7987
    finally:
        fake.stop()


def test_a_deregistered_instance_is_forgotten_an_hour_later(fake: FakeECS, ecs: Any) -> None:
    arn = register(fake, ecs)["containerInstanceArn"]
    ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=arn)
    fake.advance(3599)
    assert describe(ecs, arn)["status"] == "INACTIVE"
    fake.advance(1)
    answer = ecs.describe_container_instances(cluster=CLUSTER, containerInstances=[arn])
    assert answer["containerInstances"] == []
    assert answer["failures"] == [{"arn": arn, "reason": "MISSING"}]


def test_an_inactive_registration_taken_up_again_is_kept(fake: FakeECS, ecs: Any) -> None:
    from tests.fakeecs.ec2_instances import identity_document

    instance = launch(fake)
    doc = identity_document(client(fake, "ec2"), instance)
    arn = ecs.register_container_instance(cluster=CLUSTER, instanceIdentityDocument=doc)[
        "containerInstance"
    ]["containerInstanceArn"]
    ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=arn)
    fake.advance(1800)
    again = ecs.register_container_instance(
        cluster=CLUSTER, instanceIdentityDocument=doc, containerInstanceArn=arn
    )["containerInstance"]
    assert again["containerInstanceArn"] == arn and again["status"] == "ACTIVE"
    fake.advance(3600)
    assert describe(ecs, arn)["status"] == "ACTIVE"


def test_forgetting_a_deregistered_instance_survives_a_restart(tmp_path: Any) -> None:
    fake = FakeECS(clock="manual", seed=0, state=tmp_path / "state.json").start()
    try:
        ecs = client(fake)
        ecs.create_cluster(clusterName=CLUSTER)
        arn = register(fake, ecs)["containerInstanceArn"]
        ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=arn)
        fake.advance(1000)
        fake = fake.restart()
        assert describe(ecs, arn)["status"] == "INACTIVE"
        fake.advance(2600)
        failures = ecs.describe_container_instances(cluster=CLUSTER, containerInstances=[arn])[
            "failures"
        ]
        assert failures == [{"arn": arn, "reason": "MISSING"}]
    finally:
        fake.stop()
