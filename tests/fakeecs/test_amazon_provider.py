"""Airflow's Amazon provider (EcsHook and its own waiters) works against fakeecs unmodified."""

from __future__ import annotations

from typing import Any

import pytest
from airflow.providers.amazon.aws.hooks.ecs import EcsHook

from tests.fakeecs.conftest import CLUSTER, run

FAST = {"Delay": 0, "MaxAttempts": 3}


@pytest.fixture
def hook(fake: Any, monkeypatch: pytest.MonkeyPatch) -> EcsHook:
    monkeypatch.setenv("AWS_ENDPOINT_URL", fake.endpoint_url)
    return EcsHook(aws_conn_id=None, region_name="us-east-1")


def test_provider_states_and_waiters(fake: Any, ecs: Any, hook: EcsHook) -> None:
    assert hook.get_cluster_state(CLUSTER) == "ACTIVE"
    assert hook.get_task_definition_state("worker") == "ACTIVE"
    hook.get_waiter("cluster_active").wait(clusters=[CLUSTER], WaiterConfig=FAST)

    fake.behaviour("worker", runSeconds=60, exitCode=0)
    arn = run(ecs)["tasks"][0]["taskArn"]
    assert hook.get_task_state(CLUSTER, arn) == "PROVISIONING"
    fake.advance(10)
    assert hook.get_task_state(CLUSTER, arn) == "RUNNING"
    fake.advance(100)
    hook.get_waiter("tasks_stopped").wait(cluster=CLUSTER, tasks=[arn], WaiterConfig=FAST)
    assert hook.get_task_state(CLUSTER, arn) == "STOPPED"


def test_provider_cluster_inactive_waiter_after_delete(ecs: Any, hook: EcsHook) -> None:
    ecs.delete_cluster(cluster=CLUSTER)
    hook.get_waiter("cluster_inactive").wait(clusters=[CLUSTER], WaiterConfig=FAST)
