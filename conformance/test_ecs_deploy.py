"""ecs-deploy (PyPI, pinned): register, deploy, scale, roll back and run, as a deployment tool does.

ecs-deploy polls every wall-clock second, so these checks use the fake with a clock that runs
30 times faster than the wall clock: a second of polling is half a virtual minute.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from conformance import clients, scene
from conformance.report import DOC
from conformance.server import ServedFake, default_network

CLIENT = clients.ECS_DEPLOY
API = DOC + "APIReference/"
GUIDE = DOC + "developerguide/"
STEADY_TIMEOUT = 120.0


def ecs(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    argv = [str(clients.executable(CLIENT, "ecs")), *args]
    return subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def outcome(process: subprocess.Popen[str]) -> tuple[int, str]:
    output, _ = process.communicate(timeout=300)
    return process.returncode, output


@pytest.fixture
def deploy_env(scaled_fake: ServedFake, client_home: Path) -> dict[str, str]:
    return scaled_fake.environment(client_home)


def _service(fake: ServedFake, name: str = "api") -> dict[str, Any]:
    return fake.client().describe_services(cluster=scene.CLUSTER, services=[name])["services"][0]


def _steady(fake: ServedFake, desired: int, family_revision: str = "web:1") -> None:
    def settled() -> bool:
        svc = _service(fake)
        return (
            svc["runningCount"] == desired
            and len(svc["deployments"]) == 1
            and svc["taskDefinition"].endswith(family_revision)
        )

    fake.wait_for(
        settled, f"the service to run {desired} task(s) of {family_revision}", STEADY_TIMEOUT
    )


@pytest.fixture
def running_service(scaled_fake: ServedFake) -> ServedFake:
    scene.fargate_world(scaled_fake)
    scene.service(scaled_fake, desired=2)
    _steady(scaled_fake, 2)
    return scaled_fake


@pytest.mark.ecs_doc(
    API + "API_RegisterTaskDefinition.html",
    API + "API_UpdateService.html",
    GUIDE + "deployment-type-ecs.html",
)
def test_deploy_new_image(running_service: ServedFake, deploy_env: dict[str, str]) -> None:
    """deploy: registers revision 2 with the new image, rolls the service onto it, reports success"""
    fake = running_service
    status, output = outcome(
        ecs(
            deploy_env,
            "deploy",
            scene.CLUSTER,
            "api",
            "--image",
            "main",
            "example/web:2",
            "--timeout",
            "90",
        )
    )
    assert status == 0, output
    assert "Successfully created revision: 2" in output and "Deployment successful" in output
    svc = _service(fake)
    assert svc["taskDefinition"].endswith("task-definition/web:2")
    assert (svc["runningCount"], len(svc["deployments"])) == (2, 1)
    tasks = fake.client().list_tasks(
        cluster=scene.CLUSTER, serviceName="api", desiredStatus="RUNNING"
    )
    described = fake.client().describe_tasks(cluster=scene.CLUSTER, tasks=tasks["taskArns"])[
        "tasks"
    ]
    assert {t["taskDefinitionArn"].rsplit("/", 1)[1] for t in described} == {"web:2"}
    image = fake.client().describe_task_definition(taskDefinition="web:2")["taskDefinition"]
    assert image["containerDefinitions"][0]["image"] == "example/web:2"


@pytest.mark.ecs_doc(API + "API_DeregisterTaskDefinition.html", API + "API_UpdateService.html")
def test_deploy_deregisters_previous(
    running_service: ServedFake, deploy_env: dict[str, str]
) -> None:
    """deploy --deregister: the previous revision becomes INACTIVE once the new one runs"""
    fake = running_service
    status, output = outcome(
        ecs(
            deploy_env,
            "deploy",
            scene.CLUSTER,
            "api",
            "--tag",
            "v2",
            "--deregister",
            "--timeout",
            "90",
        )
    )
    assert status == 0, output
    old = fake.client().describe_task_definition(taskDefinition="web:1")["taskDefinition"]
    assert old["status"] == "INACTIVE"
    assert (
        fake.client()
        .list_task_definitions(familyPrefix="web")["taskDefinitionArns"][-1]
        .endswith("web:2")
    )


@pytest.mark.ecs_doc(API + "API_UpdateService.html", API + "API_DescribeServices.html")
def test_scale(running_service: ServedFake, deploy_env: dict[str, str]) -> None:
    """scale: desiredCount 4, waits until four tasks run, reports success"""
    status, output = outcome(ecs(deploy_env, "scale", scene.CLUSTER, "api", "4", "--timeout", "90"))
    assert status == 0, output
    assert "Scaling successful" in output
    svc = _service(running_service)
    assert (svc["desiredCount"], svc["runningCount"]) == (4, 4)


@pytest.mark.ecs_doc(
    GUIDE + "stopped-task-errors.html",
    API + "API_UpdateService.html",
    GUIDE + "deployment-type-ecs.html",
)
def test_rollback(running_service: ServedFake, deploy_env: dict[str, str]) -> None:
    """deploy --rollback: a revision whose tasks cannot start is rolled back to the previous one"""
    fake = running_service
    fake.control.behaviour(scene.FAMILY, failToStart=True)
    deploying = ecs(
        deploy_env,
        "deploy",
        scene.CLUSTER,
        "api",
        "--image",
        "main",
        "example/web:broken",
        "--timeout",
        "20",
        "--rollback",
    )
    fake.wait_for_calls("UpdateService", 2, timeout=120)  # the deploy, then the rollback
    fake.control.behaviour(scene.FAMILY, runSeconds=scene.LONG_RUNNING)
    status, output = outcome(deploying)
    assert status == 1, output
    assert "Rolling back to task definition: web:1" in output and "Rollback successful" in output
    _steady(fake, 2, "web:1")
    broken = fake.client().describe_task_definition(taskDefinition="web:2")["taskDefinition"]
    assert broken["status"] == "INACTIVE"
    stopped = fake.client().list_tasks(cluster=scene.CLUSTER, desiredStatus="STOPPED")["taskArns"]
    reasons = {
        t["stopCode"]
        for t in fake.client().describe_tasks(cluster=scene.CLUSTER, tasks=stopped[:100])["tasks"]
    }
    assert "TaskFailedToStart" in reasons


@pytest.mark.slow
@pytest.mark.ecs_doc(GUIDE + "service-throttle-logic.html")
def test_failing_deploy_fails_on_throttle_event(
    running_service: ServedFake, deploy_env: dict[str, str]
) -> None:
    """deploy of tasks that never start fails on ECS's 'unable to consistently start tasks' event, before its timeout"""
    running_service.control.behaviour(scene.FAMILY, failToStart=True)
    status, output = outcome(
        ecs(
            deploy_env,
            "deploy",
            scene.CLUSTER,
            "api",
            "--image",
            "main",
            "example/web:broken",
            "--timeout",
            "60",
        )
    )
    assert status == 1, output
    assert "is unable to consistently start tasks successfully" in output
    assert "due to timeout" not in output


