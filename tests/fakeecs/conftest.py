"""Shared helpers for fakeecs tests: a boto3 ECS client on a fresh fake, and a Fargate task definition."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from fakeecs import FakeECS
from fakeecs.control import ControlClient

CLUSTER = "test-cluster"
FAMILY = "worker"
#: A network for a request ECS refuses before it looks at subnets (a bridge-mode definition, a
#: Fargate daemon): fakeecs checks subnets as ECS does, so anything meant to run uses `network`.
MADE_UP_NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-0a1b2c3d"]}}
NO_RETRIES = Config(retries={"total_max_attempts": 1})


#: The default client of each service, per fake: building a client costs 5 ms (ECS) to 25 ms
#: (EC2: a method for each of its ~750 operations), and the EC2 tests built hundreds. A client
#: keeps nothing of the fake's state, only its endpoint, so a reset fake can keep its clients.
_CLIENTS: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], Any]] = weakref.WeakKeyDictionary()


def client(ecs: FakeECS, service: str = "ecs", config: Config | None = None) -> Any:
    """A boto3 client on the fake; with `config`, one of its own (test_concurrency's threads)."""
    if config is not None:
        return _new_client(ecs, service, config)
    made = _CLIENTS.setdefault(ecs, {})
    key = (service, ecs.endpoint_url)  # a fake started again may listen elsewhere
    if key not in made:
        made[key] = _new_client(ecs, service, None)
    return made[key]


def _new_client(ecs: FakeECS, service: str, config: Config | None) -> Any:
    return boto3.client(
        service, endpoint_url=ecs.endpoint_url, region_name="us-east-1", config=config
    )


def network(ecs_client: Any) -> dict[str, Any]:
    """A valid networkConfiguration on the fake `ecs_client` talks to: its default VPC's
    (fakeecs refuses subnets and security groups its EC2 does not have, as ECS does)."""
    endpoint = ecs_client.meta.endpoint_url
    return ControlClient(endpoint).default_network(ecs_client.meta.region_name)


def fargate_task_definition(family: str = FAMILY, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "family": family,
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [{"name": "main", "image": "example/worker:1"}],
    }
    params.update(extra)
    return params


def run(ecs_client: Any, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "cluster": CLUSTER,
        "taskDefinition": FAMILY,
        "launchType": "FARGATE",
        "networkConfiguration": network(ecs_client),
    }
    params.update(extra)
    return ecs_client.run_task(**params)


def describe(ecs_client: Any, arn: str) -> dict[str, Any]:
    return ecs_client.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]


@pytest.fixture(scope="module")
def shared_fake() -> Iterator[FakeECS]:
    """One server per module (starting one costs little, but moto's import does)."""
    with FakeECS(clock="manual", seed=0) as ecs:
        yield ecs


@pytest.fixture
def fake(shared_fake: FakeECS) -> Iterator[FakeECS]:
    """A fake with no state: the module's server, reset before each test."""
    shared_fake.reset()
    yield shared_fake


@pytest.fixture
def ecs(fake: FakeECS) -> Any:
    """An ECS client with a cluster and the Fargate `worker` family registered."""
    ecs_client = client(fake)
    ecs_client.create_cluster(clusterName=CLUSTER)
    ecs_client.register_task_definition(**fargate_task_definition())
    return ecs_client


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    from tests.fakeecs.fuzz_record import write_report

    write_report()
