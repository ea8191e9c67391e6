"""`make soak`: many concurrent boto3 clients against one `fakeecs serve`, then check its promises.

Clients run RunTask (sometimes repeating a clientToken), DescribeTasks, StopTask,
ListTasks with pagination, service updates, clock advances and fault rules for a
bounded wall time. Afterwards: every acknowledged task exists exactly once (or
was retired after the 1-hour retention), no task was ever seen moving backwards,
service counts match their tasks, and the server's memory stays flat once the
retention window is full. Prints a report and exits non-zero on any broken promise.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

from bench.servers import start_fakeecs
from fakeecs.control import ControlClient
from fakeecs.fixtures import fargate_task_definition
from fakeecs.model import STATE_INDEX

CLUSTER = "soak"
FAMILY = "soak-task"
SERVICE = "soak-svc"
RETENTION = 3600.0
TOKEN_TTL = 24 * 3600.0
#: Once retention (1 h), the calls log (20,000 entries) and the clientToken window (24 h) are
#: full, memory must stay flat: checked over the last third of runs at least this long.
MEMORY_CHECK_SECONDS = 90
MEMORY_GROWTH_LIMIT_PCT = 5.0
#: Wall time a client waits after finding the server unreachable.
UNREACHABLE_BACKOFF_SECONDS = 0.2
CONFIG = Config(retries={"total_max_attempts": 3, "mode": "standard"}, max_pool_connections=4)


@dataclass
class Shared:
    """What all clients learn, guarded by one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    acked: dict[str, float] = field(default_factory=dict)  # task arn -> createdAt (server time)
    #: clientToken -> every answer it got: (server time the tasks were created, their ARNs)
    tokens: dict[str, list[tuple[float, frozenset[str]]]] = field(default_factory=dict)
    #: (client, task arn) -> last status that client saw; one client's calls are ordered
    last_status: dict[tuple[int, str], str] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    broken: list[str] = field(default_factory=list)


def make_client(url: str) -> Any:
    return boto3.client(
        "ecs",
        endpoint_url=url,
        region_name="us-east-1",
        config=CONFIG,
        aws_access_key_id="soak",
        aws_secret_access_key="soak",
    )


def set_up(url: str) -> dict[str, Any]:
    """The cluster, task definition and service; returns the network (the default VPC's) the
    clients run tasks in."""
    network = ControlClient(url).default_network()
    ecs = make_client(url)
    ecs.create_cluster(clusterName=CLUSTER)
    ecs.register_task_definition(
        **fargate_task_definition(FAMILY, [{"name": "main", "image": "soak"}])
    )
    ecs.create_service(
        cluster=CLUSTER,
        serviceName=SERVICE,
        taskDefinition=FAMILY,
        desiredCount=3,
        launchType="FARGATE",
        networkConfiguration=network,
    )
    ControlClient(url).behaviour(FAMILY, runSeconds=300, exitCode=0)
    return network


def observe(shared: Shared, client: int, tasks: list[dict[str, Any]]) -> None:
    """Check states only against what the same client saw before (its calls are ordered)."""
    with shared.lock:
        for task in tasks:
            key, status = (client, task["taskArn"]), task["lastStatus"]
            before = shared.last_status.get(key)
            if before is not None and STATE_INDEX[status] < STATE_INDEX[before]:
                shared.broken.append(f"{key[1]} moved backwards: {before} -> {status}")
            else:
                shared.last_status[key] = status


def client_loop(
    url: str, shared: Shared, seed: int, stop: threading.Event, network: dict[str, Any]
) -> None:
    """One client's calls until `stop`; a client that crashes is a broken promise too."""
    try:
        _calls(url, shared, seed, stop, network)
    except Exception as exc:
        with shared.lock:
            shared.broken.append(f"client {seed} crashed: {type(exc).__name__}: {exc}")


