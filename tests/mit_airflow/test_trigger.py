"""The deferrable sensor's trigger: it fires when the task stops, and when ECS forgets it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from mit_airflow.operators import ECSOperator
from mit_airflow.triggers import ECSTaskStoppedTrigger
from tests.mit_airflow.ecs_dag_support import CLUSTER, ecs_environment, register
from tests.mit_airflow.operator_attempts import TaskInstance, context


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Any:
    with ecs_environment(monkeypatch) as (fake, ecs):
        register(ecs, "worker")
        yield fake, ecs


def first_event(trigger: ECSTaskStoppedTrigger, between_polls: Any) -> dict[str, Any]:
    async def collect() -> dict[str, Any]:
        async for event in trigger.run():
            return event.payload
        raise AssertionError("the trigger ended without an event")

    async def main() -> dict[str, Any]:
        task = asyncio.create_task(collect())
        while not task.done():
            between_polls()
            await asyncio.sleep(0)
        return task.result()

    return asyncio.run(asyncio.wait_for(main(), timeout=30))


def test_fires_when_the_task_stops(env: Any) -> None:
    fake, _ = env
    arn = ECSOperator(task_id="run", task_definition="worker").execute(
        context(TaskInstance(), None)
    )
    trigger = ECSTaskStoppedTrigger(CLUSTER, arn, None, "us-east-1", poll_interval=0)
    assert first_event(trigger, lambda: fake.advance(5)) == {"task_arn": arn, "message": "stopped"}


def test_fires_when_ecs_does_not_know_the_task(env: Any) -> None:
    arn = f"arn:aws:ecs:us-east-1:123456789012:task/{CLUSTER}/{'0' * 32}"
    trigger = ECSTaskStoppedTrigger(
        CLUSTER, arn, None, "us-east-1", poll_interval=0, missing_limit=2
    )
    assert first_event(trigger, lambda: None)["message"] == "MISSING"


def test_serializes_to_its_own_arguments() -> None:
    trigger = ECSTaskStoppedTrigger("c", "arn", "aws_default", "eu-west-1", poll_interval=30)
    path, kwargs = trigger.serialize()
    assert path == "mit_airflow.triggers.ECSTaskStoppedTrigger"
    assert ECSTaskStoppedTrigger(**kwargs).serialize() == (path, kwargs)
