"""Task lifecycle: states move only with the clock, and each step sets what ECS sets."""

from __future__ import annotations

from typing import Any

from tests.fakeecs.conftest import CLUSTER, describe, fargate_task_definition, network, run

TIMESTAMPS = (
    "createdAt",
    "connectivityAt",
    "pullStartedAt",
    "pullStoppedAt",
    "startedAt",
    "executionStoppedAt",
    "stoppingAt",
    "stoppedAt",
)


def statuses_over(fake: Any, ecs: Any, arn: str, seconds: int) -> list[str]:
    seen = [describe(ecs, arn)["lastStatus"]]
    for _ in range(seconds):
        fake.advance(1)
        status = describe(ecs, arn)["lastStatus"]
        if status != seen[-1]:
            seen.append(status)
    return seen


def test_reading_never_moves_a_task(ecs: Any) -> None:
    arn = run(ecs)["tasks"][0]["taskArn"]
    for _ in range(20):
        assert describe(ecs, arn)["lastStatus"] == "PROVISIONING"


def test_a_task_walks_every_state_in_order(fake: Any, ecs: Any) -> None:
    fake.behaviour("worker", runSeconds=20, exitCode=0)
    arn = run(ecs)["tasks"][0]["taskArn"]
    assert statuses_over(fake, ecs, arn, 40) == [
        "PROVISIONING",
        "PENDING",
        "ACTIVATING",
        "RUNNING",
        "DEACTIVATING",
        "STOPPING",
        "DEPROVISIONING",
        "STOPPED",
    ]
    task = describe(ecs, arn)
    times = [task[name] for name in TIMESTAMPS]
    assert times == sorted(times)
    assert (task["executionStoppedAt"] - task["startedAt"]).total_seconds() == 20
    assert task["stopCode"] == "EssentialContainerExited"
    assert task["stoppedReason"] == "Essential container in task exited"
    assert task["desiredStatus"] == "STOPPED"
    assert task["containers"][0]["exitCode"] == 0
    assert task["containers"][0]["lastStatus"] == "STOPPED"


def test_a_large_advance_lands_in_the_same_place_as_small_steps(fake: Any, ecs: Any) -> None:
    fake.behaviour("worker", runSeconds=3600, exitCode=2)
    arn = run(ecs)["tasks"][0]["taskArn"]
    fake.advance(3700)
    task = describe(ecs, arn)
    assert task["lastStatus"] == "STOPPED"
    assert task["containers"][0]["exitCode"] == 2
    assert (task["executionStoppedAt"] - task["startedAt"]).total_seconds() == 3600


def test_default_behaviour_runs_30_seconds_and_exits_0(fake: Any, ecs: Any) -> None:
    arn = run(ecs)["tasks"][0]["taskArn"]
    fake.advance(60)
    task = describe(ecs, arn)
    assert task["containers"][0]["exitCode"] == 0
    assert (task["executionStoppedAt"] - task["startedAt"]).total_seconds() == 30


def test_failure_to_pull_the_image(fake: Any, ecs: Any) -> None:
    reason = "CannotPullContainerError: pull access denied for example/worker"
    fake.behaviour("worker", failToStart=reason)
    arn = run(ecs)["tasks"][0]["taskArn"]
    fake.advance(60)
    task = describe(ecs, arn)
    assert task["lastStatus"] == "STOPPED"
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"] == reason
    assert "startedAt" not in task
    container = task["containers"][0]
    assert "exitCode" not in container
    assert container["reason"] == reason


def test_out_of_memory(fake: Any, ecs: Any) -> None:
    fake.behaviour("worker", runSeconds=5, outOfMemory=True)
    arn = run(ecs)["tasks"][0]["taskArn"]
    fake.advance(60)
    container = describe(ecs, arn)["containers"][0]
    assert container["exitCode"] == 137
    assert container["reason"] == "OutOfMemoryError: Container killed due to memory usage"


def _two_containers(ecs: Any, sidecar_essential: bool) -> None:
    ecs.register_task_definition(
        **fargate_task_definition(
            "pair",
            containerDefinitions=[
                {"name": "main", "image": "example/main"},
                {"name": "sidecar", "image": "example/sidecar", "essential": sidecar_essential},
            ],
        )
    )


def test_a_non_essential_container_exiting_does_not_stop_the_task(fake: Any, ecs: Any) -> None:
    _two_containers(ecs, sidecar_essential=False)
    fake.behaviour("pair", container="main", runSeconds=100, exitCode=0)
    fake.behaviour("pair", container="sidecar", runSeconds=10, exitCode=1)
    arn = run(ecs, taskDefinition="pair")["tasks"][0]["taskArn"]
    fake.advance(30)
    task = describe(ecs, arn)
    assert task["lastStatus"] == "RUNNING"
    sidecar = next(c for c in task["containers"] if c["name"] == "sidecar")
    assert sidecar["lastStatus"] == "STOPPED" and sidecar["exitCode"] == 1
    fake.advance(100)
    task = describe(ecs, arn)
    assert task["lastStatus"] == "STOPPED"
    assert {c["name"]: c["exitCode"] for c in task["containers"]} == {"main": 0, "sidecar": 1}