def _calls(
    url: str, shared: Shared, seed: int, stop: threading.Event, network: dict[str, Any]
) -> None:
    rng = random.Random(seed)
    ecs, control = make_client(url), ControlClient(url)
    while not stop.is_set():
        op = rng.choices(
            ["run", "describe", "stop", "list", "service", "advance", "faults"],
            weights=[30, 35, 8, 10, 5, 10, 2],
        )[0]
        shared.requests[op] += 1
        try:
            if op == "run":
                token = f"tok-{rng.randrange(200)}" if rng.random() < 0.3 else None
                extra = {"clientToken": token} if token else {}
                # The same token always carries the same request (else ConflictException).
                count = 1 + (hash(token) % 3 if token else rng.randrange(3))
                answer = ecs.run_task(
                    cluster=CLUSTER,
                    taskDefinition=FAMILY,
                    launchType="FARGATE",
                    networkConfiguration=network,
                    count=count,
                    **extra,
                )
                with shared.lock:
                    for task in answer["tasks"]:
                        shared.acked.setdefault(task["taskArn"], task["createdAt"].timestamp())
                    if token and not answer["tasks"]:  # replayed after retention
                        if {f["reason"] for f in answer["failures"]} != {"MISSING"}:
                            shared.broken.append(f"token {token} replay: {answer['failures']}")
                    elif token:
                        arns = frozenset(t["taskArn"] for t in answer["tasks"])
                        created = min(t["createdAt"].timestamp() for t in answer["tasks"])
                        shared.tokens.setdefault(token, []).append((created, arns))
                observe(shared, seed, answer["tasks"])
            elif op == "describe":
                with shared.lock:
                    known = list(shared.acked)
                if known:
                    sample = rng.sample(known, min(len(known), 100))
                    observe(
                        shared, seed, ecs.describe_tasks(cluster=CLUSTER, tasks=sample)["tasks"]
                    )
            elif op == "stop":
                with shared.lock:
                    known = list(shared.acked)
                if known:
                    try:
                        ecs.stop_task(cluster=CLUSTER, task=rng.choice(known), reason="soak")
                    except ClientError as exc:
                        if exc.response["Error"]["Code"] != "InvalidParameterException":
                            raise
            elif op == "list":
                for page in ecs.get_paginator("list_tasks").paginate(
                    cluster=CLUSTER,
                    desiredStatus=rng.choice(["RUNNING", "STOPPED"]),
                    PaginationConfig={"PageSize": 50},
                ):
                    assert len(page["taskArns"]) <= 50
            elif op == "service":
                ecs.update_service(
                    cluster=CLUSTER, service=SERVICE, desiredCount=rng.randrange(1, 6)
                )
            elif op == "advance":
                control.advance(rng.choice([1, 5, 30, 120, 600]))
            elif op == "faults":
                control.faults(
                    [
                        {
                            "operation": "DescribeTasks",
                            "action": "throttle",
                            "probability": 0.05,
                            "until": 300,
                        }
                    ]
                )
        except ClientError as exc:
            shared.errors[exc.response["Error"]["Code"]] += 1
        except (
            ConnectionClosedError,
            EndpointConnectionError,
            OSError,  # the control client (urllib): refused, reset, timed out
            http.client.HTTPException,
        ) as exc:
            # The server was unreachable (or, in the crash loop, killed): the call may or may
            # not have happened, and nothing was acknowledged. Back off a little rather than
            # spin while it is down.
            shared.errors[type(exc).__name__] += 1
            stop.wait(UNREACHABLE_BACKOFF_SECONDS)


def check(url: str, shared: Shared) -> None:
    """The promises, checked once the clients are done."""
    ecs, control = make_client(url), ControlClient(url)
    control.faults([])
    now = control.now()
    for token, answers in shared.tokens.items():
        # A token names one set of tasks for 24 hours after they were created (server time).
        created = sorted({(when, arns) for when, arns in answers}, key=lambda a: a[0])
        for (t1, _), (t2, _) in itertools.pairwise(created):
            if t2 - t1 < TOKEN_TTL:
                shared.broken.append(
                    f"clientToken {token} started new tasks {t2 - t1:.0f}s after the first"
                )
    arns = list(shared.acked)
    for i in range(0, len(arns), 100):
        batch = arns[i : i + 100]
        answer = ecs.describe_tasks(cluster=CLUSTER, tasks=batch)
        seen = Counter(t["taskArn"] for t in answer["tasks"])
        for arn, n in seen.items():
            if n != 1:
                shared.broken.append(f"{arn} described {n} times")
        for failure in answer["failures"]:
            acked_at = shared.acked[failure["arn"]]
            if now - acked_at < RETENTION:
                shared.broken.append(
                    f"{failure['arn']} acknowledged {now - acked_at:.0f}s ago is MISSING"
                )
    # Let the service settle, then its counts must match its tasks.
    for _ in range(200):
        svc = ecs.describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]
        if len(svc["deployments"]) == 1 and svc["runningCount"] == svc["desiredCount"]:
            break
        control.advance(15)
    svc = ecs.describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]
    running = ecs.list_tasks(cluster=CLUSTER, serviceName=SERVICE)["taskArns"]
    described = ecs.describe_tasks(cluster=CLUSTER, tasks=running)["tasks"] if running else []
    really_running = sum(1 for t in described if t["lastStatus"] == "RUNNING")
    if svc["runningCount"] != really_running:
        shared.broken.append(
            f"service runningCount {svc['runningCount']} but {really_running} tasks RUNNING"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="wall time the clients run")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)

    server = start_fakeecs(args.seed)
    url = server.url
    shared, stop, memory = Shared(), threading.Event(), []
    try:
        network = set_up(url)
        start_time = ControlClient(url).now()
        threads = [
            threading.Thread(
                target=client_loop, args=(url, shared, args.seed * 1000 + i, stop, network)
            )
            for i in range(args.clients)
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        while not stop.wait(1.0):
            memory.append(server.rss_kib())
            if time.monotonic() - started >= args.seconds:
                stop.set()
        for t in threads:
            t.join(timeout=60)
        check(url, shared)
        virtual_hours = (ControlClient(url).now() - start_time) / 3600
        tail = memory[2 * len(memory) // 3 :] or memory
        growth = round(100 * (tail[-1] - tail[0]) / tail[0], 1) if tail and tail[0] else 0.0
        if args.seconds >= MEMORY_CHECK_SECONDS and growth > MEMORY_GROWTH_LIMIT_PCT:
            shared.broken.append(f"memory grew {growth}% over the last third of the run")
        report = {
            "seconds": args.seconds,
            "clients": args.clients,
            "requests": sum(shared.requests.values()),
            "requests_by_kind": dict(shared.requests),
            "errors_by_kind": dict(shared.errors),
            "tasks_acknowledged": len(shared.acked),
            "virtual_hours": round(virtual_hours, 1),
            "peak_rss_mib": round(max(memory, default=0) / 1024, 1),
            "rss_last_third_growth_pct": growth,
            "broken_promises": shared.broken[:20],
        }
    finally:
        server.stop()
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    return 1 if shared.broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
