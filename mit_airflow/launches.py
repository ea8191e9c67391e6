"""Finding and starting the one ECS task that belongs to a task instance.

`find` looks for tasks this task instance already started (from Airflow's task
state store, then on ECS by `startedBy`, running and stopped), and judges them.
`launch` starts a task with the clientToken of the next launch generation.
Kept apart from the operator so the rules can be read and tested on their own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from mit_airflow.identity import LaunchIdentity
from mit_airflow.verdict import (
    FAILED,
    RUNNING,
    SUCCEEDED,
    Verdict,
    essential_containers,
    judge,
    require,
)

log = logging.getLogger(__name__)
STATE_KEY = "ecs_task_arns"


class LaunchRefused(RuntimeError):
    """ECS answered RunTask without a task (capacity, ...): the message carries its reasons."""


@dataclass
class Found:
    """What this task instance already has on ECS."""

    reusable: dict[str, Any] | None = None  # a running or succeeded task
    verdict: Verdict | None = None
    failed: list[str] = field(default_factory=list)  # ARNs of launches that failed


class Essentials:
    """Essential container names per task definition ARN (one DescribeTaskDefinition each)."""

    def __init__(self, ecs: Any) -> None:
        self.ecs = ecs
        self._cache: dict[str, set[str]] = {}

    def of(self, task_definition_arn: str) -> set[str]:
        if task_definition_arn not in self._cache:
            answer = self.ecs.describe_task_definition(taskDefinition=task_definition_arn)
            self._cache[task_definition_arn] = essential_containers(
                require(answer, "taskDefinition", "DescribeTaskDefinition answer")
            )
        return self._cache[task_definition_arn]


def _listed(ecs: Any, cluster: str, started_by: str) -> list[str]:
    arns: list[str] = []
    for desired in ("RUNNING", "STOPPED"):
        pages = ecs.get_paginator("list_tasks").paginate(
            cluster=cluster, startedBy=started_by, desiredStatus=desired
        )
        for page in pages:
            arns.extend(page.get("taskArns", []))
    return arns


def find(ecs: Any, cluster: str, identity: LaunchIdentity, remembered: list[str]) -> Found:
    """Every task this task instance started that ECS still knows, judged."""
    arns = list(dict.fromkeys([*remembered, *_listed(ecs, cluster, identity.started_by)]))
    found, essentials = Found(), Essentials(ecs)
    for i in range(0, len(arns), 100):
        answer = ecs.describe_tasks(cluster=cluster, tasks=arns[i : i + 100])
        for task in answer.get("tasks", []):
            verdict = judge(task, essentials.of(require(task, "taskDefinitionArn", "task")))
            if verdict.state in (RUNNING, SUCCEEDED) and (
                found.reusable is None or verdict.state == SUCCEEDED
            ):
                found.reusable, found.verdict = task, verdict
            elif verdict.state == FAILED:
                found.failed.append(require(task, "taskArn", "task"))
    return found


def launch(
    ecs: Any, request: dict[str, Any], identity: LaunchIdentity, generation: int, attempts: int = 3
) -> tuple[dict[str, Any], int]:
    """RunTask with the token of `generation`; moves to the next generation when the token
    replays a launch that already failed or that ECS no longer knows. Returns (task, generation)."""
    essentials = Essentials(ecs)
    for _ in range(attempts):
        answer = ecs.run_task(**request, clientToken=identity.client_token(generation))
        tasks, failures = answer.get("tasks", []), answer.get("failures", [])
        if not tasks:
            if failures and all(f.get("reason") == "MISSING" for f in failures):
                generation += 1  # the token's task is gone (past retention): a new launch
                continue
            reasons = (
                "; ".join(str(f.get("reason", f)) for f in failures) or "no task and no reason"
            )
            raise LaunchRefused(f"ECS did not start the task: {reasons}")
        task = tasks[0]
        arn = require(task, "taskArn", "RunTask task")
        definition = require(task, "taskDefinitionArn", "RunTask task")
        if judge(task, essentials.of(definition)).state == FAILED:
            log.info("clientToken generation %d replays failed task %s", generation, arn)
            generation += 1
            continue
        return task, generation
    raise LaunchRefused(f"ECS kept answering with old launches after {attempts} generations")
