"""pytest plugin: any project with fakeecs installed can ask for the `fakeecs` fixture.

def test_my_task(fakeecs, fakeecs_network):
    ecs = boto3.client("ecs", endpoint_url=fakeecs.endpoint_url, region_name="us-east-1")
    ecs.run_task(..., networkConfiguration=fakeecs_network)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fakeecs.inprocess import FakeECS


@pytest.fixture
def fakeecs() -> Iterator[FakeECS]:
    """A fresh fakeecs on a manual clock (seed 0), served on a free loopback port."""
    with FakeECS(clock="manual", seed=0) as ecs:
        yield ecs
        ecs.reset()


@pytest.fixture
def fakeecs_network(fakeecs: FakeECS) -> dict[str, Any]:
    """A networkConfiguration the `fakeecs` fixture accepts for awsvpc tasks and services: its
    default VPC's default subnets and security group (fakeecs checks networks as ECS does)."""
    return fakeecs.default_network()
