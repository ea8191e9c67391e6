"""fakeecs removes the containers it started, those a crashed fakeecs left, and nothing else."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import boto3

from fakeecs import ControlClient, FakeECS
from fakeecs.containers.spec import INSTANCE_LABEL, TASK_LABEL
from harness.e2e.waiting import wait_for
from tests.containers.conftest import ours, register, run, wait_until

LONG = ["sh", "-c", "while true; do sleep 1; done"]


def test_containers_are_labelled_and_removed_on_reset_and_on_close(image: str) -> None:
    with FakeECS(backend="docker") as fake:
        register(fake, "long", [{"name": "main", "image": image, "command": LONG}])
        arn = run(fake, "long")
        wait_until(fake, arn, "RUNNING")
        (started,) = ours(fake)
        assert started.labels[TASK_LABEL] == arn
        assert started.labels["com.amazonaws.ecs.container-name"] == "main"
        fake.reset()
        assert ours(fake) == []
        register(fake, "long", [{"name": "main", "image": image, "command": LONG}])
        wait_until(fake, run(fake, "long"), "RUNNING")
        assert len(ours(fake)) == 1
        runtime = fake.engine.runtime
    left = runtime.client.containers.list(  # type: ignore[attr-defined]
        all=True,
        filters={"label": f"{INSTANCE_LABEL}={runtime.instance}"},  # type: ignore[attr-defined]
    )
    assert left == []


def test_a_crashed_fakeecs_leaves_containers_the_next_one_removes(
    image: str, tmp_path: object
) -> None:
    import docker

    client = docker.from_env()
    foreign = client.containers.create(image, LONG, labels={"owner": "someone else"})
    try:
        crashed = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "fakeecs"),
                "serve",
                "--backend",
                "docker",
                "--port",
                "0",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"},
        )
        url = (crashed.stdout.readline() if crashed.stdout else "").split()[-1]
        ecs = boto3.client("ecs", endpoint_url=url, region_name="us-east-1")
        ecs.create_cluster(clusterName="default")
        ecs.register_task_definition(
            family="long", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
            cpu="256", memory="512", containerDefinitions=[{"name": "main", "image": image, "command": LONG}],
        )  # fmt: skip
        ecs.run_task(
            taskDefinition="long",
            launchType="FARGATE",
            networkConfiguration=ControlClient(url).default_network(),
        )
        label = {"label": INSTANCE_LABEL}
        wait_for(
            lambda: [c for c in client.containers.list(filters=label)],
            timeout=60,
            what="the crashing fakeecs's container to run",
        )
        crashed.send_signal(signal.SIGKILL)
        crashed.wait(timeout=30)
        assert client.containers.list(all=True, filters=label), "nothing was left behind"
        with FakeECS(backend="docker") as fake:
            assert fake.engine.runtime.cleaned_up == 1  # type: ignore[attr-defined]
            assert client.containers.list(all=True, filters=label) == []
            foreign.reload()  # still there: not fakeecs's
    finally:
        foreign.remove(force=True)
