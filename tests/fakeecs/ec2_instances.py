"""Helpers for EC2 launch type tests: EC2 instances made through moto on the fake's endpoint,
registered as container instances with the identity document they would read from IMDS."""

from __future__ import annotations

import json
from typing import Any

from tests.fakeecs.conftest import CLUSTER, client


def identity_document(ec2_client: Any, instance_id: str) -> str:
    described = ec2_client.describe_instances(InstanceIds=[instance_id])
    instance = described["Reservations"][0]["Instances"][0]
    return json.dumps(
        {
            "instanceId": instance_id,
            "instanceType": instance["InstanceType"],
            "availabilityZone": instance["Placement"]["AvailabilityZone"],
            "region": "us-east-1",
            "accountId": "123456789012",
            "imageId": instance["ImageId"],
            "privateIp": instance.get("PrivateIpAddress"),
        }
    )


def launch(fake: Any, instance_type: str = "t3.large", zone: str | None = None) -> str:
    """A running EC2 instance in moto (same endpoint, same process); its ID."""
    ec2 = client(fake, "ec2")
    extra = {"Placement": {"AvailabilityZone": zone}} if zone else {}
    answer = ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType=instance_type, **extra
    )
    return answer["Instances"][0]["InstanceId"]


def register(
    fake: Any,
    ecs: Any,
    instance_type: str = "t3.large",
    zone: str | None = None,
    cluster: str = CLUSTER,
    **extra: Any,
) -> dict[str, Any]:
    """Launch an EC2 instance and register it into `cluster`; the container instance."""
    instance_id = launch(fake, instance_type, zone)
    doc = identity_document(client(fake, "ec2"), instance_id)
    return ecs.register_container_instance(
        cluster=cluster,
        instanceIdentityDocument=doc,
        instanceIdentityDocumentSignature="fake-signature",
        **extra,
    )["containerInstance"]


def resource(resources: list[dict[str, Any]], name: str) -> Any:
    found = next(r for r in resources if r["name"] == name)
    return found["stringSetValue"] if found["type"] == "STRINGSET" else found["integerValue"]


def ec2_definition(
    ecs: Any, family: str = "web", memory: int = 512, cpu: int = 256, **extra: Any
) -> None:
    container: dict[str, Any] = {"name": "main", "image": "example/web:1", "memory": memory}
    container["cpu"] = cpu
    container.update(extra.pop("container", {}))
    ecs.register_task_definition(family=family, containerDefinitions=[container], **extra)


def moto_group(fake: Any, size: int, name: str = "ecs-hosts") -> dict[str, Any]:
    """An Auto Scaling group `name` made in moto (through the fake's endpoint) with `size`
    instances now (room for at least two), as DescribeAutoScalingGroups shows it."""
    ec2, autoscaling = client(fake, "ec2"), client(fake, "autoscaling")
    image = ec2.describe_images()["Images"][0]["ImageId"]
    ec2.create_launch_template(
        LaunchTemplateName=f"{name}-lt",
        LaunchTemplateData={"ImageId": image, "InstanceType": "t3.micro"},
    )
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=name,
        LaunchTemplate={"LaunchTemplateName": f"{name}-lt"},
        MinSize=size,
        MaxSize=max(size, 2),
        AvailabilityZones=["us-east-1a"],
    )
    [group] = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])[
        "AutoScalingGroups"
    ]
    return group


def register_instance(fake: Any, ecs: Any, instance_id: str, cluster: str = CLUSTER) -> str:
    """Register an existing EC2 instance (say, one of a group) into `cluster`; its ARN."""
    document = identity_document(client(fake, "ec2"), instance_id)
    return ecs.register_container_instance(
        cluster=cluster,
        instanceIdentityDocument=document,
        instanceIdentityDocumentSignature="fake-signature",
    )["containerInstance"]["containerInstanceArn"]
