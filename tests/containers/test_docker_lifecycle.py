"""Tasks whose containers really run: exit codes, output, failures and stops come from Docker."""

from __future__ import annotations

import json

from fakeecs import FakeECS
from tests.containers.conftest import (
    aws,
    container,
    describe,
    log_lines,
    register,
    run,
    wait_until,
)


def test_exit_code_output_and_timestamps_come_from_the_container(fake: FakeECS, image: str) -> None:
    register(fake, "exits", [{"name": "main", "image": image,
                              "command": ["sh", "-c", "echo harvested 12 records; exit 3"]}])  # fmt: skip
    arn = run(fake, "exits")
    task = wait_until(fake, arn, "STOPPED")
    main = container(task)
    assert (task["stopCode"], main["exitCode"]) == ("EssentialContainerExited", 3)
    assert len(main["runtimeId"]) == 64  # the Docker container's ID
    assert task["startedAt"] <= task["stoppingAt"] <= task["stoppedAt"]
    assert log_lines(fake, "exits", arn) == ["harvested 12 records"]


def test_entry_point_command_environment_and_overrides(fake: FakeECS, image: str) -> None:
    register(fake, "env", [{
        "name": "main", "image": image, "entryPoint": ["sh", "-c"],
        "command": ["echo from-definition"],
        "environment": [{"name": "SOURCE", "value": "definition"}, {"name": "KEEP", "value": "k"}],
    }])  # fmt: skip
    overrides = {"containerOverrides": [{
        "name": "main", "command": ['echo "$SOURCE $KEEP $AWS_REGION $AWS_EXECUTION_ENV"'],
        "environment": [{"name": "SOURCE", "value": "override"}],
    }]}  # fmt: skip
    arn = run(fake, "env", overrides=overrides)
    task = wait_until(fake, arn, "STOPPED")
    assert container(task)["exitCode"] == 0
    assert log_lines(fake, "env", arn) == ["override k us-east-1 AWS_ECS_FARGATE"]


def test_an_image_the_engine_does_not_have_cannot_be_pulled(fake: FakeECS) -> None:
    register(fake, "nopull", [{"name": "main", "image": "library/no-such-image:1"}])
    arn = run(fake, "nopull")
    task = wait_until(fake, arn, "STOPPED")
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"].startswith("CannotPullContainerError:")
    assert container(task)["reason"].startswith("CannotPullContainerError:")
    assert "exitCode" not in container(task)


def test_exceeding_the_memory_limit_is_an_oom_kill(fake: FakeECS, image: str) -> None:
    register(fake, "oom", [{"name": "main", "image": image, "memory": 32,
                            "command": ["sh", "-c", "x=$(yes | head -c 300000000); echo survived"]}])  # fmt: skip
    task = wait_until(fake, run(fake, "oom"), "STOPPED")
    assert container(task)["exitCode"] == 137
    assert container(task)["reason"].startswith("OutOfMemoryError")


def test_stop_task_sends_sigterm_then_sigkill_after_stop_timeout(fake: FakeECS, image: str) -> None:
    # PID 1 ignores SIGTERM unless it traps it: the first is killed after stopTimeout.
    register(fake, "stubborn", [{"name": "main", "image": image, "stopTimeout": 2,
                                 "command": ["sh", "-c", "echo up; while true; do sleep 1; done"]}])  # fmt: skip
    register(fake, "polite", [{"name": "main", "image": image, "stopTimeout": 60,
                               "command": ["sh", "-c", "trap 'echo bye; exit 0' TERM; echo up; while true; do sleep 1; done"]}])  # fmt: skip
    arns = {family: run(fake, family) for family in ("stubborn", "polite")}
    for family, arn in arns.items():
        wait_until(fake, arn, "RUNNING")
        wait_until_logged(fake, family, arn, "up")
        aws(fake).stop_task(task=arn, reason="maintenance")
    stubborn = wait_until(fake, arns["stubborn"], "STOPPED")
    polite = wait_until(fake, arns["polite"], "STOPPED")
    assert (stubborn["stopCode"], stubborn["stoppedReason"]) == ("UserInitiated", "maintenance")
    assert container(stubborn)["exitCode"] == 137
    assert container(polite)["exitCode"] == 0
    assert log_lines(fake, "polite", arns["polite"]) == ["up", "bye"]


