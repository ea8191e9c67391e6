"""Fault rules through boto3: each action as a client sees it, each condition, the calls log, the set-up paths."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

from fakeecs import ControlError, FakeECS
from tests.fakeecs.conftest import (
    CLUSTER,
    NO_RETRIES,
    client,
    describe,
    fargate_task_definition,
    network,
    run,
)

BIN = Path(sys.executable).parent


def task_count(ecs: Any) -> int:
    arns = []
    for desired in ("RUNNING", "STOPPED"):
        arns += ecs.list_tasks(cluster=CLUSTER, desiredStatus=desired)["taskArns"]
    return len(arns)


def faulted(fake: FakeECS) -> list[tuple[str, str]]:
    return [(c["operation"], c["fault"]) for c in fake.calls() if "fault" in c]


@pytest.fixture
def bare(fake: FakeECS) -> Any:
    """An ECS client with no botocore retries, on the prepared cluster."""
    ecs = client(fake, config=NO_RETRIES)
    ecs.create_cluster(clusterName=CLUSTER)
    ecs.register_task_definition(**fargate_task_definition())
    return ecs


# actions -----------------------------------------------------------------------


def test_throttle_answers_rate_exceeded_and_does_nothing(fake: FakeECS, bare: Any) -> None:
    fake.faults([{"operation": "RunTask", "action": "throttle", "times": 1}])

    with pytest.raises(ClientError) as exc:
        run(bare)

    assert exc.value.response["Error"] == {
        "Code": "ThrottlingException",
        "Message": "Rate exceeded",
    }
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert task_count(bare) == 0
    assert run(bare)["tasks"]  # the next call is not throttled
    assert faulted(fake) == [("RunTask", "throttle")]


def test_botocore_retries_through_a_throttle(fake: FakeECS, ecs: Any) -> None:
    retrying = client(fake, config=Config(retries={"mode": "standard", "total_max_attempts": 3}))
    fake.faults([{"operation": "ListClusters", "action": "throttle", "times": 1}])

    assert retrying.list_clusters()["clusterArns"]

    statuses = [c["status"] for c in fake.calls() if c["operation"] == "ListClusters"]
    assert statuses == [400, 200]


def test_server_error_is_a_500_server_exception_and_commits_nothing(
    fake: FakeECS, bare: Any
) -> None:
    fake.faults([{"operation": "RunTask", "action": "server-error", "times": 1}])

    with pytest.raises(ClientError) as exc:
        run(bare)

    assert exc.value.response["Error"]["Code"] == "ServerException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert task_count(bare) == 0


def test_latency_delays_the_answer_in_wall_time_only(fake: FakeECS, bare: Any) -> None:
    fake.faults([{"operation": "ListClusters", "action": "latency", "seconds": 0.3, "times": 1}])
    before = fake.now()
    started = time.monotonic()

    assert bare.list_clusters()["clusterArns"]

    assert time.monotonic() - started >= 0.3
    assert fake.now() == before
    started = time.monotonic()
    bare.list_clusters()
    assert time.monotonic() - started < 0.3
    assert faulted(fake) == [("ListClusters", "latency")]


def test_latency_on_one_call_does_not_hold_up_the_others(fake: FakeECS, bare: Any) -> None:
    fake.faults([{"operation": "ListClusters", "action": "latency", "seconds": 2, "times": 1}])
    slow_done = threading.Event()

    def slow() -> None:
        client(fake, config=NO_RETRIES).list_clusters()
        slow_done.set()

    thread = threading.Thread(target=slow)
    thread.start()
    assert bare.describe_clusters(clusters=[CLUSTER])["clusters"]
    assert not slow_done.is_set()
    thread.join(timeout=30)
    assert slow_done.is_set()


def test_lose_response_commits_and_drops_the_connection(fake: FakeECS, bare: Any) -> None:
    fake.faults([{"operation": "RunTask", "action": "lose-response", "times": 1}])

    with pytest.raises(ConnectionClosedError):
        run(bare, startedBy="lost")

    [arn] = bare.list_tasks(cluster=CLUSTER, startedBy="lost")["taskArns"]
    assert describe(bare, arn)["startedBy"] == "lost"
    [entry] = [c for c in fake.calls() if c["operation"] == "RunTask"]
    assert (entry["status"], entry["fault"]) == (200, "lose-response")


def test_lose_response_with_botocore_retry_starts_one_task(fake: FakeECS, ecs: Any) -> None:
    """botocore generates one clientToken per call and reuses it on its own retry."""
    fake.faults([{"operation": "RunTask", "action": "lose-response", "times": 1}])

    answer = run(ecs)

    assert len(answer["tasks"]) == 1
    assert task_count(ecs) == 1
    runs = [c for c in fake.calls() if c["operation"] == "RunTask"]
    assert [c.get("fault") for c in runs] == ["lose-response", None]
    assert runs[0]["params"]["clientToken"] == runs[1]["params"]["clientToken"]


def test_lose_response_loses_error_answers_too(fake: FakeECS, bare: Any) -> None:
    fake.faults([{"operation": "DescribeServices", "action": "lose-response", "times": 1}])

    with pytest.raises(ConnectionClosedError):
        bare.describe_services(cluster="no-such-cluster", services=["x"])

    [entry] = [c for c in fake.calls() if c["operation"] == "DescribeServices"]
    assert (entry["status"], entry["error"], entry["fault"]) == (
        400,
        "ClusterNotFoundException",
        "lose-response",
    )


def test_no_capacity_answers_a_failure_and_starts_no_task(fake: FakeECS, bare: Any) -> None:
    fake.faults([{"operation": "RunTask", "action": "no-capacity", "times": 1}])

    answer = run(bare, count=2)

    assert answer["tasks"] == []
    assert [f["reason"] for f in answer["failures"]] == [
        "Capacity is unavailable at this time. Please try again later or in a different "
        "availability zone"
    ] * 2
    assert task_count(bare) == 0
    assert len(run(bare)["tasks"]) == 1


def test_fail_to_start_stops_the_task_with_task_failed_to_start(fake: FakeECS, bare: Any) -> None:
    reason = "ResourceInitializationError: unable to pull secrets or registry auth"
    fake.faults([{"operation": "RunTask", "action": "fail-to-start", "reason": reason, "times": 1}])

    arn = run(bare)["tasks"][0]["taskArn"]
    fake.advance(30)

    task = describe(bare, arn)
    assert task["lastStatus"] == "STOPPED"
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"] == reason
    assert task["containers"][0]["reason"] == reason
    assert "exitCode" not in task["containers"][0]
    assert "startedAt" not in task
    healthy = run(bare)["tasks"][0]["taskArn"]
    fake.advance(10)
    assert describe(bare, healthy)["lastStatus"] == "RUNNING"


def test_fail_to_start_has_a_default_reason(fake: FakeECS, bare: Any) -> None:
    fake.faults([{"operation": "RunTask", "action": "fail-to-start", "times": 1}])
    arn = run(bare)["tasks"][0]["taskArn"]
    fake.advance(30)
    assert describe(bare, arn)["stoppedReason"].startswith("ResourceInitializationError")


@pytest.mark.parametrize("stop_code", ["SpotInterruption", "TerminationNotice"])
def test_interrupt_stops_running_tasks_of_the_cluster(
    fake: FakeECS, bare: Any, stop_code: str
) -> None:
    bare.create_cluster(clusterName="other")
    mine = run(bare)["tasks"][0]["taskArn"]
    other = run(bare, cluster="other")["tasks"][0]["taskArn"]
    fake.advance(10)
    fake.faults(
        [{"operation": "DescribeTasks", "action": "interrupt", "stopCode": stop_code, "times": 1}]
    )

    bare.describe_tasks(cluster=CLUSTER, tasks=[mine])
    fake.advance(10)

    task = describe(bare, mine)
    assert (task["lastStatus"], task["stopCode"]) == ("STOPPED", stop_code)
    assert task["containers"][0]["exitCode"] == 143
    survivor = bare.describe_tasks(cluster="other", tasks=[other])["tasks"][0]
    assert survivor["lastStatus"] == "RUNNING"


def test_an_interrupt_waits_for_a_running_task_instead_of_being_used_up(
    fake: FakeECS, bare: Any
) -> None:
    fake.faults([{"operation": "DescribeTasks", "action": "interrupt", "times": 1}])
    arn = run(bare)["tasks"][0]["taskArn"]
    assert describe(bare, arn)["lastStatus"] == "PROVISIONING"  # nothing to interrupt yet
    assert fake.fault_rules()[0]["fired"] == 0  # so the rule is not used up
    fake.advance(10)

    task = describe(bare, arn)  # this call finds it running and interrupts it
    assert (task["lastStatus"], task["stopCode"]) == ("DEACTIVATING", "SpotInterruption")
    assert fake.fault_rules()[0]["fired"] == 1
    logged = [c.get("fault") for c in fake.calls() if c["operation"] == "DescribeTasks"]
    assert logged.count("interrupt") == 1


def test_a_spot_interruption_hits_only_fargate_spot_tasks_when_there_are_any(
    fake: FakeECS, bare: Any
) -> None:
    bare.put_cluster_capacity_providers(
        cluster=CLUSTER,
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[],
    )
    on_demand = run(bare)["tasks"][0]["taskArn"]
    spot_strategy = [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    spot_arn = bare.run_task(
        cluster=CLUSTER,
        taskDefinition="worker",
        capacityProviderStrategy=spot_strategy,
        networkConfiguration=network(bare),
    )["tasks"][0]["taskArn"]
    fake.advance(10)
    fake.faults([{"operation": "ListClusters", "action": "interrupt", "times": 1}])
    bare.list_clusters()
    fake.advance(10)

    assert describe(bare, spot_arn)["stopCode"] == "SpotInterruption"
    assert describe(bare, spot_arn)["capacityProviderName"] == "FARGATE_SPOT"
    assert describe(bare, on_demand)["lastStatus"] == "RUNNING"


def test_interrupted_service_tasks_are_replaced(fake: FakeECS, bare: Any) -> None:
    bare.create_service(
        cluster=CLUSTER,
        serviceName="svc",
        taskDefinition="worker",
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=network(bare),
    )
    fake.advance(10)
    [first] = bare.list_tasks(cluster=CLUSTER, serviceName="svc")["taskArns"]
    fake.faults([{"operation": "ListClusters", "action": "interrupt", "times": 1}])
    bare.list_clusters()
    fake.advance(20)

    assert describe(bare, first)["stopCode"] == "SpotInterruption"
    [second] = bare.list_tasks(cluster=CLUSTER, serviceName="svc")["taskArns"]
    assert second != first
    assert describe(bare, second)["lastStatus"] == "RUNNING"


# conditions --------------------------------------------------------------------


def test_times_fires_on_the_next_n_matching_calls_only(fake: FakeECS, bare: Any) -> None:
    fake.faults([{"operation": "ListClusters", "action": "throttle", "times": 2}])
    outcomes = []
    for _ in range(4):
        bare.list_task_definitions()  # other operations are not touched
        try:
            bare.list_clusters()
            outcomes.append("ok")
        except ClientError:
            outcomes.append("throttled")
    assert outcomes == ["throttled", "throttled", "ok", "ok"]
    (rule,) = fake.fault_rules()
    assert rule == {"operation": "ListClusters", "action": "throttle", "times": 2, "fired": 2}


def test_star_matches_every_ecs_operation(fake: FakeECS, bare: Any) -> None:
    fake.faults([{"operation": "*", "action": "server-error", "times": 3}])
    for call in (bare.list_clusters, bare.list_task_definitions, bare.list_clusters):
        with pytest.raises(ClientError):
            call()
    assert bare.list_clusters()["clusterArns"]


def _probability_pattern(seed: int) -> list[bool]:
    with FakeECS(clock="manual", seed=seed) as fake:
        ecs = client(fake, config=NO_RETRIES)
        fake.faults([{"operation": "ListClusters", "action": "throttle", "probability": 0.5}])
        pattern = []
        for _ in range(40):
            try:
                ecs.list_clusters()
                pattern.append(False)
            except ClientError:
                pattern.append(True)
        return pattern


def test_probability_is_seeded_and_reproducible() -> None:
    first = _probability_pattern(7)
    assert first == _probability_pattern(7)
    assert first != _probability_pattern(8)
    assert 8 <= sum(first) <= 32


def test_after_and_until_are_a_virtual_time_window(fake: FakeECS, bare: Any) -> None:
    fake.faults([{"operation": "ListClusters", "action": "throttle", "after": 60, "until": 120}])

    def throttled() -> bool:
        try:
            bare.list_clusters()
            return False
        except ClientError:
            return True

    seen = [throttled()]
    for seconds in (59, 1, 59, 1):
        fake.advance(seconds)
        seen.append(throttled())
    assert seen == [False, False, True, True, False]


def test_the_first_matching_rule_wins(fake: FakeECS, bare: Any) -> None:
    fake.faults(
        [
            {"operation": "RunTask", "action": "no-capacity", "times": 1},
            {"operation": "*", "action": "throttle", "times": 1},
        ]
    )
    assert run(bare)["failures"]
    with pytest.raises(ClientError, match="Throttling"):
        bare.list_clusters()


def test_delete_clears_every_rule(fake: FakeECS, bare: Any) -> None:
    fake.faults([{"operation": "*", "action": "throttle", "probability": 1}])
    with pytest.raises(ClientError):
        bare.list_clusters()
    fake.faults([])
    assert bare.list_clusters()["clusterArns"]
    assert fake._call("GET", "faults") == {"rules": []}


def test_engine_actions_only_fire_on_run_task(fake: FakeECS, bare: Any) -> None:
    """A no-capacity rule on "*" is not used up by calls it cannot affect."""
    fake.faults([{"operation": "*", "action": "no-capacity", "times": 1}])
    bare.list_clusters()
    bare.list_task_definitions()
    assert run(bare)["failures"]
    assert faulted(fake) == [("RunTask", "no-capacity")]


# validation and set-up ---------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ({"operation": "RunTask", "action": "explode", "times": 1}, "'action' must be one of"),
        ({"operation": "RunTask", "action": "throttle"}, "needs a condition"),
        ({"operation": "RunTask", "action": "throttle", "times": 0}, "'times'"),
        ({"operation": "RunTask", "action": "throttle", "probability": 2}, "'probability'"),
        ({"operation": "RunTask", "action": "latency", "times": 1}, "'seconds'"),
        ({"action": "interrupt", "stopCode": "UserInitiated", "times": 1}, "'stopCode'"),
        ({"operation": "RunTask", "action": "throttle", "times": 1, "when": 3}, "unknown field"),
        ({"operation": "DescribeTasks", "action": "no-capacity", "times": 1}, "RunTask"),
        ({"operation": "RunTasks", "action": "throttle", "times": 1}, "could never fire"),
    ],
)
def test_bad_rules_are_refused_with_a_reason_and_keep_the_old_ones(
    fake: FakeECS, bare: Any, rule: dict[str, Any], words: str
) -> None:
    fake.faults([{"operation": "ListClusters", "action": "throttle", "times": 5}])
    with pytest.raises(ControlError, match=words) as exc:
        fake.faults([{"operation": "ListClusters", "action": "throttle", "times": 1}, rule])
    assert "fault rule #1" in str(exc.value)
    assert fake._call("GET", "faults")["rules"][0]["times"] == 5


def test_fakeecs_faults_argument_applies_from_the_start() -> None:
    rules = [{"operation": "CreateCluster", "action": "server-error", "times": 1}]
    with FakeECS(clock="manual", faults=rules) as fake:
        ecs = client(fake, config=NO_RETRIES)
        with pytest.raises(ClientError, match="ServerException"):
            ecs.create_cluster(clusterName=CLUSTER)
        assert ecs.create_cluster(clusterName=CLUSTER)["cluster"]["status"] == "ACTIVE"


@pytest.fixture
def serve_with(tmp_path: Path) -> Iterator[Any]:
    procs: list[subprocess.Popen[str]] = []

    def start(*args: str) -> tuple[subprocess.Popen[str], str]:
        proc = subprocess.Popen(
            [str(BIN / "fakeecs"), "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        return proc, proc.stdout.readline().strip()

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)


def test_serve_faults_file_applies_the_rules(serve_with: Any, tmp_path: Path) -> None:
    path = tmp_path / "faults.json"
    path.write_text(
        json.dumps({"rules": [{"operation": "ListClusters", "action": "throttle", "times": 1}]})
    )
    _, line = serve_with("--faults", str(path))
    assert line.startswith("fakeecs listening on "), line
    url = line.rsplit(" ", 1)[1]
    ecs = boto3.client("ecs", endpoint_url=url, region_name="us-east-1", config=NO_RETRIES)

    with pytest.raises(ClientError, match="Rate exceeded"):
        ecs.list_clusters()
    assert ecs.list_clusters()["clusterArns"] == []


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", "is not valid JSON"),
        (json.dumps({"rules": [{"action": "throttle"}]}), "needs a condition"),
    ],
)
def test_serve_refuses_a_bad_faults_file_naming_it(
    serve_with: Any, tmp_path: Path, content: str, words: str
) -> None:
    path = tmp_path / "faults.json"
    path.write_text(content)
    proc, line = serve_with("--faults", str(path))
    assert proc.wait(timeout=30) == 2
    err = proc.stderr.read()
    assert str(path) in err
    assert words in err
    assert line == ""
