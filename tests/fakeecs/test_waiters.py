"""botocore's own ECS waiters succeed against fakeecs (on a clock that moves as they poll)."""

from __future__ import annotations

from typing import Any

import boto3

from fakeecs import FakeECS
from tests.fakeecs.conftest import CLUSTER, fargate_task_definition, run


def test_tasks_running_and_tasks_stopped_waiters() -> None:
    # A scaled clock: one wall second is an hour of virtual time, so the waiters'
    # real polling sees the task move without anyone advancing the clock by hand.
    with FakeECS(clock="scaled:3600") as fake:
        ecs = boto3.client("ecs", endpoint_url=fake.endpoint_url, region_name="us-east-1")
        ecs.create_cluster(clusterName=CLUSTER)
        ecs.register_task_definition(**fargate_task_definition())
        fake.behaviour("worker", runSeconds=1800, exitCode=0)
        arn = run(ecs)["tasks"][0]["taskArn"]
        fast = {"Delay": 0.05, "MaxAttempts": 200}
        ecs.get_waiter("tasks_running").wait(cluster=CLUSTER, tasks=[arn], WaiterConfig=fast)
        ecs.get_waiter("tasks_stopped").wait(cluster=CLUSTER, tasks=[arn], WaiterConfig=fast)
        task = ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]
        assert task["lastStatus"] == "STOPPED" and task["containers"][0]["exitCode"] == 0


def test_tasks_running_waiter_fails_on_a_task_that_stops(fake: Any, ecs: Any) -> None:
    fake.behaviour("worker", failToStart=True)
    arn = run(ecs)["tasks"][0]["taskArn"]
    fake.advance(60)
    try:
        ecs.get_waiter("tasks_running").wait(
            cluster=CLUSTER, tasks=[arn], WaiterConfig={"Delay": 0, "MaxAttempts": 2}
        )
    except Exception as exc:  # botocore's WaiterError
        assert "STOPPED" in str(exc) or "failure" in str(exc).lower()
    else:
        raise AssertionError("tasks_running succeeded for a task that failed to start")
