"""fakeecs removes the containers it started, those a crashed fakeecs left, and nothing else."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3

from fakeecs import ControlClient, FakeECS
from fakeecs.containers import ownership
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


def test_two_fakeecs_side_by_side_run_the_same_task_and_reset_only_their_own(
    image: str,
) -> None:
    """Same seed, same task ids: their containers still get names of their own."""
    with FakeECS(backend="docker") as first, FakeECS(backend="docker") as second:
        for fake in (first, second):
            register(fake, "long", [{"name": "main", "image": image, "command": LONG}])
        arns = [run(fake, "long") for fake in (first, second)]
        assert arns[0] == arns[1]
        for fake, arn in zip((first, second), arns, strict=True):
            wait_until(fake, arn, "RUNNING")
        (kept,) = ours(second)
        first.reset()
        assert ours(first) == []
        assert ours(second) == [kept]


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
        # Only the crashed instance's containers: the other pytest-xdist worker may be running
        # docker-backed fakeecs instances of its own, whose start-up also removes what a crashed
        # one left (so this test checks that they are gone, not which instance removed them, nor
        # that they were still there just before this one started).
        crashed_instance = f"{socket.gethostname()}/{crashed.pid}/"

        def left_by_crashed() -> list[object]:
            found = client.containers.list(
                all=True, filters={"label": INSTANCE_LABEL}, ignore_removed=True
            )
            return [c for c in found if c.labels[INSTANCE_LABEL].startswith(crashed_instance)]

        wait_for(left_by_crashed, timeout=60, what="the crashing fakeecs's container to run")
        crashed.send_signal(signal.SIGKILL)
        crashed.wait(timeout=30)
        with FakeECS(backend="docker"):
            assert left_by_crashed() == []
            foreign.reload()  # still there: not fakeecs's
    finally:
        foreign.remove(force=True)


def test_a_fakeecs_starting_while_another_cleans_up_lists_without_failing(image: str) -> None:
    """A fakeecs lists what a crashed one left while another removes it (docker-py inspects every
    listed container, and some are gone by then): the listing skips those, never fails."""
    import docker

    client = docker.from_env()
    dead = subprocess.Popen(["true"])
    dead.wait()
    crashed_instance = f"{socket.gethostname()}/{dead.pid}/0/1"
    for _ in range(40):
        client.containers.create(image, LONG, labels={INSTANCE_LABEL: crashed_instance})
    # (a docker-backed fakeecs of the other xdist worker may remove some of them first)
    left = ownership.left_behind(client)

    def list_until_all_gone() -> None:
        while any(
            c.labels[INSTANCE_LABEL] == crashed_instance for c in ownership.left_behind(client)
        ):
            pass

    with ThreadPoolExecutor(max_workers=1) as pool:
        lister = pool.submit(list_until_all_gone)
        ownership.remove(left)
        lister.result(timeout=120)  # raises what the listing raised
    label = {"label": f"{INSTANCE_LABEL}={crashed_instance}"}
    assert client.containers.list(all=True, filters=label) == []
