"""Driving ECSOperator and ECSTaskSensor attempt by attempt, with the worker dying at chosen points.

An attempt gets the context Airflow gives it (the task instance's identity, and
optionally a task state store that survives attempts); the ECS side is a real
fakeecs over HTTP. A worker death is an exception no operator code catches
(BaseException), raised by a botocore event hook at the kill point, so nothing
after that point runs, as with SIGKILL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

import mit_airflow.ecs_client as ecs_client_module


class WorkerDied(BaseException):
    """The worker process is gone: no except clause in the operator sees this."""


@dataclass
class StateStore:
    """What Airflow's task_state_store keeps for one task instance across attempts."""

    values: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def set(self, key: str, value: Any, **_: Any) -> None:
        self.values[key] = value


@dataclass
class TaskInstance:
    dag_id: str = "harvest"
    run_id: str = "manual__2026-01-01T00:00:00+00:00"
    task_id: str = "run"
    map_index: int = -1
    xcom: dict[str, Any] = field(default_factory=dict)

    def xcom_pull(self, task_ids: str) -> Any:
        return self.xcom.get(task_ids)


def context(ti: TaskInstance, store: StateStore | None) -> dict[str, Any]:
    ctx: dict[str, Any] = {"ti": ti}
    if store is not None:
        ctx["task_state_store"] = store
    return ctx


def after_answer(
    monkeypatch: pytest.MonkeyPatch, operation: str | None, handler: Callable[..., Any]
) -> None:
    """From now on, ECS clients made by mit_airflow call `handler(parsed=...)` right after
    `operation` answers, before the operator sees the answer (None: no hook)."""
    real = ecs_client_module.new_client  # a client of its own: the hook must not outlive the test

    def client(service: str, aws_conn_id: str | None, region_name: str | None) -> Any:
        made = real(service, aws_conn_id, region_name)
        if operation is not None and service == "ecs":
            made.meta.events.register(f"after-call.ecs.{operation}", handler)
        return made

    for module in ("mit_airflow.operators", "mit_airflow.sensors", "mit_airflow.ecs_client"):
        monkeypatch.setattr(f"{module}.aws_client", client)


def die_after(monkeypatch: pytest.MonkeyPatch, operation: str | None) -> None:
    """From now on, clients made by mit_airflow die right after `operation` answers (None: never)."""

    def die(**_: Any) -> None:
        raise WorkerDied(f"worker killed after {operation}")

    after_answer(monkeypatch, operation, die)
