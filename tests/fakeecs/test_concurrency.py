"""Many boto3 clients at once (threads) against one fake: state stays consistent, clientTokens hold."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from botocore.config import Config
from botocore.exceptions import ClientError

from fakeecs import FakeECS
from tests.fakeecs.conftest import CLUSTER, FAMILY, client, fargate_task_definition, network, run

T = TypeVar("T")
THREADS = 8
#: No retries (a retry would hide a server error) and enough connections for every thread.
CONFIG = Config(retries={"total_max_attempts": 1}, max_pool_connections=THREADS * 2)


def at_once(n: int, work: Callable[[int, threading.Barrier], T]) -> list[T]:
    """Run `work(i, barrier)` in n threads that pass the barrier together; results in order."""
    barrier = threading.Barrier(n, timeout=30)
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(lambda i: work(i, barrier), range(n)))


def test_concurrent_run_task_with_one_client_token_starts_one_task(fake: FakeECS, ecs: Any) -> None:
    for round_ in range(5):
        token = f"race-{round_}"

        def start(i: int, barrier: threading.Barrier, token: str = token) -> list[str]:
            mine = client(fake, config=CONFIG)
            barrier.wait()
            return [t["taskArn"] for t in run(mine, clientToken=token, startedBy=token)["tasks"]]

        answers = at_once(THREADS, start)

        assert all(len(a) == 1 for a in answers)
        assert len({a[0] for a in answers}) == 1
        assert ecs.list_tasks(cluster=CLUSTER, startedBy=token)["taskArns"] == answers[0]


def test_concurrent_conflicting_requests_with_one_token_start_one_task(
    fake: FakeECS, ecs: Any
) -> None:
    def start(i: int, barrier: threading.Barrier) -> str:
        mine = client(fake, config=CONFIG)
        barrier.wait()
        try:
            run(mine, clientToken="shared", startedBy=f"caller-{i}")
            return "started"
        except ClientError as exc:
            return exc.response["Error"]["Code"]

    outcomes = at_once(THREADS, start)

    assert outcomes.count("started") == 1
    assert set(outcomes) == {"started", "ConflictException"}
    running = ecs.list_tasks(cluster=CLUSTER)["taskArns"]
    assert len(running) == 1


def test_many_clients_doing_everything_keep_state_consistent(fake: FakeECS, ecs: Any) -> None:
    rounds = 6

    def worker(i: int, barrier: threading.Barrier) -> dict[str, Any]:
        mine = client(fake, config=CONFIG)
        barrier.wait()
        started: list[str] = []
        stopped: list[str] = []
        service = f"svc-{i}"
        mine.create_service(
            cluster=CLUSTER,
            serviceName=service,
            taskDefinition=FAMILY,
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration=network(mine),
        )
        for r in range(rounds):
            answer = run(mine, count=2, startedBy=f"w{i}", clientToken=f"w{i}-r{r}")
            arns = [t["taskArn"] for t in answer["tasks"]]
            started += arns
            mine.describe_tasks(cluster=CLUSTER, tasks=arns)
            mine.stop_task(cluster=CLUSTER, task=arns[0], reason="concurrency test")
            stopped.append(arns[0])
            mine.update_service(cluster=CLUSTER, service=service, desiredCount=r % 3)
            mine.list_tasks(cluster=CLUSTER, startedBy=f"w{i}")
        return {"started": started, "stopped": stopped, "service": service}

    done = threading.Event()

    def clock() -> None:
        while not done.is_set():
            fake.advance(1)

    ticker = threading.Thread(target=clock)
    ticker.start()
    try:
        results = at_once(THREADS, worker)
    finally:
        done.set()
        ticker.join(timeout=30)

    every = [a for r in results for a in r["started"]]
    assert len(every) == len(set(every)) == THREADS * rounds * 2
    calls = fake.calls()
    assert all(c["status"] == 200 for c in calls), [c for c in calls if c["status"] != 200][:3]
    assert sum(1 for c in calls if c["operation"] == "RunTask") == THREADS * rounds
    fake.advance(60)
    for i, r in enumerate(results):
        by_starter = ecs.list_tasks(cluster=CLUSTER, startedBy=f"w{i}")
        assert by_starter["taskArns"] == []  # every RunTask task ran its 30 s and stopped
        described = ecs.describe_tasks(cluster=CLUSTER, tasks=r["stopped"][:100])["tasks"]
        assert {t["stopCode"] for t in described} == {"UserInitiated"}
        assert {t["lastStatus"] for t in described} == {"STOPPED"}
        service = ecs.describe_services(cluster=CLUSTER, services=[r["service"]])["services"][0]
        assert service["desiredCount"] == (rounds - 1) % 3
        assert service["runningCount"] == service["desiredCount"]
        assert len(service["deployments"]) == 1


def test_concurrent_clients_with_a_state_file_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with FakeECS(clock="manual", state=path) as fake:
        ecs = client(fake)
        ecs.create_cluster(clusterName=CLUSTER)
        ecs.register_task_definition(**fargate_task_definition())

        def start(i: int, barrier: threading.Barrier) -> list[str]:
            mine = client(fake, config=CONFIG)
            barrier.wait()
            return [
                t["taskArn"]
                for r in range(5)
                for t in run(mine, clientToken=f"s{i}-{r % 3}", startedBy=f"s{i}")["tasks"]
            ]

        answered = at_once(THREADS, start)

    with FakeECS(clock="manual", state=path) as fake:
        ecs = client(fake)
        for i, arns in enumerate(answered):
            assert len(set(arns)) == 3  # tokens r % 3: three tasks per thread
            kept = ecs.list_tasks(cluster=CLUSTER, startedBy=f"s{i}")["taskArns"]
            assert sorted(kept) == sorted(set(arns))
        assert sum(1 for c in fake.calls() if c["operation"] == "RunTask") == THREADS * 5