def wait_until_logged(fake: FakeECS, family: str, arn: str, line: str) -> None:
    from harness.e2e.waiting import wait_for

    wait_for(lambda: line in log_lines(fake, family, arn), timeout=30, what=f"{line!r} logged")


def test_only_an_essential_container_ending_stops_the_task(fake: FakeECS, image: str) -> None:
    register(fake, "pair", [
        {"name": "main", "image": image, "command": ["sh", "-c", "sleep 3; exit 0"]},
        {"name": "sidecar", "image": image, "essential": False, "command": ["sh", "-c", "exit 1"]},
    ])  # fmt: skip
    arn = run(fake, "pair")
    wait_until(fake, arn, "RUNNING")
    from harness.e2e.waiting import wait_for

    wait_for(lambda: container(describe(fake, arn), "sidecar").get("exitCode") == 1,
             timeout=30, what="the sidecar to exit")  # fmt: skip
    assert describe(fake, arn)["lastStatus"] == "RUNNING"  # a non-essential exit stops nothing
    task = wait_until(fake, arn, "STOPPED")
    assert task["stopCode"] == "EssentialContainerExited"
    assert [container(task, n)["exitCode"] for n in ("main", "sidecar")] == [0, 1]


def test_an_essential_exit_stops_the_other_containers(fake: FakeECS, image: str) -> None:
    register(fake, "leader", [
        {"name": "main", "image": image, "command": ["sh", "-c", "sleep 2; exit 4"]},
        {"name": "helper", "image": image, "essential": False, "stopTimeout": 1,
         "command": ["sh", "-c", "while true; do sleep 1; done"]},
    ])  # fmt: skip
    task = wait_until(fake, run(fake, "leader"), "STOPPED")
    assert [container(task, n)["exitCode"] for n in ("main", "helper")] == [4, 137]


def test_the_task_metadata_endpoint_describes_the_task_to_its_container(
    fake: FakeECS, image: str
) -> None:
    register(fake, "meta", [{"name": "main", "image": image,
                             "command": ["sh", "-c", "wget -qO- $ECS_CONTAINER_METADATA_URI_V4/task; echo; "
                                         "wget -qO- $ECS_CONTAINER_METADATA_URI_V4"]}])  # fmt: skip
    arn = run(fake, "meta")
    task = wait_until(fake, arn, "STOPPED")
    lines = log_lines(fake, "meta", arn)
    assert len(lines) == 2, lines
    about_task, about_container = (json.loads(line) for line in lines)
    assert (about_task["TaskARN"], about_task["Family"], about_task["Revision"]) == (
        arn,
        "meta",
        "1",
    )
    assert about_task["Cluster"] == task["clusterArn"]
    assert about_task["Limits"] == {"CPU": 0.25, "Memory": 512}
    assert about_task["LaunchType"] == "FARGATE"
    assert [c["Name"] for c in about_task["Containers"]] == ["main"]
    assert about_container["DockerId"] == container(task)["runtimeId"]
    assert about_container["KnownStatus"] == "RUNNING"
    assert about_container["Labels"]["com.amazonaws.ecs.task-arn"] == arn
    assert about_container["LogDriver"] == "awslogs"


def test_a_command_that_cannot_be_started_fails_the_task(fake: FakeECS, image: str) -> None:
    register(fake, "noexec", [{"name": "main", "image": image, "entryPoint": ["/no/such/program"]}])
    task = wait_until(fake, run(fake, "noexec"), "STOPPED")
    assert task["stopCode"] == "TaskFailedToStart"
    assert container(task)["reason"].startswith("CannotStartContainerError:")
