"""Details moto's own ECS tests exposed, each checked against the ECS API reference (or ECS's
answers quoted in public reports where the reference says nothing): deleted clusters in
ListClusters, DescribeServices' MISSING ARNs, a container instance's task counts, CreateService's
`role`, and tagging by the old short ARNs."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from fakeecs import FakeECS
from tests.fakeecs.conftest import CLUSTER, FAMILY, describe, network, run
from tests.fakeecs.ec2_instances import ec2_definition, register

PREFIX = "arn:aws:ecs:us-east-1:123456789012"
SHORT_ARN = "Long arn format must be used for tagging operations"


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def fargate_service(ecs: Any, name: str = "web", **extra: Any) -> dict[str, Any]:
    return ecs.create_service(
        cluster=CLUSTER,
        serviceName=name,
        taskDefinition=FAMILY,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=network(ecs),
        **extra,
    )["service"]


# ListClusters ----------------------------------------------------------------------


def test_a_deleted_cluster_is_listed_while_describe_still_shows_it(ecs: Any) -> None:
    """DeleteCluster: INACTIVE clusters "might remain discoverable in your account for a period
    of time": ListClusters lists what DescribeClusters shows, deleted or not."""
    ecs.create_cluster(clusterName="gone")
    ecs.delete_cluster(cluster="gone")
    listed = ecs.list_clusters()["clusterArns"]
    assert listed == [f"{PREFIX}:cluster/gone", f"{PREFIX}:cluster/{CLUSTER}"]
    described = ecs.describe_clusters(clusters=listed)
    assert [c["status"] for c in described["clusters"]] == ["INACTIVE", "ACTIVE"]
    assert described["failures"] == []

    ecs.create_cluster(clusterName="gone")  # the name again: one cluster, ACTIVE
    listed = ecs.list_clusters()["clusterArns"]
    assert listed.count(f"{PREFIX}:cluster/gone") == 1
    assert ecs.describe_clusters(clusters=["gone"])["clusters"][0]["status"] == "ACTIVE"


# DescribeServices --------------------------------------------------------------------


def test_unknown_services_are_missing_by_short_arn_or_as_given(ecs: Any) -> None:
    """A name ECS does not know comes back as `service/NAME` (no cluster segment, as ECS
    answers even when a cluster is given); an ARN comes back as it was given."""
    known = fargate_service(ecs)["serviceArn"]
    elsewhere = "arn:aws:ecs:eu-central-1:123456789012:service/unknown-2"
    long_form = f"{PREFIX}:service/{CLUSTER}/unknown-3"
    answer = ecs.describe_services(
        cluster=CLUSTER, services=["web", "unknown", known, elsewhere, long_form]
    )
    assert [s["serviceArn"] for s in answer["services"]] == [known, known]
    assert answer["failures"] == [
        {"arn": f"{PREFIX}:service/unknown", "reason": "MISSING"},
        {"arn": elsewhere, "reason": "MISSING"},
        {"arn": long_form, "reason": "MISSING"},
    ]


# container instance counts ---------------------------------------------------------


def test_an_instance_counts_as_running_the_tasks_meant_to_run(fake: FakeECS, ecs: Any) -> None:
    """ContainerInstance.runningTasksCount: tasks "that have a desired status (desiredStatus)
    of RUNNING", pending ones included and stopping ones not; pendingTasksCount: tasks not yet
    RUNNING. The cluster query language's runningTasksCount is the same number."""
    arn = register(fake, ecs)["containerInstanceArn"]
    ec2_definition(ecs)
    fake.behaviour("web", runSeconds=600)
    task = ecs.run_task(cluster=CLUSTER, taskDefinition="web", launchType="EC2")["tasks"][0]

    def counts() -> tuple[int, int]:
        found = ecs.describe_container_instances(cluster=CLUSTER, containerInstances=[arn])
        seen = found["containerInstances"][0]
        return seen["runningTasksCount"], seen["pendingTasksCount"]

    assert describe(ecs, task["taskArn"])["lastStatus"] in ("PROVISIONING", "PENDING")
    assert counts() == (1, 1)
    busy = ecs.list_container_instances(cluster=CLUSTER, filter="runningTasksCount == 1")
    assert busy["containerInstanceArns"] == [arn]

    fake.advance(10)
    assert describe(ecs, task["taskArn"])["lastStatus"] == "RUNNING"
    assert counts() == (1, 0)

    ecs.stop_task(cluster=CLUSTER, task=task["taskArn"])
    stopping = describe(ecs, task["taskArn"])
    assert stopping["desiredStatus"] == "STOPPED" and stopping["lastStatus"] != "STOPPED"
    assert counts() == (0, 0)
    idle = ecs.list_container_instances(cluster=CLUSTER, filter="runningTasksCount == 0")
    assert idle["containerInstanceArns"] == [arn]


