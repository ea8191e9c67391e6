"""Setting the scene with the suite's own boto3: clusters, task definitions, tasks, services.

What a check then does with a third-party client is the part under test; these calls only put
the fake into a known state, through the same public ECS API.
"""

from __future__ import annotations

from typing import Any

from conformance.server import ServedFake, default_network
from fakeecs.fixtures import fargate_task_definition

CLUSTER = "conformance"
FAMILY = "web"
LONG_RUNNING = 10**7  # seconds: a service's container that does not exit by itself


def cluster(fake: ServedFake, name: str = CLUSTER) -> str:
    return fake.client().create_cluster(clusterName=name)["cluster"]["clusterArn"]


def task_definition(fake: ServedFake, family: str = FAMILY, image: str = "example/web:1") -> str:
    params = fargate_task_definition(family, [{"name": "main", "image": image}])
    return fake.client().register_task_definition(**params)["taskDefinition"]["taskDefinitionArn"]


def run_tasks(fake: ServedFake, count: int = 1, family: str = FAMILY) -> list[str]:
    answer = fake.client().run_task(
        cluster=CLUSTER,
        taskDefinition=family,
        launchType="FARGATE",
        count=count,
        networkConfiguration=default_network(fake),
    )
    return [t["taskArn"] for t in answer["tasks"]]


def service(fake: ServedFake, name: str = "api", desired: int = 2, family: str = FAMILY) -> Any:
    fake.control.behaviour(family, runSeconds=LONG_RUNNING)
    return fake.client().create_service(
        cluster=CLUSTER,
        serviceName=name,
        taskDefinition=family,
        desiredCount=desired,
        launchType="FARGATE",
        networkConfiguration=default_network(fake),
    )["service"]


def fargate_world(fake: ServedFake) -> None:
    """A cluster and a Fargate task definition: what most checks start from."""
    cluster(fake)
    task_definition(fake)
