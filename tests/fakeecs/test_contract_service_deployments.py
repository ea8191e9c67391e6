"""Service deployments and revisions through boto3: every CreateService/UpdateService that
changes what runs is a service deployment whose status follows the rollout on the clock."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from fakeecs import FakeECS
from tests.fakeecs.conftest import (
    CLUSTER,
    FAMILY,
    client,
    fargate_task_definition,
    network,
)

SERVICE = "web"


def create(ecs: Any, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "cluster": CLUSTER,
        "serviceName": SERVICE,
        "taskDefinition": f"{FAMILY}:1",
        "desiredCount": 2,
        "launchType": "FARGATE",
        "networkConfiguration": network(ecs),
    }
    params.update(extra)
    return ecs.create_service(**params)["service"]


def deployments(ecs: Any, **extra: Any) -> list[dict[str, Any]]:
    return ecs.list_service_deployments(cluster=CLUSTER, service=SERVICE, **extra)[
        "serviceDeployments"
    ]


def detail(ecs: Any, arn: str) -> dict[str, Any]:
    return ecs.describe_service_deployments(serviceDeploymentArns=[arn])["serviceDeployments"][0]


def code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return exc.value.response["Error"]["Code"]


@pytest.fixture
def two_revisions(ecs: Any) -> Any:
    ecs.register_task_definition(**fargate_task_definition())  # worker:2
    return ecs


def test_create_service_is_a_pending_deployment_that_succeeds_on_the_clock(
    two_revisions: Any, fake: FakeECS
) -> None:
    ecs = two_revisions
    create(ecs)
    [brief] = deployments(ecs)
    assert brief["status"] == "PENDING"
    assert brief["serviceDeploymentArn"].startswith(
        f"arn:aws:ecs:us-east-1:123456789012:service-deployment/{CLUSTER}/{SERVICE}/"
    )
    assert "startedAt" not in brief
    assert deployments(ecs)[0]["status"] == "PENDING"  # reading moves nothing

    fake.advance(1)
    running = detail(ecs, brief["serviceDeploymentArn"])
    assert running["status"] == "IN_PROGRESS"
    assert running["lifecycleStage"] == "SCALE_UP"
    assert running["sourceServiceRevisions"] == []
    assert running["targetServiceRevision"]["requestedTaskCount"] == 2
    assert running["targetServiceRevision"]["pendingTaskCount"] == 2

    fake.advance(30)
    done = detail(ecs, brief["serviceDeploymentArn"])
    assert done["status"] == "SUCCESSFUL"
    assert done["finishedAt"] >= done["startedAt"]
    assert done["targetServiceRevision"]["runningTaskCount"] == 2
    [revision] = ecs.describe_service_revisions(
        serviceRevisionArns=[brief["targetServiceRevisionArn"]]
    )["serviceRevisions"]
    assert revision["taskDefinition"].endswith(f"task-definition/{FAMILY}:1")
    assert revision["launchType"] == "FARGATE"
    subnets = network(ecs)["awsvpcConfiguration"]["subnets"]
    assert revision["networkConfiguration"]["awsvpcConfiguration"]["subnets"] == subnets


def test_an_update_that_changes_what_runs_is_a_new_deployment_from_the_old_revision(
    two_revisions: Any, fake: FakeECS
) -> None:
    ecs = two_revisions
    create(ecs)
    fake.advance(30)
    ecs.update_service(cluster=CLUSTER, service=SERVICE, desiredCount=3)  # no new deployment
    assert len(deployments(ecs)) == 1
    fake.advance(30)
    ecs.update_service(cluster=CLUSTER, service=SERVICE, taskDefinition=f"{FAMILY}:2")
    newest, first = deployments(ecs)
    assert (newest["status"], first["status"]) == ("PENDING", "SUCCESSFUL")
    fake.advance(2)
    sd = detail(ecs, newest["serviceDeploymentArn"])
    [source] = sd["sourceServiceRevisions"]
    assert source["arn"] == first["targetServiceRevisionArn"]
    assert (source["requestedTaskCount"], source["runningTaskCount"]) == (0, 3)
    fake.advance(60)
    sd = detail(ecs, newest["serviceDeploymentArn"])
    assert sd["status"] == "SUCCESSFUL"
    assert sd["targetServiceRevision"]["runningTaskCount"] == 3
    assert [d["status"] for d in deployments(ecs, status=["SUCCESSFUL"])] == ["SUCCESSFUL"] * 2
    assert deployments(ecs, status=["ROLLBACK_SUCCESSFUL"]) == []


def test_stop_service_deployment_rolls_back_to_the_source_revision(
    two_revisions: Any, fake: FakeECS
) -> None:
    ecs = two_revisions
    create(ecs)
    fake.advance(30)
    ecs.update_service(cluster=CLUSTER, service=SERVICE, taskDefinition=f"{FAMILY}:2")
    fake.advance(2)
    arn = deployments(ecs)[0]["serviceDeploymentArn"]

    assert (
        ecs.stop_service_deployment(serviceDeploymentArn=arn, stopType="ROLLBACK")[
            "serviceDeploymentArn"
        ]
        == arn
    )
    assert detail(ecs, arn)["status"] == "ROLLBACK_REQUESTED"
    fake.advance(1)
    rolling = detail(ecs, arn)
    assert rolling["status"] == "ROLLBACK_IN_PROGRESS"
    assert rolling["rollback"]["serviceRevisionArn"] == rolling["sourceServiceRevisions"][0]["arn"]
    fake.advance(60)
    assert detail(ecs, arn)["status"] == "ROLLBACK_SUCCESSFUL"
    service = ecs.describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]
    assert service["taskDefinition"].endswith(f"{FAMILY}:1")
    assert (service["runningCount"], len(service["deployments"])) == (2, 1)
    # a second stop of a finished deployment is a conflict naming it
    with pytest.raises(ClientError) as exc:
        ecs.stop_service_deployment(serviceDeploymentArn=arn)
    assert code(exc) == "ConflictException"
    assert exc.value.response["resourceIds"] == [arn]


def _break(ecs: Any, fake: FakeECS) -> None:
    """Deploy a family whose containers cannot start."""
    ecs.register_task_definition(**fargate_task_definition("broken"))
    fake.behaviour("broken", failToStart="CannotPullContainerError: no such image")
    ecs.update_service(cluster=CLUSTER, service=SERVICE, taskDefinition="broken")


def test_the_circuit_breaker_rolls_a_failing_deployment_back(
    two_revisions: Any, fake: FakeECS
) -> None:
    ecs = two_revisions
    create(
        ecs,
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
    )
    fake.advance(30)
    _break(ecs, fake)
    arn = deployments(ecs)[0]["serviceDeploymentArn"]
    fake.advance(120)
    sd = detail(ecs, arn)
    assert sd["deploymentCircuitBreaker"]["status"] == "TRIGGERED"
    assert (
        sd["deploymentCircuitBreaker"]["failureCount"]
        >= sd["deploymentCircuitBreaker"]["threshold"]
    )
    assert sd["status"] == "ROLLBACK_SUCCESSFUL"
    assert sd["statusReason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert sd["rollback"]["reason"] == sd["statusReason"]


def test_without_rollback_a_tripped_circuit_breaker_stops_the_deployment(
    two_revisions: Any, fake: FakeECS
) -> None:
    ecs = two_revisions
    create(
        ecs,
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": False}},
    )
    fake.advance(30)
    _break(ecs, fake)
    arn = deployments(ecs)[0]["serviceDeploymentArn"]
    fake.advance(120)
    sd = detail(ecs, arn)
    assert sd["status"] == "STOPPED"
    assert sd["stoppedAt"] == sd["finishedAt"]
    assert "rollback" not in sd


def test_a_newer_deployment_stops_one_still_in_progress(two_revisions: Any, fake: FakeECS) -> None:
    ecs = two_revisions
    create(ecs)
    fake.advance(2)
    ecs.update_service(cluster=CLUSTER, service=SERVICE, taskDefinition=f"{FAMILY}:2")
    newest, first = deployments(ecs)
    assert first["status"] == "STOPPED"
    assert first["statusReason"] == f"Superseded by {newest['serviceDeploymentArn']}."


HOOK = {"targetType": "PAUSE", "lifecycleStages": ["PRE_SCALE_UP", "POST_SCALE_UP"]}


def _paused(ecs: Any, arn: str) -> dict[str, Any]:
    [hook] = detail(ecs, arn)["lifecycleHookDetails"]
    return hook


def test_a_pause_hook_holds_the_deployment_until_continue(
    two_revisions: Any, fake: FakeECS
) -> None:
    ecs = two_revisions
    create(ecs)
    fake.advance(30)
    ecs.update_service(
        cluster=CLUSTER,
        service=SERVICE,
        taskDefinition=f"{FAMILY}:2",
        deploymentConfiguration={"lifecycleHooks": [HOOK]},
    )
    arn = deployments(ecs)[0]["serviceDeploymentArn"]
    fake.advance(60)
    sd = detail(ecs, arn)
    assert (sd["status"], sd["lifecycleStage"]) == ("IN_PROGRESS", "PRE_SCALE_UP")
    assert sd["targetServiceRevision"]["runningTaskCount"] == 0  # nothing started
    hook = _paused(ecs, arn)
    assert (hook["status"], hook["targetType"]) == ("AWAITING_ACTION", "PAUSE")

    with pytest.raises(ClientError) as exc:
        ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId="not-it")
    assert code(exc) == "InvalidParameterException"
    ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId=hook["hookId"])
    fake.advance(60)
    sd = detail(ecs, arn)
    assert (sd["status"], sd["lifecycleStage"]) == ("IN_PROGRESS", "POST_SCALE_UP")
    assert sd["targetServiceRevision"]["runningTaskCount"] == 2
    assert sd["sourceServiceRevisions"][0]["runningTaskCount"] == 2  # old tasks held
    ecs.continue_service_deployment(
        serviceDeploymentArn=arn, hookId=_paused(ecs, arn)["hookId"], action="CONTINUE"
    )
    fake.advance(60)
    sd = detail(ecs, arn)
    assert sd["status"] == "SUCCESSFUL"
    assert sd["sourceServiceRevisions"][0]["runningTaskCount"] == 0
    with pytest.raises(ClientError) as exc:
        ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId="0-PRE_SCALE_UP")
    assert code(exc) == "InvalidParameterException"


def test_a_pause_hook_can_roll_back_and_times_out_with_its_action(
    two_revisions: Any, fake: FakeECS
) -> None:
    ecs = two_revisions
    create(ecs)
    fake.advance(30)
    timed = {**HOOK, "timeoutConfiguration": {"timeoutInMinutes": 5, "action": "ROLLBACK"}}
    ecs.update_service(
        cluster=CLUSTER,
        service=SERVICE,
        taskDefinition=f"{FAMILY}:2",
        deploymentConfiguration={"lifecycleHooks": [timed]},
    )
    arn = deployments(ecs)[0]["serviceDeploymentArn"]
    fake.advance(10)
    assert _paused(ecs, arn)["expiresAt"] is not None
    fake.advance(5 * 60 + 60)
    sd = detail(ecs, arn)
    assert sd["lifecycleHookDetails"][0]["status"] == "TIMED_OUT"
    assert sd["status"] == "ROLLBACK_SUCCESSFUL"


def test_errors_name_what_was_wrong(two_revisions: Any, fake: FakeECS) -> None:
    ecs = two_revisions
    with pytest.raises(ClientError) as exc:
        ecs.list_service_deployments(cluster=CLUSTER, service="nope")
    assert code(exc) == "ServiceNotFoundException"
    with pytest.raises(ClientError) as exc:
        ecs.list_service_deployments(cluster="nope", service=SERVICE)
    assert code(exc) == "ClusterNotFoundException"
    create(ecs)
    with pytest.raises(ClientError) as exc:
        ecs.list_service_deployments(cluster=CLUSTER, service=SERVICE, maxResults=101)
    assert code(exc) == "InvalidParameterException"
    missing = f"arn:aws:ecs:us-east-1:123456789012:service-deployment/{CLUSTER}/{SERVICE}/nope"
    answer = ecs.describe_service_deployments(serviceDeploymentArns=[missing])
    assert answer["failures"] == [{"arn": missing, "reason": "MISSING"}]
    for call, key in (
        (ecs.describe_service_deployments, "serviceDeploymentArns"),
        (ecs.describe_service_revisions, "serviceRevisionArns"),
    ):
        with pytest.raises(ClientError) as exc:
            call(**{key: [missing] * 21})
        assert code(exc) == "InvalidParameterException"
    for call in (
        lambda: ecs.stop_service_deployment(serviceDeploymentArn=missing),
        lambda: ecs.continue_service_deployment(serviceDeploymentArn=missing, hookId="h"),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert code(exc) == "ServiceDeploymentNotFoundException"
    arn = deployments(ecs)[0]["serviceDeploymentArn"]
    with pytest.raises(ClientError) as exc:  # the first deployment has nothing to go back to
        ecs.stop_service_deployment(serviceDeploymentArn=arn)
    assert code(exc) == "ConflictException"
    with pytest.raises(ClientError) as exc:
        ecs.stop_service_deployment(serviceDeploymentArn=arn, stopType="ABORT")
    assert code(exc) == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId="h")
    assert code(exc) == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        ecs.update_service(
            cluster=CLUSTER,
            service=SERVICE,
            deploymentConfiguration={
                "lifecycleHooks": [{"targetType": "PAUSE", "lifecycleStages": []}]
            },
        )
    assert code(exc) == "InvalidParameterException"


def test_paging_and_created_at_filter(two_revisions: Any, fake: FakeECS) -> None:
    ecs = two_revisions
    create(ecs)
    for _ in range(3):
        fake.advance(30)
        ecs.update_service(cluster=CLUSTER, service=SERVICE, forceNewDeployment=True)
    first = ecs.list_service_deployments(cluster=CLUSTER, service=SERVICE, maxResults=3)
    rest = ecs.list_service_deployments(
        cluster=CLUSTER, service=SERVICE, nextToken=first["nextToken"]
    )
    every = first["serviceDeployments"] + rest["serviceDeployments"]
    assert len(every) == 4 and "nextToken" not in rest
    assert [d["createdAt"] for d in every] == sorted((d["createdAt"] for d in every), reverse=True)
    newest = every[0]["createdAt"]
    assert deployments(ecs, createdAt={"after": newest}) == [every[0]]
    assert len(deployments(ecs, createdAt={"before": newest})) == 4


def test_reset_forgets_deployments(two_revisions: Any, fake: FakeECS) -> None:
    create(two_revisions)
    arn = deployments(two_revisions)[0]["serviceDeploymentArn"]
    fake.reset()
    answer = client(fake).describe_service_deployments(serviceDeploymentArns=[arn])
    assert answer["failures"][0]["reason"] == "MISSING"


def test_deployments_survive_a_restart_and_move_on(tmp_path: Any) -> None:
    fake = FakeECS(clock="manual", seed=0, state=tmp_path / "state.json").start()
    try:
        ecs = client(fake)
        ecs.create_cluster(clusterName=CLUSTER)
        ecs.register_task_definition(**fargate_task_definition())
        ecs.register_task_definition(**fargate_task_definition())
        create(ecs)
        fake.advance(30)
        ecs.update_service(
            cluster=CLUSTER,
            service=SERVICE,
            taskDefinition=f"{FAMILY}:2",
            deploymentConfiguration={"lifecycleHooks": [HOOK]},
        )
        fake.advance(5)
        arn = deployments(ecs)[0]["serviceDeploymentArn"]
        before = detail(ecs, arn)
        fake = fake.restart()
        assert detail(ecs, arn) == before
        ecs.continue_service_deployment(
            serviceDeploymentArn=arn, hookId=_paused(ecs, arn)["hookId"]
        )
        fake.advance(60)
        ecs.continue_service_deployment(
            serviceDeploymentArn=arn, hookId=_paused(ecs, arn)["hookId"]
        )
        fake.advance(60)
        assert detail(ecs, arn)["status"] == "SUCCESSFUL"
    finally:
        fake.stop()
