"""How fakeecs's costs grow with the number of tasks it holds (engine and wire, no HTTP).

For each size the engine is filled with long-running tasks through `wire.handle` (the
code every request takes, less the socket), then measured:
- DescribeTasks of 100 random tasks (must not depend on how many the cluster holds);
- a clock advance in which nothing changes, and one in which 100 tasks change state
  (both must cost in proportion to what changes, not to every task held);
- resident memory per task held.
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import time
from typing import Any

from bench.servers import rss_kib
from fakeecs import moto_backend, wire
from fakeecs.engine import Engine
from fakeecs.fixtures import fargate_task_definition
from fakeecs.model import Behaviour

CLUSTER = "scale"
FAMILY = "scale-task"
REGION = "us-east-1"
#: Long enough that nothing stops while measuring.
RUN_SECONDS = 30 * 24 * 3600
SAMPLES = 50


def ecs_call(engine: Engine, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    status, answer = wire.call(engine, operation, params, REGION)
    if status != 200:
        raise RuntimeError(f"{operation} failed: {str(answer)[:300]}")
    return answer


def _run_tasks(engine: Engine, count: int) -> list[str]:
    arns: list[str] = []
    # a subnet that exists: the engine checks it as ECS does
    network = moto_backend.default_network(REGION)
    for _ in range(count // 10):
        answer = ecs_call(
            engine,
            "RunTask",
            {
                "cluster": CLUSTER,
                "taskDefinition": FAMILY,
                "launchType": "FARGATE",
                "count": 10,
                "networkConfiguration": network,
            },
        )
        arns.extend(t["taskArn"] for t in answer["tasks"])
    return arns


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def measure(size: int, seed: int = 0) -> dict[str, float]:
    """Fill a fresh engine with `size` running tasks and time the operations above."""
    gc.collect()
    before = rss_kib(os.getpid())
    engine = Engine(seed=seed)
    ecs_call(engine, "CreateCluster", {"clusterName": CLUSTER})
    ecs_call(
        engine,
        "RegisterTaskDefinition",
        fargate_task_definition(FAMILY, [{"name": "main", "image": "scale/main"}]),
    )
    engine.behaviours.set(FAMILY, None, Behaviour(run_seconds=RUN_SECONDS))
    started = time.perf_counter()
    arns = _run_tasks(engine, size)
    run_task_seconds = time.perf_counter() - started
    started = time.perf_counter()
    engine.advance(60)  # every task moves PROVISIONING .. RUNNING
    start_all_seconds = time.perf_counter() - started
    gc.collect()
    held_kib = rss_kib(os.getpid()) - before

    rng = random.Random(seed)
    describe = []
    for _ in range(SAMPLES):
        batch = rng.sample(arns, 100)
        began = time.perf_counter()
        ecs_call(engine, "DescribeTasks", {"cluster": CLUSTER, "tasks": batch})
        describe.append(time.perf_counter() - began)

    idle = []
    for _ in range(SAMPLES):
        began = time.perf_counter()
        engine.advance(1)
        idle.append(time.perf_counter() - began)

    busy = []
    for _ in range(SAMPLES // 5):
        _run_tasks(engine, 100)
        began = time.perf_counter()
        engine.advance(60)  # the 100 new tasks start; the others do nothing
        busy.append(time.perf_counter() - began)

    return {
        "tasks": size,
        "run_task_ms_per_call": run_task_seconds / (size // 10) * 1000,
        "advance_all_starting_us_per_task": start_all_seconds / size * 1e6,
        "describe_tasks_100_ms": _median_ms(describe),
        "advance_idle_ms": _median_ms(idle),
        "advance_100_changing_ms": _median_ms(busy),
        "memory_kib_per_task": held_kib / size,
    }


#: A size measured once and thrown away before the others.
WARM_UP = 100


def scale(sizes: list[int]) -> list[dict[str, float]]:
    """The figures per size, after one throw-away run: the process's first engine loads moto's
    EC2 (the default network) and botocore's models, which is not a cost of holding tasks and
    made the first size look 10x dearer in time and 100x in memory."""
    measure(WARM_UP)
    return [measure(size) for size in sizes]
