"""One ECS workload through boto3 over HTTP, run the same way against fakeecs and moto.

The workload: RunTask with count 10 (FARGATE, awsvpc) until the cluster holds `tasks`
tasks, then DescribeTasks of every task in batches of 100, then one whole ListTasks
listing per client, 100 ARNs a page. With several clients each thread has its own boto3
client and its share of the tasks; phases start together, so a phase's rate is its calls
over its wall time. Both servers get the same VPC, subnet and security group from the EC2
API on the same endpoint (moto needs real ones to attach an ENI to each task).
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from bench.servers import ServerProcess
from fakeecs.fixtures import fargate_task_definition

CLUSTER = "bench"
FAMILY = "bench-task"
PER_RUN_TASK = 10
DESCRIBE_BATCH = 100
PAGE_SIZE = 100
CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, max_pool_connections=16)


def _client(url: str, service: str = "ecs") -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        config=CONFIG,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )


def set_up(url: str) -> dict[str, Any]:
    """Cluster, task definition and network; returns RunTask's networkConfiguration."""
    ec2 = _client(url, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/17")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="bench", Description="bench", VpcId=vpc)
    ecs = _client(url)
    ecs.create_cluster(clusterName=CLUSTER)
    # moto sums container-level memory for every task, so the container declares it too
    container = {"name": "main", "image": "bench/main", "memory": 512}
    ecs.register_task_definition(**fargate_task_definition(FAMILY, [container]))
    return {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group["GroupId"]]}}


@dataclass
class Phase:
    """What one kind of call cost across all clients."""

    calls: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, latency: float, ok: bool) -> None:
        with self.lock:
            self.calls += 1
            self.errors += 0 if ok else 1
            self.latencies.append(latency)

    def summary(self) -> dict[str, float]:
        samples = self.latencies or [0.0]
        cuts = statistics.quantiles(samples, n=100) if len(samples) > 1 else samples * 99
        return {
            "calls": self.calls,
            "errors": self.errors,
            "ops_per_second": self.calls / self.seconds if self.seconds else 0.0,
            "p50_ms": cuts[49] * 1000,
            "p99_ms": cuts[98] * 1000,
        }


def _timed_call(phase: Phase, call: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    try:
        answer = call()
    except (ClientError, BotoCoreError):
        phase.record(time.perf_counter() - started, ok=False)
        return None
    phase.record(time.perf_counter() - started, ok=True)
    return answer


class Workload:
    """RunTask, DescribeTasks and ListTasks phases for `clients` threads against one server."""

    def __init__(self, url: str, tasks: int, clients: int) -> None:
        self.url, self.clients = url, clients
        self.calls_per_client = max(1, tasks // (PER_RUN_TASK * clients))
        self.network = set_up(url)
        self.phases = {name: Phase() for name in ("RunTask", "DescribeTasks", "ListTasks")}
        self.arns: list[list[str]] = [[] for _ in range(clients)]
        self.listed: list[int] = [0] * clients

    def _run_tasks(self, ecs: Any, me: int) -> None:
        for _ in range(self.calls_per_client):
            answer = _timed_call(
                self.phases["RunTask"],
                lambda: ecs.run_task(
                    cluster=CLUSTER,
                    taskDefinition=FAMILY,
                    launchType="FARGATE",
                    count=PER_RUN_TASK,
                    networkConfiguration=self.network,
                ),
            )
            if answer:
                self.arns[me].extend(t["taskArn"] for t in answer["tasks"])

    def _describe(self, ecs: Any, me: int) -> None:
        mine = self.arns[me]
        for start in range(0, len(mine), DESCRIBE_BATCH):
            batch = mine[start : start + DESCRIBE_BATCH]
            _timed_call(
                self.phases["DescribeTasks"],
                lambda b=batch: ecs.describe_tasks(cluster=CLUSTER, tasks=b),
            )

    def _list(self, ecs: Any, me: int) -> None:
        token: str | None = None
        while True:
            kwargs = {"cluster": CLUSTER, "maxResults": PAGE_SIZE}
            if token:
                kwargs["nextToken"] = token
            page = _timed_call(self.phases["ListTasks"], lambda k=kwargs: ecs.list_tasks(**k))
            if not page:
                return
            self.listed[me] += len(page["taskArns"])
            token = page.get("nextToken")
            if not token:
                return

    def run(self, server: ServerProcess) -> dict[str, Any]:
        ecs_clients = [_client(self.url) for _ in range(self.clients)]
        memory: dict[str, float] = {"rss_before_mib": server.rss_kib() / 1024}
        steps = [("RunTask", self._run_tasks), ("DescribeTasks", self._describe)]
        steps.append(("ListTasks", self._list))
        for name, step in steps:
            threads = [
                threading.Thread(target=step, args=(ecs_clients[i], i)) for i in range(self.clients)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            self.phases[name].seconds = time.perf_counter() - started
            if name == "RunTask":
                memory["rss_holding_tasks_mib"] = server.rss_kib() / 1024
        held = sum(len(a) for a in self.arns)
        return {
            "server": server.name,
            "clients": self.clients,
            "tasks": held,
            "listed_per_client": self.listed[0],
            **{name: phase.summary() for name, phase in self.phases.items()},
            **{k: round(v, 1) for k, v in memory.items()},
            "peak_rss_mib": round(server.peak_rss_kib() / 1024, 1),
        }


def compare(
    start: dict[str, Callable[[], ServerProcess]], tasks: int, client_counts: list[int]
) -> list[dict[str, Any]]:
    """The workload on a fresh server of each kind, for each number of clients."""
    rows = []
    for clients in client_counts:
        for make in start.values():
            with make() as server:
                rows.append(Workload(server.url, tasks, clients).run(server))
    return rows
