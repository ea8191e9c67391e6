"""awsvpc networks are checked against the EC2 on fakeecs's port, as ECS checks them (the default;
`--lenient-network` turns it off)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from fakeecs import FakeECS
from tests.fakeecs.conftest import CLUSTER, FAMILY, client, fargate_task_definition, network, run


def refusal(call: Any) -> str:
    with pytest.raises(ClientError) as exc:
        call()
    assert exc.value.response["Error"]["Code"] == "InvalidParameterException"
    return exc.value.response["Error"]["Message"]


def other_vpc(fake: FakeECS) -> tuple[str, str]:
    """A subnet and a security group of a second VPC, made with EC2 on the fake's endpoint."""
    ec2 = client(fake, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="other", Description="x", VpcId=vpc)["GroupId"]
    return subnet, group


def test_networks_are_checked_unless_asked_otherwise(fake: FakeECS) -> None:
    assert fake.health()["lenientNetwork"] is False


def test_a_reset_makes_the_default_vpc_again(fake: FakeECS) -> None:
    first = fake.default_network()
    subnets = first["awsvpcConfiguration"]["subnets"]
    assert len(subnets) >= 2 and all(s.startswith("subnet-") for s in subnets)
    assert first["awsvpcConfiguration"]["securityGroups"][0].startswith("sg-")
    fake.reset()  # forgets EC2 too: the default VPC is made again on its first use
    again = client(fake)
    again.create_cluster(clusterName=CLUSTER)
    again.register_task_definition(**fargate_task_definition())
    assert run(again, networkConfiguration=fake.default_network())["tasks"]


def test_the_default_network_is_accepted_and_shown(ecs: Any) -> None:
    given = network(ecs)
    task = run(ecs, networkConfiguration=given)["tasks"][0]
    details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
    assert details["subnetId"] in given["awsvpcConfiguration"]["subnets"]


@pytest.mark.parametrize("operation", ["run_task", "create_service"])
def test_an_unknown_subnet_is_refused_with_ecs_message(ecs: Any, operation: str) -> None:
    bad = {"awsvpcConfiguration": {"subnets": ["subnet-0nothere"]}}
    params: dict[str, Any] = {
        "cluster": CLUSTER,
        "taskDefinition": FAMILY,
        "launchType": "FARGATE",
        "networkConfiguration": bad,
    }
    if operation == "create_service":
        params.update(serviceName="svc", desiredCount=1)
    message = refusal(lambda: getattr(ecs, operation)(**params))
    assert message == (
        "Error retrieving subnet information for [subnet-0nothere]: The subnet ID "
        "'subnet-0nothere' does not exist (ErrorCode: InvalidSubnetID.NotFound)"
    )


def test_an_unknown_security_group_is_refused_with_ecs_message(ecs: Any) -> None:
    subnets = network(ecs)["awsvpcConfiguration"]["subnets"]
    bad = {"awsvpcConfiguration": {"subnets": subnets, "securityGroups": ["sg-0nothere"]}}
    message = refusal(lambda: run(ecs, networkConfiguration=bad))
    assert message == (
        "Error retrieving security group information for [sg-0nothere]: The security group "
        "'sg-0nothere' does not exist (ErrorCode: InvalidGroup.NotFound)"
    )


def test_a_network_mixing_vpcs_is_refused(ecs: Any, fake: FakeECS) -> None:
    default = network(ecs)["awsvpcConfiguration"]
    subnet, group = other_vpc(fake)
    mixed_groups = {
        "awsvpcConfiguration": {"subnets": default["subnets"], "securityGroups": [group]}
    }
    assert refusal(lambda: run(ecs, networkConfiguration=mixed_groups)) == (
        f"Security group {group} does not appear to belong to the same VPC as the input subnets."
    )
    mixed_subnets = {"awsvpcConfiguration": {"subnets": [default["subnets"][0], subnet]}}
    assert "same VPC" in refusal(lambda: run(ecs, networkConfiguration=mixed_subnets))
    assert ecs.list_tasks(cluster=CLUSTER)["taskArns"] == []  # nothing started


def test_update_service_checks_its_new_network(ecs: Any) -> None:
    ecs.create_service(
        cluster=CLUSTER,
        serviceName="svc",
        taskDefinition=FAMILY,
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=network(ecs),
    )
    bad = {"awsvpcConfiguration": {"subnets": ["subnet-0gone"]}}
    message = refusal(
        lambda: ecs.update_service(cluster=CLUSTER, service="svc", networkConfiguration=bad)
    )
    assert "subnet-0gone" in message


def test_lenient_mode_accepts_any_subnet() -> None:
    with FakeECS(clock="manual", seed=0, lenient_network=True) as fake:
        ecs = client(fake)
        ecs.create_cluster(clusterName=CLUSTER)
        ecs.register_task_definition(
            family=FAMILY,
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            containerDefinitions=[{"name": "main", "image": "x"}],
        )
        made_up = {"awsvpcConfiguration": {"subnets": ["subnet-made-up"]}}
        assert run(ecs, networkConfiguration=made_up)["tasks"]
        assert fake.health()["lenientNetwork"] is True
