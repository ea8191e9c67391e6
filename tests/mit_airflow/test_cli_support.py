"""Shared set-up for the `workflow` CLI tests (no tests here): an Airflow cluster on fakeecs.

The cluster is built through boto3 exactly as the deploy would build it on AWS: a VPC with
private subnets and a security group, one FARGATE/awsvpc task definition per Airflow component
with awslogs logging, and one service each. The CLI's waits run on `ClockPacer`, which moves fakeecs's manual clock
instead of sleeping, so every test is deterministic and fast.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from fakeecs.fixtures import awslogs, fargate_task_definition
from harness import network
from mit_airflow.cli import Runtime, cli
from mit_airflow.maintenance.names import ClusterNames

# fakeecs is built alongside this CLI: until its in-process server exists, these tests skip
# (with this reason in the report) instead of failing to import.
_fakeecs = pytest.importorskip("fakeecs")
if not hasattr(_fakeecs, "FakeECS"):
    pytest.skip("fakeecs.FakeECS is not available yet", allow_module_level=True)
FakeECS = _fakeecs.FakeECS

CLUSTER = "airflow-test"
REGION = "us-east-1"
ROLES = ("scheduler", "web", "dag-processor", "triggerer", "worker")
LOG_GROUP = f"/ecs/{CLUSTER}"


class ClockPacer:
    """The CLI's waits move fakeecs's manual clock instead of sleeping.

    `hook(pacer)` runs before each pause: tests use it to interrupt a command at a chosen
    moment (raise) or to change the fake's behaviour mid-command (faults).
    """

    def __init__(self, ecs: FakeECS, hook: Callable[[ClockPacer], None] | None = None) -> None:
        self.ecs = ecs
        self.hook = hook
        self.slept = 0.0
        self.sleeps = 0

    def sleep(self, seconds: float) -> None:
        if self.hook is not None:
            self.hook(self)
        self.sleeps += 1
        self.slept += seconds
        self.ecs.advance(seconds)

    def elapsed(self) -> float:
        return self.slept


@dataclass
class Cluster:
    """An Airflow cluster on a running fakeecs, and a way to run `workflow` against it."""

    ecs: FakeECS
    names: ClusterNames
    #: The services' networkConfiguration, made in the fake's EC2.
    network: dict[str, Any]
    hook: Callable[[ClockPacer], None] | None = None
    seed: int = 0
    pacers: list[ClockPacer] = field(default_factory=list)

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.ecs.endpoint_url, region_name=REGION)

    def run(self, *args: str, input: str | None = None) -> Result:
        """Invoke `workflow --cluster CLUSTER ARGS` in-process on the fake's clock."""
        pacer = ClockPacer(self.ecs, self.hook)
        self.pacers.append(pacer)
        runtime = Runtime(
            pacer=pacer, rng=random.Random(self.seed), console=Console(width=200, highlight=False)
        )
        self.seed += 1
        return CliRunner().invoke(
            cli, ["--cluster", self.names.cluster, *args], obj=runtime, input=input
        )

    def service(self, name: str) -> dict[str, Any]:
        return self.client("ecs").describe_services(cluster=self.names.cluster, services=[name])[
            "services"
        ][0]

    def settle(self, seconds: float = 600, step: float = 10) -> None:
        """Let the services' scheduler reach its desired counts."""
        moved = 0.0
        while moved < seconds:
            described = self.client("ecs").describe_services(
                cluster=self.names.cluster, services=self.names.all_services()
            )
            if all(
                len(s["deployments"]) == 1 and s["runningCount"] == s["desiredCount"]
                for s in described["services"]
            ):
                return
            self.ecs.advance(step)
            moved += step
        raise AssertionError(f"services did not settle in {seconds}s of virtual time")

    def calls(self, operation: str | None = None) -> list[dict[str, Any]]:
        return [c for c in self.ecs.calls() if operation is None or c["operation"] == operation]

    def calls_text(self) -> str:
        return json.dumps(self.ecs.calls(), default=str)


def create_airflow_cluster(
    endpoint: str, cluster: str = CLUSTER, scheduler_count: int = 1
) -> tuple[ClusterNames, dict[str, Any]]:
    """Create the network, cluster, task definitions and the five services as the deploy does;
    returns the names and the services' networkConfiguration."""
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name=REGION)
    made = network.create(ec2, cluster)
    tasks_network = {
        "awsvpcConfiguration": {**made["awsvpcConfiguration"], "assignPublicIp": "DISABLED"}
    }
    ecs = boto3.client("ecs", endpoint_url=endpoint, region_name=REGION)
    logs = boto3.client("logs", endpoint_url=endpoint, region_name=REGION)
    ecs.create_cluster(clusterName=cluster)
    logs.create_log_group(logGroupName=f"/ecs/{cluster}")
    names = ClusterNames.for_cluster(cluster)
    counts = {
        "scheduler": scheduler_count,
        "web": 1,
        "dag-processor": 1,
        "triggerer": 1,
        "worker": 2,
    }
    commands = {
        "scheduler": ["scheduler"],
        "web": ["api-server"],
        "dag-processor": ["dag-processor"],
        "triggerer": ["triggerer"],
        "worker": ["celery", "worker"],
    }
    for role in ROLES:
        family = f"{cluster}-{role}"
        ecs.register_task_definition(
            **fargate_task_definition(
                family,
                [
                    {
                        "name": f"airflow-{role}",
                        "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/airflow:3.3.2",
                        "essential": True,
                        "command": commands[role],
                        "logConfiguration": awslogs(
                            f"/ecs/{cluster}", region=REGION, prefix="airflow"
                        ),
                    }
                ],
                cpu="1024",
                memory="2048",
                executionRoleArn="arn:aws:iam::123456789012:role/airflow-execution",
                taskRoleArn="arn:aws:iam::123456789012:role/airflow-task",
            )
        )
        ecs.create_service(
            cluster=cluster,
            serviceName=f"{cluster}-{role}",
            taskDefinition=family,
            desiredCount=counts[role],
            launchType="FARGATE",
            networkConfiguration=tasks_network,
        )
    return names, tasks_network


@contextmanager
def airflow_cluster(scheduler_count: int = 2) -> Iterator[Cluster]:
    """A settled Airflow cluster on a fresh manual-clock fakeecs, with AWS_ENDPOINT_URL pointing at it.

    Each test module wraps this in its own small `cluster` fixture.
    """
    with FakeECS(clock="manual", seed=0) as ecs, pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ENDPOINT_URL", ecs.endpoint_url)
        env.setenv("AWS_DEFAULT_REGION", REGION)
        names, tasks_network = create_airflow_cluster(
            ecs.endpoint_url, scheduler_count=scheduler_count
        )
        made = Cluster(ecs, names, tasks_network)
        made.settle()
        yield made


def run_task_params(cluster: Cluster) -> list[dict[str, Any]]:
    """The params of every RunTask the CLI sent (not the services' own task starts)."""
    return [c["params"] for c in cluster.calls("RunTask")]


def container_override(params: dict[str, Any]) -> dict[str, Any]:
    return params["overrides"]["containerOverrides"][0]
