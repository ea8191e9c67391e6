"""The worker's stop policy in its deployment settings: ECS waits longer than the worker's grace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from fakeecs import FakeECS

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "worker-task-definition.json"


def worker_task_definition(env: str = "stage", tag: str = "v1") -> dict[str, Any]:
    return json.loads(TEMPLATE.read_text().replace("{env}", env).replace("{tag}", tag))


def test_ecs_waits_longer_than_the_workers_grace_period() -> None:
    (container,) = worker_task_definition()["containerDefinitions"]
    grace = {e["name"]: e["value"] for e in container["environment"]}["WORKER_STOP_GRACE_SECONDS"]
    assert container["command"] == ["worker"]  # the entrypoint runs it under the supervisor
    assert 0 < float(grace) < container["stopTimeout"] <= 120  # Fargate's maximum stopTimeout


def test_the_worker_task_definition_is_accepted_as_ecs_would(fakeecs: FakeECS) -> None:
    ecs = boto3.client("ecs", endpoint_url=fakeecs.endpoint_url, region_name="us-east-1")
    registered = ecs.register_task_definition(**worker_task_definition())["taskDefinition"]
    assert registered["family"] == "airflow-stage-worker"
    assert registered["containerDefinitions"][0]["stopTimeout"] == 120