def test_an_essential_container_exiting_stops_the_others(fake: Any, ecs: Any) -> None:
    _two_containers(ecs, sidecar_essential=True)
    fake.behaviour("pair", container="main", runSeconds=100, exitCode=0)
    fake.behaviour("pair", container="sidecar", runSeconds=10, exitCode=1)
    arn = run(ecs, taskDefinition="pair")["tasks"][0]["taskArn"]
    fake.advance(30)
    task = describe(ecs, arn)
    assert task["lastStatus"] == "STOPPED"
    assert task["stopCode"] == "EssentialContainerExited"
    assert {c["name"]: c["exitCode"] for c in task["containers"]} == {"main": 143, "sidecar": 1}


def test_behaviours_apply_to_tasks_started_afterwards(fake: Any, ecs: Any) -> None:
    before = run(ecs)["tasks"][0]["taskArn"]
    fake.behaviour("worker", runSeconds=5, exitCode=9)
    after = run(ecs)["tasks"][0]["taskArn"]
    fake.advance(60)
    assert describe(ecs, before)["containers"][0]["exitCode"] == 0
    assert describe(ecs, after)["containers"][0]["exitCode"] == 9


def test_stopped_tasks_are_describable_for_an_hour(fake: Any, ecs: Any) -> None:
    fake.behaviour("worker", runSeconds=1)
    arn = run(ecs)["tasks"][0]["taskArn"]
    fake.advance(20)
    stopped_at = describe(ecs, arn)["stoppedAt"]
    fake.advance(3600 - 21)
    assert describe(ecs, arn)["stoppedAt"] == stopped_at
    fake.advance(30)
    answer = ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])
    assert answer["tasks"] == [] and answer["failures"] == [{"arn": arn, "reason": "MISSING"}]
    assert ecs.list_tasks(cluster=CLUSTER, desiredStatus="STOPPED")["taskArns"] == []


def test_eventual_consistency_hides_new_tasks_briefly(fake: Any, ecs: Any) -> None:
    fake.settings(describeDelaySeconds=3)
    arn = run(ecs)["tasks"][0]["taskArn"]
    assert ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["failures"][0]["reason"] == "MISSING"
    fake.advance(3)
    assert describe(ecs, arn)["taskArn"] == arn


def test_stop_task_before_the_task_runs_never_starts_it(fake: Any, ecs: Any) -> None:
    arn = run(ecs)["tasks"][0]["taskArn"]
    fake.advance(1)
    ecs.stop_task(cluster=CLUSTER, task=arn)
    fake.advance(60)
    task = describe(ecs, arn)
    assert task["lastStatus"] == "STOPPED" and "startedAt" not in task
    assert "exitCode" not in task["containers"][0]


def test_cluster_counts_follow_the_tasks(fake: Any, ecs: Any) -> None:
    fake.behaviour("worker", runSeconds=100)
    run(ecs, count=3)
    cluster = ecs.describe_clusters(clusters=[CLUSTER], include=["STATISTICS"])["clusters"][0]
    assert (cluster["pendingTasksCount"], cluster["runningTasksCount"]) == (3, 0)
    fake.advance(10)
    cluster = ecs.describe_clusters(clusters=[CLUSTER], include=["STATISTICS"])["clusters"][0]
    assert (cluster["pendingTasksCount"], cluster["runningTasksCount"]) == (0, 3)
    stats = {s["name"]: s["value"] for s in cluster["statistics"]}
    assert stats["runningFargateTasksCount"] == "3"


def test_stopping_tasks_are_neither_pending_nor_running_and_services_count_by_launch_type(
    fake: Any, ecs: Any
) -> None:
    fake.behaviour("worker", runSeconds=1000)
    arns = [t["taskArn"] for t in run(ecs, count=2)["tasks"]]
    ecs.create_service(
        cluster=CLUSTER,
        serviceName="web",
        taskDefinition="worker",
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=network(ecs),
    )
    fake.advance(10)
    ecs.stop_task(cluster=CLUSTER, task=arns[0])
    fake.advance(1)  # DEACTIVATING / STOPPING: on its way out
    assert describe(ecs, arns[0])["lastStatus"] not in ("RUNNING", "STOPPED")
    cluster = ecs.describe_clusters(clusters=[CLUSTER], include=["STATISTICS"])["clusters"][0]
    assert (cluster["pendingTasksCount"], cluster["runningTasksCount"]) == (0, 1)
    stats = {s["name"]: s["value"] for s in cluster["statistics"]}
    assert (stats["runningFargateTasksCount"], stats["pendingFargateTasksCount"]) == ("1", "0")
    assert (stats["activeFargateServiceCount"], stats["activeEC2ServiceCount"]) == ("1", "0")
    ecs.delete_service(cluster=CLUSTER, service="web")
    cluster = ecs.describe_clusters(clusters=[CLUSTER], include=["STATISTICS"])["clusters"][0]
    stats = {s["name"]: s["value"] for s in cluster["statistics"]}
    assert (stats["activeFargateServiceCount"], stats["drainingFargateServiceCount"]) == ("0", "1")
