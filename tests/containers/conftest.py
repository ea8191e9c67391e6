"""The docker backend's tests: real containers in a local Docker engine.

They run wherever an engine answers (CI starts one: `.ci/run`), and are skipped
with one reason, printed once in the header, where none does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from fakeecs import FakeECS
from fakeecs.fixtures import awslogs, fargate_task_definition
from harness.docker import engine, images
from harness.e2e.waiting import wait_for

HERE = Path(__file__).parent
EXECUTION_ROLE = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
_NO_ENGINE = (
    f"no Docker engine answers here, so the docker backend's tests are skipped; {engine.HOW}"
)


def pytest_report_header() -> str | None:
    return None if engine.answers() else f"docker backend: {_NO_ENGINE}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mine = [item for item in items if HERE in Path(item.fspath).parents]
    if mine and not engine.answers():
        for item in mine:
            item.add_marker(pytest.mark.skip(reason=_NO_ENGINE))


@pytest.fixture(scope="session")
def image() -> str:
    """A tiny image with a shell, wget and friends, built locally (no registry)."""
    return images.busybox()


@pytest.fixture
def fake(image: str) -> Iterator[FakeECS]:
    with FakeECS(backend="docker") as ecs:
        yield ecs


def aws(fake: FakeECS, service: str = "ecs") -> Any:
    return boto3.client(service, endpoint_url=fake.endpoint_url, region_name="us-east-1")


def register(fake: FakeECS, family: str, containers: list[dict[str, Any]], **extra: Any) -> None:
    for container in containers:
        container.setdefault("logConfiguration", awslogs(family))
    aws(fake).register_task_definition(
        **fargate_task_definition(family, containers, executionRoleArn=EXECUTION_ROLE, **extra)
    )


def run(fake: FakeECS, family: str, **extra: Any) -> str:
    ecs = aws(fake)
    if not ecs.list_clusters()["clusterArns"]:
        ecs.create_cluster(clusterName="default")
    answer = ecs.run_task(
        taskDefinition=family,
        launchType="FARGATE",
        networkConfiguration=fake.default_network(),
        **extra,
    )
    assert not answer["failures"], answer["failures"]
    return answer["tasks"][0]["taskArn"]


def describe(fake: FakeECS, task_arn: str) -> dict[str, Any]:
    return aws(fake).describe_tasks(tasks=[task_arn])["tasks"][0]


def wait_until(fake: FakeECS, task_arn: str, status: str, timeout: float = 60) -> dict[str, Any]:
    return wait_for(
        lambda: (task := describe(fake, task_arn))["lastStatus"] == status and task,
        timeout=timeout,
        what=f"task {task_arn} to be {status}",
    )


def container(task: dict[str, Any], name: str = "main") -> dict[str, Any]:
    return next(c for c in task["containers"] if c["name"] == name)


def log_lines(fake: FakeECS, family: str, task_arn: str, name: str = "main") -> list[str]:
    stream = f"ecs/{name}/{task_arn.rsplit('/', 1)[-1]}"
    logs = aws(fake, "logs")
    try:
        events = logs.get_log_events(logGroupName=family, logStreamName=stream)
    except logs.exceptions.ResourceNotFoundException:  # nothing written yet
        return []
    return [e["message"] for e in events["events"]]


def ours(fake: FakeECS) -> list[Any]:
    """The Docker containers this fake started (by its instance label)."""
    runtime = fake.engine.runtime
    return runtime.client.containers.list(  # type: ignore[attr-defined]
        all=True,
        filters={"label": f"fakeecs.instance={runtime.instance}"},  # type: ignore[attr-defined]
    )