@pytest.mark.ecs_doc(API + "API_RunTask.html")
def test_run(scaled_fake: ServedFake, deploy_env: dict[str, str]) -> None:
    """run: starts two Fargate tasks of the family's latest revision in the given subnet and group"""
    scene.fargate_world(scaled_fake)
    awsvpc = default_network(scaled_fake)["awsvpcConfiguration"]
    status, output = outcome(
        ecs(
            deploy_env,
            "run",
            scene.CLUSTER,
            "web",
            "2",
            "--launchtype",
            "FARGATE",
            "--subnet",
            awsvpc["subnets"][0],
            "--securitygroup",
            awsvpc["securityGroups"][0],
        )
    )
    assert status == 0, output
    arns = scaled_fake.client().list_tasks(cluster=scene.CLUSTER)["taskArns"]
    assert len(arns) == 2
    task = scaled_fake.client().describe_tasks(cluster=scene.CLUSTER, tasks=arns)["tasks"][0]
    assert task["launchType"] == "FARGATE" and task["taskDefinitionArn"].endswith("web:1")
    eni = next(a for a in task["attachments"] if a["type"] == "ElasticNetworkInterface")
    details = {d["name"]: d["value"] for d in eni["details"]}
    assert details["subnetId"] == awsvpc["subnets"][0]
