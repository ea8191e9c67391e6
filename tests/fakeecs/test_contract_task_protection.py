"""Task scale-in protection through boto3 and through the agent endpoint: a protected task
is not stopped by its service's scale-in or deployment until protection is cleared or ends."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from fakeecs import FakeECS, agent_endpoint
from fakeecs.engine import Engine
from tests.fakeecs.conftest import (
    CLUSTER,
    FAMILY,
    client,
    fargate_task_definition,
    network,
    run,
)

SERVICE = "workers"


def create(ecs: Any, desired: int = 2) -> None:
    ecs.create_service(
        cluster=CLUSTER,
        serviceName=SERVICE,
        taskDefinition=f"{FAMILY}:1",
        desiredCount=desired,
        launchType="FARGATE",
        networkConfiguration=network(ecs),
    )


def running(ecs: Any) -> list[dict[str, Any]]:
    arns = ecs.list_tasks(cluster=CLUSTER, serviceName=SERVICE, desiredStatus="RUNNING")["taskArns"]
    return ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if arns else []


def code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return exc.value.response["Error"]["Code"]


def protect(ecs: Any, arn: str, **extra: Any) -> dict[str, Any]:
    return ecs.update_task_protection(cluster=CLUSTER, tasks=[arn], protectionEnabled=True, **extra)


def test_protection_lasts_120_minutes_by_default_and_then_ends(ecs: Any, fake: FakeECS) -> None:
    create(ecs, desired=1)
    fake.advance(30)
    [task] = running(ecs)
    answer = protect(ecs, task["taskArn"])
    [protected] = answer["protectedTasks"]
    assert protected["protectionEnabled"] is True
    now = ecs.describe_tasks(cluster=CLUSTER, tasks=[task["taskArn"]])["tasks"][0]["startedAt"]
    expiry = protected["expirationDate"].timestamp()
    assert expiry == pytest.approx(now.timestamp() - 30 + 30 + 120 * 60, abs=31)
    assert answer["failures"] == []
    fake.advance(120 * 60 + 1)
    [after] = ecs.get_task_protection(cluster=CLUSTER, tasks=[task["taskArn"]])["protectedTasks"]
    assert after == {"taskArn": task["taskArn"], "protectionEnabled": False}


def test_scale_in_leaves_a_protected_task_until_protection_is_cleared(
    ecs: Any, fake: FakeECS
) -> None:
    create(ecs, desired=2)
    fake.advance(30)
    keep, _other = running(ecs)
    protect(ecs, keep["taskArn"], expiresInMinutes=60)
    ecs.update_service(cluster=CLUSTER, service=SERVICE, desiredCount=0)
    fake.advance(60)
    assert [t["taskArn"] for t in running(ecs)] == [keep["taskArn"]]
    service = ecs.describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]
    assert (service["desiredCount"], service["runningCount"]) == (0, 1)
    ecs.update_task_protection(cluster=CLUSTER, tasks=[keep["taskArn"]], protectionEnabled=False)
    fake.advance(30)
    assert running(ecs) == []


def test_a_deployment_waits_for_a_protected_task_until_its_protection_expires(
    ecs: Any, fake: FakeECS
) -> None:
    ecs.register_task_definition(**fargate_task_definition())
    create(ecs, desired=1)
    fake.advance(30)
    [old] = running(ecs)
    protect(ecs, old["taskArn"], expiresInMinutes=10)
    ecs.update_service(cluster=CLUSTER, service=SERVICE, taskDefinition=f"{FAMILY}:2")
    arn = ecs.list_service_deployments(cluster=CLUSTER, service=SERVICE)["serviceDeployments"][0][
        "serviceDeploymentArn"
    ]
    fake.advance(5 * 60)
    sd = ecs.describe_service_deployments(serviceDeploymentArns=[arn])["serviceDeployments"][0]
    assert sd["status"] == "IN_PROGRESS"
    assert sd["targetServiceRevision"]["runningTaskCount"] == 1
    assert sd["sourceServiceRevisions"][0]["runningTaskCount"] == 1  # the protected one waits
    described = ecs.describe_tasks(cluster=CLUSTER, tasks=[old["taskArn"]])["tasks"][0]
    assert described["lastStatus"] == "RUNNING"
    fake.advance(5 * 60 + 60)
    sd = ecs.describe_service_deployments(serviceDeploymentArns=[arn])["serviceDeployments"][0]
    assert sd["status"] == "SUCCESSFUL"
    described = ecs.describe_tasks(cluster=CLUSTER, tasks=[old["taskArn"]])["tasks"][0]
    assert described["desiredStatus"] == "STOPPED"


def test_failures_for_unknown_standalone_and_stopped_tasks(ecs: Any, fake: FakeECS) -> None:
    create(ecs, desired=1)
    fake.advance(30)
    standalone = run(ecs)["tasks"][0]["taskArn"]
    [service_task] = running(ecs)
    ecs.stop_task(cluster=CLUSTER, task=service_task["taskArn"])
    fake.advance(60)
    missing = f"arn:aws:ecs:us-east-1:123456789012:task/{CLUSTER}/0123456789abcdef"
    answer = ecs.update_task_protection(
        cluster=CLUSTER,
        tasks=[missing.rsplit("/", 1)[-1], standalone, service_task["taskArn"]],
        protectionEnabled=True,
    )
    assert answer["protectedTasks"] == []
    reasons = {(f["arn"], f["reason"]) for f in answer["failures"]}
    assert reasons == {
        (missing, "MISSING"),
        (standalone, "TASK_NOT_VALID"),
        (service_task["taskArn"], "TASK_NOT_VALID"),
    }
    got = ecs.get_task_protection(cluster=CLUSTER, tasks=[standalone])
    assert got["failures"][0]["reason"] == "TASK_NOT_VALID"


def test_errors_name_what_was_wrong(ecs: Any, fake: FakeECS) -> None:
    create(ecs, desired=1)
    fake.advance(30)
    [task] = running(ecs)
    for minutes in (0, 2881):
        with pytest.raises(ClientError) as exc:
            protect(ecs, task["taskArn"], expiresInMinutes=minutes)
        assert code(exc) == "InvalidParameterException"
        assert "2880" in str(exc.value)
    protect(ecs, task["taskArn"], expiresInMinutes=2880)
    with pytest.raises(ClientError) as exc:
        ecs.update_task_protection(
            cluster=CLUSTER, tasks=[task["taskArn"]] * 11, protectionEnabled=True
        )
    assert code(exc) == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        ecs.update_task_protection(cluster="nope", tasks=[task["taskArn"]], protectionEnabled=True)
    assert code(exc) == "ClusterNotFoundException"
    with pytest.raises(ClientError) as exc:
        ecs.get_task_protection(cluster="nope")
    assert code(exc) == "ClusterNotFoundException"
    # without tasks: every protected task of the cluster
    [listed] = ecs.get_task_protection(cluster=CLUSTER)["protectedTasks"]
    assert listed["taskArn"] == task["taskArn"]


def test_protection_survives_a_restart_and_reset_forgets_it(tmp_path: Any) -> None:
    fake = FakeECS(clock="manual", seed=0, state=tmp_path / "state.json").start()
    try:
        ecs = client(fake)
        ecs.create_cluster(clusterName=CLUSTER)
        ecs.register_task_definition(**fargate_task_definition())
        create(ecs, desired=1)
        fake.advance(30)
        [task] = running(ecs)
        before = protect(ecs, task["taskArn"], expiresInMinutes=5)["protectedTasks"]
        fake = fake.restart()
        ecs.update_service(cluster=CLUSTER, service=SERVICE, desiredCount=0)
        fake.advance(60)
        assert (
            ecs.get_task_protection(cluster=CLUSTER, tasks=[task["taskArn"]])["protectedTasks"]
            == before
        )
        assert len(running(ecs)) == 1
        fake.advance(5 * 60)
        assert running(ecs) == []  # the expiry queued before the restart still fires
        fake.reset()
        ecs.create_cluster(clusterName=CLUSTER)
        assert ecs.get_task_protection(cluster=CLUSTER)["protectedTasks"] == []
    finally:
        fake.stop()


class _OneContainer:
    """The docker backend's view the agent endpoint needs: which task a key belongs to."""

    def __init__(self, task_arn: str) -> None:
        self.task_arn = task_arn

    def container_at(self, key: str) -> tuple[str, str] | None:
        return (self.task_arn, "main") if key == "k1" else None


