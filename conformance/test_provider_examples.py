"""The Amazon provider's own ECS system-test DAGs (example_ecs, example_ecs_fargate), unchanged.

They come from the Airflow repository with their licence (conformance/provider/dags/). Only what
needs an AWS account is supplied from outside (conformance/provider/scaffold/, listed in
docs/conformance-suite.md): the variables a system test reads (an existing EC2 cluster, subnets,
security groups), the watcher and get_test_run. The containers' outcomes are fakeecs behaviours.
All variants run with dag.test() in one Airflow process (conformance/provider/run_examples.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance import clients
from conformance.server import ClockDriver, ServedFake, default_network

CLIENT = clients.PROVIDER_EXAMPLES
DOC = "https://docs.aws.amazon.com/AmazonECS/latest/"
API = DOC + "APIReference/"
GUIDE = DOC + "developerguide/"
EC2_CLUSTER = "conformance-ec2"
PULL_ERROR = "CannotPullContainerError: pull image manifest has been retried 5 time(s): not found"
AIRFLOW_HOME = clients.BUILD / "airflow"

pytestmark = pytest.mark.slow

#: name -> (DAG module, family suffix, container suffix, behaviour)
VARIANTS: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    "ecsok": (
        "example_ecs",
        "task-definition",
        "container",
        {"runSeconds": 5, "logLines": ["hello world"]},
    ),
    "ecsexit": (
        "example_ecs",
        "task-definition",
        "container",
        {"runSeconds": 5, "exitCode": 1, "logLines": ["hello world", "boom"]},
    ),
    "ecsnostart": ("example_ecs", "task-definition", "container", {"failToStart": PULL_ERROR}),
    "ecsquiet": ("example_ecs", "task-definition", "container", {"runSeconds": 5, "logLines": []}),
    "fargateok": ("example_ecs_fargate", "test-definition", "test-container", {"runSeconds": 5}),
}


def _ec2_cluster(fake: ServedFake) -> None:
    """The 'EC2 Linux + Networking' cluster example_ecs expects to exist: one container instance."""
    ecs, ec2 = fake.client(), fake.client("ec2")
    ecs.create_cluster(clusterName=EC2_CLUSTER)
    instance = ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.large"
    )["Instances"][0]
    document = {
        "instanceId": instance["InstanceId"],
        "instanceType": instance["InstanceType"],
        "availabilityZone": instance["Placement"]["AvailabilityZone"],
        "region": "us-east-1",
        "accountId": "123456789012",
        "imageId": instance["ImageId"],
        "privateIp": instance.get("PrivateIpAddress"),
    }
    ecs.register_container_instance(
        cluster=EC2_CLUSTER,
        instanceIdentityDocument=json.dumps(document),
        instanceIdentityDocumentSignature="conformance",
    )


@pytest.fixture(scope="module")
def runs(_manual_fake: ServedFake, client_home: Path) -> dict[str, dict[str, Any]]:
    fake = _manual_fake
    fake.control.reset()
    _ec2_cluster(fake)
    awsvpc = default_network(fake)["awsvpcConfiguration"]
    variants = []
    for name, (dag, family, container, behaviour) in VARIANTS.items():
        fake.control.behaviour(f"{name}-{family}", f"{name}-{container}", **behaviour)
        env = {
            "SYSTEM_TESTS_ENV_ID": name,
            "CLUSTER_NAME": EC2_CLUSTER,
            "SUBNETS": ",".join(awsvpc["subnets"]),
            "SECURITY_GROUPS": ",".join(awsvpc["securityGroups"]),
        }
        variants.append({"name": name, "dag": dag, "env": env})
    env = fake.environment(client_home)
    env["AIRFLOW_CONN_AWS_DEFAULT"] = '{"conn_type": "aws"}'
    argv = [
        sys.executable,
        "-m",
        "conformance.provider.run_examples",
        str(AIRFLOW_HOME),
        json.dumps(variants),
    ]
    with ClockDriver(fake, "RunTask", 120):
        done = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=900, check=False
        )
    assert done.returncode == 0, done.stderr[-5000:]
    outcomes = json.loads(done.stdout.strip().splitlines()[-1])
    return {o["name"]: {**o, "fake": fake} for o in outcomes}


def _ecs_task(run: dict[str, Any], cluster: str) -> dict[str, Any]:
    fake: ServedFake = run["fake"]
    started = [
        c
        for c in fake.calls("RunTask")
        if c["params"]["taskDefinition"].split("/")[-1].startswith(run["name"])
    ]
    assert len(started) == 1, f"{run['name']}: {len(started)} RunTask calls"
    arns = fake.client().list_tasks(
        cluster=cluster, startedBy=started[0]["params"]["startedBy"], desiredStatus="STOPPED"
    )["taskArns"]
    return fake.client().describe_tasks(cluster=cluster, tasks=arns)["tasks"][0]


BODY_ECS = ["create_cluster", "await_cluster", "register_task", "await_task_definition"]
TEARDOWN_ECS = ["deregister_task", "delete_cluster", "await_delete_cluster"]


@pytest.mark.ecs_doc(
    API + "API_RunTask.html", API + "API_DeleteCluster.html", GUIDE + "using_awslogs.html"
)
def test_example_ecs(runs: dict[str, dict[str, Any]]) -> None:
    """example_ecs: every task succeeds; run_task returns the container's last log line"""
    run = runs["ecsok"]
    assert run["state"] == "success", run["tasks"]
    assert all(
        run["tasks"][t] == "success" for t in ["run_task", "clean_logs", *BODY_ECS, *TEARDOWN_ECS]
    )
    assert run["returned"]["run_task"] == "hello world"
    task = _ecs_task(run, EC2_CLUSTER)
    assert task["launchType"] == "EC2"  # no launch type, no default capacity provider strategy
    assert task["containers"][0]["exitCode"] == 0


