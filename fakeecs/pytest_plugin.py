"""pytest plugin: any project with fakeecs installed can ask for the `fakeecs` fixture.

def test_my_task(fakeecs):
    ecs = boto3.client("ecs", endpoint_url=fakeecs.endpoint_url, region_name="us-east-1")
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakeecs.inprocess import FakeECS


@pytest.fixture
def fakeecs() -> Iterator[FakeECS]:
    """A fresh fakeecs on a manual clock (seed 0), served on a free loopback port."""
    with FakeECS(clock="manual", seed=0) as ecs:
        yield ecs
        ecs.reset()
