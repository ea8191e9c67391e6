"""A task's first status depends on its network mode: only awsvpc tasks are PROVISIONING.

The developer guide's task lifecycle: "PROVISIONING: Amazon ECS has to perform additional
steps before the task is launched. For example, for tasks that use the awsvpc network mode,
the elastic network interface needs to be provisioned." A bridge- or host-mode task on EC2
has no ENI to wait for: RunTask and StartTask answer it PENDING, and it never shows
PROVISIONING.
"""

from __future__ import annotations

from typing import Any

import pytest

from fakeecs import FakeECS
from tests.fakeecs.conftest import CLUSTER, describe, network
from tests.fakeecs.ec2_instances import ec2_definition, register

#: networkMode as registered (None: left out, bridge on Linux) -> the first status.
MODES = [(None, "PENDING"), ("bridge", "PENDING"), ("host", "PENDING"), ("awsvpc", "PROVISIONING")]


def _launch(fake: FakeECS, ecs: Any, mode: str | None, how: str) -> dict[str, Any]:
    instance = register(fake, ecs)["containerInstanceArn"]
    ec2_definition(ecs, **({"networkMode": mode} if mode else {}))
    extra = {"networkConfiguration": network(ecs)} if mode == "awsvpc" else {}
    if how == "RunTask":
        answer = ecs.run_task(cluster=CLUSTER, taskDefinition="web", launchType="EC2", **extra)
    else:
        answer = ecs.start_task(
            cluster=CLUSTER, taskDefinition="web", containerInstances=[instance], **extra
        )
    [task] = answer["tasks"]
    return task


def _statuses(fake: FakeECS, ecs: Any, arn: str, seconds: int) -> list[str]:
    seen = [describe(ecs, arn)["lastStatus"]]
    for _ in range(seconds):
        fake.advance(1)
        status = describe(ecs, arn)["lastStatus"]
        if status != seen[-1]:
            seen.append(status)
    return seen


@pytest.mark.parametrize("how", ["RunTask", "StartTask"])
@pytest.mark.parametrize(("mode", "first"), MODES)
def test_the_first_status_is_provisioning_only_for_awsvpc(
    fake: FakeECS, ecs: Any, mode: str | None, first: str, how: str
) -> None:
    task = _launch(fake, ecs, mode, how)
    assert (task["lastStatus"], task["desiredStatus"]) == (first, "RUNNING")
    assert describe(ecs, task["taskArn"])["lastStatus"] == first


@pytest.mark.parametrize("mode", ["bridge", "host"])
def test_a_task_without_an_eni_goes_from_pending_to_running(
    fake: FakeECS, ecs: Any, mode: str
) -> None:
    arn = _launch(fake, ecs, mode, "RunTask")["taskArn"]
    pending = describe(ecs, arn)
    assert (pending["connectivity"], pending["attachments"]) == ("CONNECTED", [])
    assert "pullStartedAt" not in pending  # the agent has not taken it yet
    assert _statuses(fake, ecs, arn, 10) == ["PENDING", "ACTIVATING", "RUNNING"]
    running = describe(ecs, arn)
    order = ("createdAt", "connectivityAt", "pullStartedAt", "pullStoppedAt", "startedAt")
    times = [running[name] for name in order]
    assert times == sorted(times)
    assert running["connectivityAt"] == running["createdAt"]