@pytest.mark.ecs_doc(
    API + "API_RunTask.html", API + "API_DescribeTasks.html", API + "API_Container.html"
)
def test_example_ecs_exit_code(runs: dict[str, dict[str, Any]]) -> None:
    """example_ecs, the container exits 1: run_task fails, the teardown still runs, the run fails"""
    run = runs["ecsexit"]
    assert run["state"] == "failed"
    assert run["tasks"]["run_task"] == "failed"
    assert all(run["tasks"][t] == "success" for t in TEARDOWN_ECS)
    task = _ecs_task(run, EC2_CLUSTER)
    assert (task["stopCode"], task["containers"][0]["exitCode"]) == ("EssentialContainerExited", 1)


@pytest.mark.ecs_doc(GUIDE + "stopped-task-errors.html", API + "API_Task.html")
def test_example_ecs_fails_to_start(runs: dict[str, dict[str, Any]]) -> None:
    """example_ecs, the image cannot be pulled: run_task fails on TaskFailedToStart, the run fails"""
    run = runs["ecsnostart"]
    assert run["state"] == "failed"
    assert run["tasks"]["run_task"] == "failed"
    task = _ecs_task(run, EC2_CLUSTER)
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"].startswith("CannotPullContainerError")
    assert "exitCode" not in task["containers"][0]


@pytest.mark.ecs_doc(GUIDE + "using_awslogs.html", API + "API_LogConfiguration.html")
def test_example_ecs_no_output(runs: dict[str, dict[str, Any]]) -> None:
    """example_ecs, the container writes nothing: the run succeeds (awslogs made group and stream)"""
    run = runs["ecsquiet"]
    assert run["state"] == "success", run["tasks"]
    assert run["tasks"]["run_task"] == "success" and run["tasks"]["clean_logs"] == "success"
    assert run["returned"]["run_task"] is None


@pytest.mark.ecs_doc(
    API + "API_RunTask.html", API + "API_DescribeTasks.html", API + "API_DeleteCluster.html"
)
def test_example_ecs_fargate(runs: dict[str, dict[str, Any]]) -> None:
    """example_ecs_fargate: the Fargate task runs, the sensor sees it STOPPED, teardown succeeds"""
    run = runs["fargateok"]
    assert run["state"] == "success", run["tasks"]
    assert all(state == "success" for task, state in run["tasks"].items() if task != "watcher")
    (call,) = [
        c
        for c in run["fake"].calls("RunTask")
        if c["params"]["cluster"] == "fargateok-test-cluster"
    ]
    assert call["params"]["launchType"] == "FARGATE" and call["status"] == 200
