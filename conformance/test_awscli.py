"""The AWS CLI (v1, from PyPI, pinned): waiters, paginators and every output format."""

from __future__ import annotations

import json
import math
import subprocess
from typing import Any

import pytest

from conformance import clients, scene
from conformance.report import DOC
from conformance.server import ServedFake

CLIENT = clients.AWS_CLI
API = DOC + "APIReference/"
CLI_ERROR_EXIT = 255  # the CLI's exit status for a service error or a failed waiter
WAITERS = DOC + "developerguide/" + "ecs_services.html"


def aws(env: dict[str, str], *args: str, output: str = "json") -> subprocess.CompletedProcess[str]:
    argv = [str(clients.executable(CLIENT, "aws")), "--output", output, *args]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False)


def aws_json(env: dict[str, str], *args: str) -> Any:
    done = aws(env, *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None


def start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    argv = [str(clients.executable(CLIENT, "aws")), *args]
    return subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    _, stderr = process.communicate(timeout=300)
    return process.returncode, stderr


# -- waiters: the CLI polls on its own interval; time moves only after it has looked once ----------


@pytest.mark.ecs_doc(
    API + "API_DescribeTasks.html", DOC + "developerguide/task-lifecycle-explanation.html"
)
def test_wait_tasks_running(fake: ServedFake, env: dict[str, str]) -> None:
    """`ecs wait tasks-running` returns once a PROVISIONING task reaches RUNNING"""
    scene.fargate_world(fake)
    fake.control.behaviour(scene.FAMILY, runSeconds=600)
    (arn,) = scene.run_tasks(fake)
    waiter = start(env, "ecs", "wait", "tasks-running", "--cluster", scene.CLUSTER, "--tasks", arn)
    fake.wait_for_calls("DescribeTasks", 1)
    fake.control.advance(10)
    status, stderr = finish(waiter)
    assert status == 0, stderr
    assert len(fake.calls("DescribeTasks")) >= 2, "the first poll must not have seen RUNNING"


@pytest.mark.ecs_doc(
    API + "API_DescribeTasks.html", DOC + "developerguide/stopped-task-errors.html"
)
def test_wait_tasks_running_fails_on_stopped(fake: ServedFake, env: dict[str, str]) -> None:
    """`ecs wait tasks-running` fails (exit 255) when the task stops before it runs"""
    scene.fargate_world(fake)
    fake.control.behaviour(scene.FAMILY, failToStart=True)
    (arn,) = scene.run_tasks(fake)
    waiter = start(env, "ecs", "wait", "tasks-running", "--cluster", scene.CLUSTER, "--tasks", arn)
    fake.wait_for_calls("DescribeTasks", 1)
    fake.control.advance(60)
    status, stderr = finish(waiter)
    assert status == CLI_ERROR_EXIT
    assert "terminal failure state" in stderr


@pytest.mark.ecs_doc(
    API + "API_DescribeTasks.html", DOC + "developerguide/task-lifecycle-explanation.html"
)
def test_wait_tasks_stopped(fake: ServedFake, env: dict[str, str]) -> None:
    """`ecs wait tasks-stopped` returns once every task is STOPPED"""
    scene.fargate_world(fake)
    fake.control.behaviour(scene.FAMILY, runSeconds=30, exitCode=0)
    arns = scene.run_tasks(fake, count=2)
    waiter = start(
        env, "ecs", "wait", "tasks-stopped", "--cluster", scene.CLUSTER, "--tasks", *arns
    )
    fake.wait_for_calls("DescribeTasks", 1)
    fake.control.advance(120)
    status, stderr = finish(waiter)
    assert status == 0, stderr
    tasks = aws_json(env, "ecs", "describe-tasks", "--cluster", scene.CLUSTER, "--tasks", *arns)
    assert {t["lastStatus"] for t in tasks["tasks"]} == {"STOPPED"}
    assert {t["stopCode"] for t in tasks["tasks"]} == {"EssentialContainerExited"}


@pytest.mark.slow
@pytest.mark.ecs_doc(API + "API_DescribeServices.html", API + "API_CreateService.html")
def test_wait_services_stable(fake: ServedFake, env: dict[str, str]) -> None:
    """`ecs wait services-stable` returns once runningCount reaches desiredCount"""
    scene.fargate_world(fake)
    scene.service(fake, desired=2)
    waiter = start(
        env, "ecs", "wait", "services-stable", "--cluster", scene.CLUSTER, "--services", "api"
    )
    fake.wait_for_calls("DescribeServices", 1)
    fake.control.advance(60)
    status, stderr = finish(waiter)
    assert status == 0, stderr
    (svc,) = aws_json(
        env, "ecs", "describe-services", "--cluster", scene.CLUSTER, "--services", "api"
    )["services"]
    assert (svc["runningCount"], svc["desiredCount"], len(svc["deployments"])) == (2, 2, 1)


@pytest.mark.slow
@pytest.mark.ecs_doc(API + "API_DeleteService.html")
def test_wait_services_inactive(fake: ServedFake, env: dict[str, str]) -> None:
    """`ecs wait services-inactive` returns once a deleted service has drained (DRAINING, then INACTIVE)"""
    scene.fargate_world(fake)
    scene.service(fake, desired=2)
    fake.control.advance(60)
    deleted = aws_json(
        env, "ecs", "delete-service", "--cluster", scene.CLUSTER, "--service", "api", "--force"
    )
    assert deleted["service"]["status"] == "DRAINING"
    waiter = start(
        env, "ecs", "wait", "services-inactive", "--cluster", scene.CLUSTER, "--services", "api"
    )
    fake.wait_for_calls("DescribeServices", 1)
    fake.control.advance(120)
    status, stderr = finish(waiter)
    assert status == 0, stderr


# -- paginators ------------------------------------------------------------------------------------


@pytest.mark.ecs_doc(
    API + "API_ListTaskDefinitions.html",
    "https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-pagination.html",
)
def test_max_items_and_starting_token(fake: ServedFake, env: dict[str, str]) -> None:
    """--max-items pages with NextToken, --starting-token resumes, the pages make the whole list"""
    for n in range(5):
        scene.task_definition(fake, image=f"example/web:{n}")
    everything = aws_json(env, "ecs", "list-task-definitions")["taskDefinitionArns"]
    assert [a.rsplit(":", 1)[1] for a in everything] == ["1", "2", "3", "4", "5"]
    pages, token = [], None
    while True:
        args = ["ecs", "list-task-definitions", "--max-items", "2"]
        page = aws_json(env, *args, *(["--starting-token", token] if token else []))
        pages.append(page["taskDefinitionArns"])
        token = page.get("NextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [a for p in pages for a in p] == everything


@pytest.mark.ecs_doc(API + "API_ListTasks.html")
def test_page_size(fake: ServedFake, env: dict[str, str]) -> None:
    """--page-size sets maxResults: ECS answers that many per page and the CLI follows nextToken"""
    scene.fargate_world(fake)
    fake.control.behaviour(scene.FAMILY, runSeconds=600)
    arns = scene.run_tasks(fake, count=5)
    listed = aws_json(env, "ecs", "list-tasks", "--cluster", scene.CLUSTER, "--page-size", "2")
    assert sorted(listed["taskArns"]) == sorted(arns)
    calls = fake.calls("ListTasks")
    assert len(calls) == math.ceil(len(arns) / 2)
    assert all(c["params"].get("maxResults") == 2 for c in calls)


@pytest.mark.ecs_doc(API + "API_ListClusters.html", API + "API_ListServices.html")
def test_paginate_clusters_and_services(fake: ServedFake, env: dict[str, str]) -> None:
    """list-clusters and list-services page one by one through every cluster and service"""
    scene.fargate_world(fake)
    for name in ("b", "c"):
        scene.cluster(fake, name)
    for name in ("s1", "s2", "s3"):
        scene.service(fake, name=name, desired=0)
    clusters = aws_json(env, "ecs", "list-clusters", "--page-size", "1")["clusterArns"]
    assert sorted(a.rsplit("/", 1)[1] for a in clusters) == ["b", "c", scene.CLUSTER]
    first = aws_json(env, "ecs", "list-services", "--cluster", scene.CLUSTER, "--max-items", "1")
    rest = aws_json(
        env,
        "ecs",
        "list-services",
        "--cluster",
        scene.CLUSTER,
        "--starting-token",
        first["NextToken"],
    )
    names = [a.rsplit("/", 1)[1] for a in first["serviceArns"] + rest["serviceArns"]]
    assert sorted(names) == ["s1", "s2", "s3"] and len(set(names)) == 3


# -- output formats -------------------------------------------------------------------------------


def _describe_commands(fake: ServedFake) -> dict[str, list[str]]:
    scene.fargate_world(fake)
    fake.control.behaviour(scene.FAMILY, runSeconds=600)
    (arn,) = scene.run_tasks(fake)
    scene.service(fake, desired=1)
    fake.control.advance(10)
    c = ["--cluster", scene.CLUSTER]
    return {
        "describe-tasks": ["ecs", "describe-tasks", *c, "--tasks", arn],
        "describe-services": ["ecs", "describe-services", *c, "--services", "api"],
        "describe-clusters": ["ecs", "describe-clusters", "--clusters", scene.CLUSTER],
        "describe-task-definition": ["ecs", "describe-task-definition", "--task-definition", "web"],
        "list-tasks": ["ecs", "list-tasks", *c],
        "list-services": ["ecs", "list-services", *c],
        "list-clusters": ["ecs", "list-clusters"],
        "list-task-definitions": ["ecs", "list-task-definitions"],
    }


def _scalars(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _scalars(v)]
    if isinstance(value, list):
        return [s for v in value for s in _scalars(v)]
    if isinstance(value, bool):
        return [str(value)]
    return [str(value)]


@pytest.mark.ecs_doc(
    API + "API_DescribeTasks.html",
    API + "API_DescribeServices.html",
    API + "API_DescribeClusters.html",
    API + "API_DescribeTaskDefinition.html",
)
@pytest.mark.parametrize(
    "output",
    [  # text (checked against json) stays in the fast subset; the other two only in the full run
        pytest.param("json", marks=pytest.mark.slow),
        "text",
        pytest.param("table", marks=pytest.mark.slow),
    ],
)
def test_output_formats(fake: ServedFake, env: dict[str, str], output: str) -> None:
    """describe-* and list-* render in this format, every value the API returned included"""
    for name, command in _describe_commands(fake).items():
        as_json = aws_json(env, *command)
        done = aws(env, *command, output=output)
        assert done.returncode == 0, f"{name}: {done.stderr}"
        if output == "json":
            _assert_wire_types(name, as_json)
            continue
        flat = "".join(done.stdout.split())
        missing = [s for s in _scalars(as_json) if "".join(s.split()) not in flat]
        assert not missing, f"{name} --output {output} lost {missing[:5]}"


def _assert_wire_types(name: str, answer: dict[str, Any]) -> None:
    """Timestamps are epoch seconds (numbers) on the AWS JSON protocol; ARNs use the long format."""
    for key in ("tasks", "services", "clusters"):
        for item in answer.get(key, []):
            for stamp in ("createdAt", "startedAt", "pullStartedAt"):
                if stamp in item:
                    assert isinstance(item[stamp], int | float), f"{name}: {stamp} {item[stamp]!r}"
            if key == "tasks":
                assert item["taskArn"].startswith(
                    f"arn:aws:ecs:us-east-1:123456789012:task/{scene.CLUSTER}/"
                )
            if key == "services":
                assert item["serviceArn"].endswith(f"service/{scene.CLUSTER}/api")


@pytest.mark.ecs_doc(API + "API_ListTasks.html")
def test_text_output_rows(fake: ServedFake, env: dict[str, str]) -> None:
    """list-tasks --output text prints one TASKARNS row per task; --query picks a field"""
    scene.fargate_world(fake)
    fake.control.behaviour(scene.FAMILY, runSeconds=600)
    arns = scene.run_tasks(fake, count=3)
    fake.control.advance(10)
    done = aws(env, "ecs", "list-tasks", "--cluster", scene.CLUSTER, output="text")
    rows = [line.split("\t") for line in done.stdout.splitlines()]
    assert sorted(rows) == sorted(["TASKARNS", a] for a in arns)
    status = aws(
        env,
        "ecs",
        "describe-tasks",
        "--cluster",
        scene.CLUSTER,
        "--tasks",
        arns[0],
        "--query",
        "tasks[0].[lastStatus,desiredStatus]",
        output="text",
    )
    assert status.stdout.split() == ["RUNNING", "RUNNING"]


@pytest.mark.ecs_doc(API + "API_DescribeServices.html", API + "CommonErrors.html")
def test_error_reaches_the_user(fake: ServedFake, env: dict[str, str]) -> None:
    """An ECS error is printed with its code and message and exits 255"""
    done = aws(env, "ecs", "describe-services", "--cluster", "nowhere", "--services", "api")
    assert done.returncode == CLI_ERROR_EXIT
    assert "(ClusterNotFoundException) when calling the DescribeServices operation" in done.stderr
    assert "Cluster not found." in done.stderr
