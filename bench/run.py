"""`make bench`: how fast the parts are, measured, never asserted in tests.

- fakeecs over real HTTP with boto3: RunTask and DescribeTasks calls per second;
- the fakeecs engine alone: tasks moved through their whole lifecycle per second;
- the harness: Airflow's one-off start-up, the first DAG run, and later runs of one
  scenario (median), which is what `make test-dags` pays per cell.
Prints a table and writes JSON (`--json`); compare the figures across commits.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3

from fakeecs.fixtures import fargate_task_definition

CLUSTER = "bench"
FAMILY = "bench-task"
NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}


def _task_definition(ecs: Any) -> None:
    ecs.create_cluster(clusterName=CLUSTER)
    ecs.register_task_definition(
        **fargate_task_definition(FAMILY, [{"name": "main", "image": "bench/main"}])
    )


def _timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def bench_wire(calls: int) -> dict[str, float]:
    """RunTask and DescribeTasks through boto3 and HTTP against an in-process fakeecs."""
    from fakeecs import FakeECS

    with FakeECS(clock="manual", seed=0) as fake:
        ecs = boto3.client("ecs", endpoint_url=fake.endpoint_url, region_name="us-east-1")
        _task_definition(ecs)
        arns: list[str] = []

        def run_tasks() -> None:
            for _ in range(calls):
                answer = ecs.run_task(
                    cluster=CLUSTER,
                    taskDefinition=FAMILY,
                    launchType="FARGATE",
                    networkConfiguration=NETWORK,
                )
                arns.append(answer["tasks"][0]["taskArn"])

        def describe() -> None:
            for i in range(calls):
                ecs.describe_tasks(cluster=CLUSTER, tasks=arns[(i * 100) % calls :][:100])

        run_seconds = _timed(run_tasks)
        describe_seconds = _timed(describe)
    return {
        "runtask_per_second": calls / run_seconds,
        "describe_tasks_per_second": calls / describe_seconds,
    }


def bench_engine(tasks: int) -> dict[str, float]:
    """The engine with no HTTP: start `tasks` tasks, then move the clock until all stopped."""
    from fakeecs import FakeECS

    with FakeECS(clock="manual", seed=0) as fake:
        ecs = boto3.client("ecs", endpoint_url=fake.endpoint_url, region_name="us-east-1")
        _task_definition(ecs)
        for _ in range(tasks // 10):
            ecs.run_task(
                cluster=CLUSTER,
                taskDefinition=FAMILY,
                launchType="FARGATE",
                networkConfiguration=NETWORK,
                count=10,
            )
        seconds = _timed(lambda: fake.engine.advance(3600))
    return {"lifecycle_tasks_per_second": tasks / seconds}


def bench_harness(runs: int) -> dict[str, float]:
    """Airflow's start-up once, then one scenario of the cheapest DAG `runs` times."""
    from harness import setup

    started = time.perf_counter()
    setup.prepare()
    from harness.runner import Session
    from harness.scenarios import BY_NAME

    with Session() as session:
        start_up = time.perf_counter() - started
        first = _timed(lambda: session.run("hoard_jpal_harvest", BY_NAME["all-succeed"]))
        later = [
            _timed(lambda: session.run("hoard_jpal_harvest", BY_NAME["worker-dies-after-runtask"]))
            for _ in range(runs)
        ]
    return {
        "harness_start_up_seconds": start_up,
        "harness_first_run_seconds": first,
        "harness_run_median_seconds": statistics.median(later),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=300, help="ECS calls per wire benchmark")
    parser.add_argument("--tasks", type=int, default=1000, help="tasks for the engine benchmark")
    parser.add_argument("--runs", type=int, default=5, help="harness runs after the first")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args(argv)
    from harness.setup import FAKE_AWS

    os.environ.update(FAKE_AWS)  # fakeecs checks no signature, but botocore wants credentials
    figures: dict[str, float] = {}
    figures.update(bench_wire(args.calls))
    figures.update(bench_engine(args.tasks))
    figures.update(bench_harness(args.runs))
    width = max(len(name) for name in figures)
    for name, value in figures.items():
        print(f"{name.ljust(width)}  {value:10.2f}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
