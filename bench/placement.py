"""How the EC2 launch type's placement cost grows with the container instances of a cluster.

For each size the engine gets that many registered container instances (EC2 instances
made in moto's backend, in this process), a quarter of their memory taken by running
tasks, then RunTask(launchType=EC2, count=10) is timed with the default strategy
(random) and with binpack on memory, and ListContainerInstances with a query filter.
Every placement looks at every instance, so the cost per call grows with the cluster;
the figure to watch is the cost per instance looked at.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from bench.scaling import REGION, ecs_call
from fakeecs.engine import Engine
from fakeecs.ids import ACCOUNT_ID
from fakeecs.model import Behaviour

CLUSTER = "placement"
FAMILY = "placed"
RUN_SECONDS = 30 * 24 * 3600
SAMPLES = 20
#: t3.large: 2 vCPU, 8 GiB; each task takes 512 MiB, so 15 fit on one instance.
INSTANCE_TYPE = "t3.large"
TASK_MEMORY = 512


def _register_instances(engine: Engine, count: int) -> None:
    """`count` EC2 instances made through boto3 in moto's mock (in process), registered."""
    import boto3

    ec2 = boto3.client("ec2", region_name=REGION)
    made = ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=count, MaxCount=count, InstanceType=INSTANCE_TYPE
    )
    for instance in made["Instances"]:
        document = {"instanceId": instance["InstanceId"], "region": REGION, "accountId": ACCOUNT_ID}
        ecs_call(
            engine,
            "RegisterContainerInstance",
            {"cluster": CLUSTER, "instanceIdentityDocument": json.dumps(document)},
        )


def _timed(engine: Engine, operation: str, params: dict[str, Any]) -> float:
    began = time.perf_counter()
    ecs_call(engine, operation, params)
    return time.perf_counter() - began


def measure(instances: int, seed: int = 0) -> dict[str, float]:
    engine = Engine(seed=seed)
    ecs_call(engine, "CreateCluster", {"clusterName": CLUSTER})
    ecs_call(
        engine,
        "RegisterTaskDefinition",
        {
            "family": FAMILY,
            "containerDefinitions": [{"name": "main", "image": "x", "memory": TASK_MEMORY}],
        },
    )
    engine.behaviours.set(FAMILY, None, Behaviour(run_seconds=RUN_SECONDS))
    _register_instances(engine, instances)
    run = {"cluster": CLUSTER, "taskDefinition": FAMILY, "launchType": "EC2", "count": 10}
    for _ in range(instances * 4 // 10):  # about 4 tasks on every instance
        ecs_call(engine, "RunTask", run)
    engine.advance(60)
    default = [_timed(engine, "RunTask", run) for _ in range(SAMPLES)]
    binpack = {**run, "placementStrategy": [{"type": "binpack", "field": "memory"}]}
    packed = [_timed(engine, "RunTask", binpack) for _ in range(SAMPLES)]
    listing = {"cluster": CLUSTER, "filter": "attribute:ecs.instance-type == t3.large"}
    listed = [_timed(engine, "ListContainerInstances", listing) for _ in range(SAMPLES)]
    random_ms = statistics.median(default) * 1000
    return {
        "instances": instances,
        "run_task_10_random_ms": random_ms,
        "run_task_10_binpack_ms": statistics.median(packed) * 1000,
        "list_filtered_ms": statistics.median(listed) * 1000,
        "us_per_instance_per_task": random_ms * 1000 / (instances * 10),
    }


def scale(sizes: list[int]) -> list[dict[str, float]]:
    from moto import mock_aws

    with mock_aws():  # moto's EC2 backend for the instances, cleared afterwards
        return [measure(size) for size in sizes]
