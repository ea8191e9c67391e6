"""FakeECSContainer: fakeecs in a container built from the project's Dockerfile, driven by boto3."""

from __future__ import annotations

import pytest

from fakeecs.fixtures import fargate_task_definition
from fakeecs.testcontainer import FakeECSContainer, build_image
from harness.docker import engine, images
from tests.docker.conftest import ROOT


@pytest.fixture(scope="module")
def fakeecs_image() -> str:
    try:
        engine.ensure(ROOT / "build" / "dockerd.log")
    except engine.EngineUnavailable as err:
        pytest.fail(str(err), pytrace=False)
    base = images.ensure_all((images.PYTHON,))["BASE_IMAGE"]
    return build_image("fakeecs:test-docker", base_image=base)


def test_fakeecs_in_a_container_answers_ecs_and_its_control_api(fakeecs_image: str) -> None:
    with FakeECSContainer(fakeecs_image) as fake:
        assert fake.control is not None
        ecs = fake.client("ecs")
        ecs.create_cluster(clusterName="demo")
        ecs.register_task_definition(
            **fargate_task_definition("job", [{"name": "main", "image": "job:1"}])
        )
        arn = ecs.run_task(
            cluster="demo",
            taskDefinition="job",
            launchType="FARGATE",
            networkConfiguration=fake.control.default_network(),
        )["tasks"][0]["taskArn"]
        assert fake.control.health()["backend"] == "simulated"
        fake.control.advance(60)  # the default behaviour: 30 s of container, exit 0
        task = ecs.describe_tasks(cluster="demo", tasks=[arn])["tasks"][0]
        assert (task["lastStatus"], task["containers"][0]["exitCode"]) == ("STOPPED", 0)
        assert "fakeecs listening on" in fake.logs()