def _agent(engine: Engine, source: Any, method: str, body: Any = None) -> tuple[int, Any]:
    raw = json.dumps(body).encode() if body is not None else b""
    return agent_endpoint.answer(engine, source, method, f"/api/k1{agent_endpoint.SUFFIX}", raw)


def test_a_container_protects_itself_through_the_agent_endpoint(ecs: Any, fake: FakeECS) -> None:
    create(ecs, desired=1)
    fake.advance(30)
    [task] = running(ecs)
    engine = fake.engine
    source = _OneContainer(task["taskArn"])
    status, answer = _agent(
        engine, source, "PUT", {"ProtectionEnabled": True, "ExpiresInMinutes": 60}
    )
    assert status == 200
    assert answer["protection"]["ProtectionEnabled"] is True
    assert answer["protection"]["TaskArn"] == task["taskArn"]
    assert answer["protection"]["ExpirationDate"].endswith("Z")
    [seen] = ecs.get_task_protection(cluster=CLUSTER, tasks=[task["taskArn"]])["protectedTasks"]
    assert seen["protectionEnabled"] is True
    status, answer = _agent(engine, source, "GET")
    assert (status, answer["protection"]["ProtectionEnabled"]) == (200, True)
    status, answer = _agent(engine, source, "PUT", {"ExpiresInMinutes": 60})
    assert (status, answer["error"]["Code"]) == (400, "InvalidRequest")
    status, answer = _agent(
        engine, source, "PUT", {"ProtectionEnabled": True, "ExpiresInMinutes": 0}
    )
    assert (status, answer["error"]["Code"]) == (400, "InvalidParameterException")
    status, _ = agent_endpoint.answer(
        engine, source, "GET", f"/api/other{agent_endpoint.SUFFIX}", b""
    )
    assert status == 404
    status, answer = _agent(engine, source, "PUT", {"ProtectionEnabled": False})
    assert answer["protection"] == {"ProtectionEnabled": False, "TaskArn": task["taskArn"]}


def test_the_agent_endpoint_is_served_over_http(ecs: Any, fake: FakeECS) -> None:
    request = urllib.request.Request(
        f"{fake.endpoint_url}/api/unknown-key{agent_endpoint.SUFFIX}", method="GET"
    )
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(request, timeout=10)
    assert exc.value.code == 404
    assert "unknown-key" in json.loads(exc.value.read())["error"]["Message"]
