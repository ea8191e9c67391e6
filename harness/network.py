"""The network the DAGs' Fargate tasks run in, made in the fake's EC2 as Terraform makes it.

fakeecs checks an awsvpc network as ECS does: the subnets and the security group must exist
in the EC2 on its port, in one VPC. The deployment's Terraform gives the account a VPC, two
private subnets in different availability zones and a security group for the tasks, and hands
them to Airflow as ECS_NETWORK_CONFIG; a world does the same in its fake. fakeecs's seed makes
EC2's ids, so the same seed gives the same network in every run.
"""

from __future__ import annotations

import base64
import json
from typing import Any

CIDR = "10.20.0.0/16"
#: (availability zone, CIDR) of each private subnet.
SUBNETS = (("us-east-1a", "10.20.1.0/24"), ("us-east-1b", "10.20.2.0/24"))
GROUP = "airflow-ecs-tasks"


def create(ec2: Any, name: str) -> dict[str, Any]:
    """Make the VPC, subnets and tasks' security group with `ec2` (a boto3 EC2 client on the
    fake); returns the networkConfiguration RunTask takes. `name` tags them, as Terraform does."""
    vpc = ec2.create_vpc(CidrBlock=CIDR, TagSpecifications=[_tags("vpc", name)])["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(
            VpcId=vpc,
            CidrBlock=cidr,
            AvailabilityZone=zone,
            TagSpecifications=[_tags("subnet", f"{name}-private-{zone[-1]}")],
        )["Subnet"]["SubnetId"]
        for zone, cidr in SUBNETS
    ]
    group = ec2.create_security_group(
        GroupName=GROUP, Description="Airflow's ECS tasks", VpcId=vpc
    )["GroupId"]
    return {"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [group]}}


def config_value(network: dict[str, Any]) -> str:
    """ECS_NETWORK_CONFIG for `network`: base64 of its JSON, as the deployment sets it."""
    return base64.b64encode(json.dumps(network).encode()).decode()


def _tags(kind: str, name: str) -> dict[str, Any]:
    return {"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}
