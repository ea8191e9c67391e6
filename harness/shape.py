"""The roles tasks play in a DAG, so scenarios can name "the first ECSOperator" for any DAG."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Shape:
    dag_id: str
    order: list[str]  # task ids, upstream first
    operators: list[str]  # ECSOperator task ids, in order
    sensors: dict[str, str]  # ECSTaskSensor task id -> the ECSOperator it watches
    downstream: dict[str, set[str]]
    s3_input: str | None = None
    #: Nominal (declared) poke intervals and retry delays, in seconds, before the harness zeroes them.
    poke: dict[str, float] = field(default_factory=dict)
    retry_delay: dict[str, float] = field(default_factory=dict)
    #: Retries per task (a task has retries + 1 tries).
    retries: dict[str, int] = field(default_factory=dict)

    def members(self, role: str) -> set[str]:
        """Task ids a role names: operators, sensors, first-operator, first-sensor, s3-input, or an id."""
        if role == "operators":
            return set(self.operators)
        if role == "sensors":
            return set(self.sensors)
        if role == "first-operator":
            return set(self.operators[:1])
        if role == "first-sensor":
            first = self.operators[:1]
            return {s for s, op in self.sensors.items() if op in first}
        if role == "s3-input":
            return {self.s3_input} if self.s3_input else set()
        return {role} if role in self.order else set()

    def first(self, role: str) -> str | None:
        found = self.members(role)
        return next((t for t in self.order if t in found), None)


def shape_of(dag: Any, s3_input: str | None = None) -> Shape:
    from mit_airflow.operators import ECSOperator
    from mit_airflow.sensors import ECSTaskSensor

    order: list[str] = []
    seen: set[str] = set()

    def visit(task_id: str) -> None:
        if task_id in seen:
            return
        seen.add(task_id)
        for up in sorted(dag.task_dict[task_id].upstream_task_ids):
            visit(up)
        order.append(task_id)

    for task_id in sorted(dag.task_dict):
        visit(task_id)
    shape = Shape(
        dag_id=dag.dag_id,
        order=order,
        operators=[t for t in order if isinstance(dag.task_dict[t], ECSOperator)],
        sensors={
            t: dag.task_dict[t].ecs_task_id
            for t in order
            if isinstance(dag.task_dict[t], ECSTaskSensor)
        },
        downstream={t: set(dag.task_dict[t].get_flat_relative_ids(upstream=False)) for t in order},
        s3_input=s3_input,
    )
    for task_id, task in dag.task_dict.items():
        if hasattr(task, "poke"):
            shape.poke[task_id] = float(task.poke_interval)
        shape.retry_delay[task_id] = task.retry_delay.total_seconds()
        shape.retries[task_id] = int(task.retries or 0)
    return shape
