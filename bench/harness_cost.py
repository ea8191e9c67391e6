"""What the harness costs on top of Airflow: the `make test-dags` matrix against bare dag.test().

The matrix is run the way `harness run` runs it (one Session, every applicable cell),
each `Session.run` timed from outside, so a cell's time includes the fresh fakeecs, the
world, the hooks and the judging. The baseline is a bare `dag.test()` of the same DAG
doing the same ECS calls: the same world, task definitions and container run time on a
fresh fakeecs, sensors with no real wait, and ECS time moved on by the poke interval
after each check that finds the task still running (so it pokes as often as under the
harness), sharing botocore's loader as the harness does; no other hooks, no recorders,
no judging. Only its dag.test() call is timed.
"""

from __future__ import annotations

import contextlib
import io
import statistics
import time
from collections import defaultdict
from typing import Any

from fakeecs import FakeECS
from fakeecs.fixtures import fargate_task_definition

WARM_UP = "all-succeed"


def _families(calls: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Task definition family -> container names, from the RunTask calls of a harness run."""
    from harness.instrument import container_names, family_of

    found: dict[str, set[str]] = defaultdict(set)
    for call in calls:
        if call.get("operation") == "RunTask" and call.get("params"):
            params = call["params"]
            found[family_of(str(params["taskDefinition"]))].update(container_names(params))
    return found


def _describes(calls: list[dict[str, Any]]) -> int:
    """How many DescribeTasks calls (sensor checks, mostly) a calls log holds."""
    return sum(1 for c in calls if c.get("operation") == "DescribeTasks")


def _clock_follows_pokes(fake: FakeECS, seconds: float) -> contextlib.AbstractContextManager[None]:
    """After a DescribeTasks that shows a task not yet STOPPED, `seconds` of ECS time pass:
    the wait a sensor's poke interval stands for, as under the harness."""
    import botocore.client

    from harness.instrument import patched

    def follow(real: Any) -> Any:
        def call(client: Any, operation: str, params: dict[str, Any]) -> Any:
            answer = real(client, operation, params)
            tasks = answer.get("tasks", []) if operation == "DescribeTasks" else []
            if any(t.get("lastStatus") != "STOPPED" for t in tasks):
                fake.engine.advance(seconds)
            return answer

        return call

    return patched(botocore.client.BaseClient, "_make_api_call", follow)


def bare_dag_test(session: Any, dag_id: str, families: dict[str, set[str]]) -> dict[str, Any]:
    """One bare dag.test() of `dag_id`; returns its seconds, state and DescribeTasks count."""
    from harness.checks import environment
    from harness.instrument import sharing_botocore_loader
    from harness.runner import build_world, run_environment, state_name
    from harness.scenarios import BY_NAME, DEFAULT_RUN_SECONDS
    from harness.worlds import world_for

    dag, world, scenario = session.loaded.dags[dag_id], world_for(dag_id), BY_NAME[WARM_UP]
    sensors = [t for t in dag.tasks if hasattr(t, "poke")]
    intervals = {t.task_id: t.poke_interval for t in sensors}
    with FakeECS(clock="manual", seed=0) as fake:
        built = build_world(fake, world, scenario)
        for family, names in families.items():
            containers = [{"name": n, "image": f"bench/{family}"} for n in sorted(names)]
            built.admin.register_task_definition(**fargate_task_definition(family, containers))
            fake.behaviour(family, runSeconds=DEFAULT_RUN_SECONDS, exitCode=0)
        for sensor in sensors:
            sensor.poke_interval = 0.0
        out = io.StringIO()
        try:
            with (
                session.staged(dag_id),
                environment(run_environment(fake, world, scenario, built.network)),
                sharing_botocore_loader(),
                _clock_follows_pokes(fake, max(intervals.values(), default=60.0)),
                contextlib.redirect_stdout(out),
                contextlib.redirect_stderr(out),
            ):
                started = time.perf_counter()
                run = dag.test(logical_date=world.logical_date)
                seconds = time.perf_counter() - started
        finally:
            for sensor in sensors:
                sensor.poke_interval = intervals[sensor.task_id]
        describes = _describes(fake.calls())
    return {"seconds": seconds, "state": state_name(run.state), "describe_tasks": describes}


def _timed_run(session: Any, dag_id: str, scenario: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = session.run(dag_id, scenario)
    return time.perf_counter() - started, result


def measure(bare_runs: int) -> dict[str, Any]:
    """Start-up, the whole matrix, per-scenario medians, and harness vs bare per DAG."""
    from harness import setup

    started = time.perf_counter()
    setup.prepare()
    from harness.matrix import plan
    from harness.runner import Session
    from harness.scenarios import BY_NAME

    with Session() as session:
        start_up = time.perf_counter() - started
        cells = plan(session)
        first_dag = cells[0].dag_id
        first_run, _ = _timed_run(session, first_dag, BY_NAME[WARM_UP])  # Airflow's first run

        matrix_started = time.perf_counter()
        per_scenario: dict[str, list[float]] = defaultdict(list)
        families: dict[str, dict[str, set[str]]] = {}
        describes: dict[str, int] = {}
        failed = []
        for cell in cells:
            seconds, result = _timed_run(session, cell.dag_id, cell.scenario)
            per_scenario[cell.scenario.name].append(seconds)
            if not result.ok:
                failed.append(f"{cell.dag_id}/{cell.scenario.name}")
            if cell.scenario.name == WARM_UP:
                families[cell.dag_id] = _families(result.calls)
                describes[cell.dag_id] = _describes(result.calls)
        matrix_seconds = time.perf_counter() - matrix_started

        dags = []
        for dag_id, fams in families.items():
            harness_runs, bare = [], []
            for _ in range(bare_runs):  # interleaved, so a slower minute hits both alike
                harness_runs.append(_timed_run(session, dag_id, BY_NAME[WARM_UP])[0])
                bare.append(bare_dag_test(session, dag_id, fams))
            bad = [b["state"] for b in bare if b["state"] != "success"]
            if bad:
                raise RuntimeError(f"bare dag.test() of {dag_id} ended {bad[0]}, not success")
            harness_s = statistics.median(harness_runs)
            bare_s = statistics.median(b["seconds"] for b in bare)
            dags.append(
                {
                    "dag_id": dag_id,
                    "harness_seconds": harness_s,
                    "bare_dag_test_seconds": bare_s,
                    "overhead_pct": 100 * (harness_s - bare_s) / bare_s,
                    "harness_describe_tasks": describes[dag_id],
                    "bare_describe_tasks": bare[0]["describe_tasks"],
                }
            )
    return {
        "start_up_seconds": start_up,
        "first_run_seconds": first_run,
        "cells": len(cells),
        "matrix_seconds": matrix_seconds,
        "make_test_dags_seconds": start_up + first_run + matrix_seconds,
        "cells_not_as_expected": failed,
        "per_scenario_median_seconds": {
            name: statistics.median(times) for name, times in per_scenario.items()
        },
        "dags": dags,
    }