# CreateService's role ----------------------------------------------------------------


def test_a_role_without_a_load_balancer_is_refused(ecs: Any) -> None:
    """CreateService role: "If you specify the role parameter, you must also specify a load
    balancer object with the loadBalancers parameter" (ECS's own message below)."""
    with pytest.raises(ClientError) as exc:
        fargate_service(ecs, role="ecsServiceRole")
    assert error(exc) == (
        "InvalidParameterException",
        "A role was passed, but no load balancers were present.",
    )
    assert ecs.list_services(cluster=CLUSTER)["serviceArns"] == []


def test_a_role_is_only_for_a_load_balanced_service_without_awsvpc(ecs: Any) -> None:
    """With a load balancer the role is kept and shown as an ARN; an awsvpc task definition
    needs the service-linked role, so a role given with one is refused."""
    balancer = {
        "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1",
        "containerName": "main",
        "containerPort": 80,
    }
    with pytest.raises(ClientError) as exc:
        fargate_service(ecs, role="ecsServiceRole", loadBalancers=[balancer])
    assert error(exc) == (
        "InvalidParameterException",
        "You cannot specify an IAM role for services that require a service linked role.",
    )

    ec2_definition(ecs, container={"portMappings": [{"containerPort": 80}]})
    service = ecs.create_service(
        cluster=CLUSTER,
        serviceName="bridge",
        taskDefinition="web",
        desiredCount=0,
        launchType="EC2",
        role="/ecs/ecsServiceRole",
        loadBalancers=[balancer],
    )["service"]
    role = "arn:aws:iam::123456789012:role/ecs/ecsServiceRole"
    assert service["roleArn"] == role
    found = ecs.describe_services(cluster=CLUSTER, services=["bridge"])["services"][0]
    assert found["roleArn"] == role


# tagging by short ARN ----------------------------------------------------------------


@pytest.mark.parametrize(
    "short",
    [
        f"{PREFIX}:service/web",
        f"{PREFIX}:task/0123456789abcdef0123456789abcdef",
        f"{PREFIX}:container-instance/0123456789abcdef0123456789abcdef",
    ],
)
def test_tagging_by_a_short_arn_is_refused(ecs: Any, short: str) -> None:
    """Services, tasks and container instances are tagged by their long ARN only (the account
    setting docs: "You must opt in to the new ARN format to use features such as resource
    tagging"; the TagResource reference: a short ARN gets an InvalidParameterException)."""
    calls = [
        lambda: ecs.tag_resource(resourceArn=short, tags=[{"key": "team", "value": "data"}]),
        lambda: ecs.untag_resource(resourceArn=short, tagKeys=["team"]),
        lambda: ecs.list_tags_for_resource(resourceArn=short),
    ]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc) == ("InvalidParameterException", SHORT_ARN)


def test_the_long_arns_of_the_same_resources_are_tagged(fake: FakeECS, ecs: Any) -> None:
    service = fargate_service(ecs)["serviceArn"]
    task = run(ecs)["tasks"][0]["taskArn"]
    instance = register(fake, ecs)["containerInstanceArn"]
    cluster = f"{PREFIX}:cluster/{CLUSTER}"  # a cluster has one ARN form only
    for resource in (service, task, instance, cluster):
        ecs.tag_resource(resourceArn=resource, tags=[{"key": "team", "value": "data"}])
        assert ecs.list_tags_for_resource(resourceArn=resource)["tags"] == [
            {"key": "team", "value": "data"}
        ]
        ecs.untag_resource(resourceArn=resource, tagKeys=["team"])
        assert ecs.list_tags_for_resource(resourceArn=resource)["tags"] == []


def test_a_deleted_cluster_cannot_be_tagged_but_its_tags_can_be_read(ecs: Any) -> None:
    """TagResource on an INACTIVE cluster answers InvalidParameterException "The specified
    cluster is inactive. Specify an active cluster and try again." (as reported from ECS by
    tools that tag every cluster ListClusters returns); reading its tags still works."""
    arn = ecs.create_cluster(clusterName="gone", tags=[{"key": "team", "value": "data"}])[
        "cluster"
    ]["clusterArn"]
    ecs.delete_cluster(cluster="gone")
    with pytest.raises(ClientError) as exc:
        ecs.tag_resource(resourceArn=arn, tags=[{"key": "owner", "value": "me"}])
    assert error(exc) == (
        "InvalidParameterException",
        "The specified cluster is inactive. Specify an active cluster and try again.",
    )
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "data"}]
