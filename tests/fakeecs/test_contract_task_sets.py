"""Task sets of services with the EXTERNAL deployment controller, through boto3.

A task set keeps ceil(desiredCount * scale / 100) tasks as the clock moves; the service
shows its task sets (no deployments) and takes the PRIMARY one's settings.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakeecs import moto_backend
from fakeecs.engine import Engine
from fakeecs.wire import call
from tests.fakeecs.conftest import CLUSTER, client, fargate_task_definition, network

SERVICE = "web"
ID = re.compile(r"^ecs-svc/\d{19}$")


def code_of(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return exc.value.response["Error"]["Code"]


@pytest.fixture
def svc(ecs: Any) -> Any:
    """`ecs` with an EXTERNAL service `web` that wants 4 tasks."""
    ecs.create_service(
        cluster=CLUSTER,
        serviceName=SERVICE,
        desiredCount=4,
        deploymentController={"type": "EXTERNAL"},
    )
    return ecs


def create_set(ecs: Any, value: float | None = 100.0, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "cluster": CLUSTER,
        "service": SERVICE,
        "taskDefinition": "worker",
        "launchType": "FARGATE",
        "networkConfiguration": network(ecs),
        **extra,
    }
    if value is not None:
        params["scale"] = {"value": value, "unit": "PERCENT"}
    return ecs.create_task_set(**params)["taskSet"]


def task_set(ecs: Any, ref: str) -> dict[str, Any]:
    return ecs.describe_task_sets(cluster=CLUSTER, service=SERVICE, taskSets=[ref])["taskSets"][0]


def service(ecs: Any) -> dict[str, Any]:
    return ecs.describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]


def running_tasks(ecs: Any) -> list[dict[str, Any]]:
    arns = ecs.list_tasks(cluster=CLUSTER, serviceName=SERVICE)["taskArns"]
    return ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if arns else []


def test_an_external_service_starts_nothing_and_shows_task_sets_not_deployments(
    fake: Any, svc: Any
) -> None:
    described = service(svc)
    assert described["deploymentController"] == {"type": "EXTERNAL"}
    assert described["taskSets"] == []
    assert "deployments" not in described
    assert "taskDefinition" not in described and "launchType" not in described
    assert described["desiredCount"] == 4
    fake.advance(30)
    assert svc.list_tasks(cluster=CLUSTER, serviceName=SERVICE)["taskArns"] == []


def test_a_new_task_set_is_active_at_zero_percent_and_steady_once_looked_at(
    fake: Any, svc: Any
) -> None:
    created = create_set(svc, value=None)
    assert ID.match(created["id"])
    assert created["taskSetArn"] == (
        f"arn:aws:ecs:us-east-1:123456789012:task-set/{CLUSTER}/{SERVICE}/{created['id']}"
    )
    assert created["status"] == "ACTIVE"
    assert created["scale"] == {"value": 0.0, "unit": "PERCENT"}
    assert created["computedDesiredCount"] == 0
    assert created["launchType"] == "FARGATE" and created["platformVersion"] == "1.4.0"
    assert created["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "DISABLED"
    assert created["taskDefinition"].endswith(":task-definition/worker:1")
    assert created["stabilityStatus"] == "STABILIZING"
    assert "startedBy" not in created
    fake.advance(2)
    assert task_set(svc, created["id"])["stabilityStatus"] == "STEADY_STATE"


def test_a_task_set_keeps_its_share_of_the_desired_count_rounded_up(fake: Any, svc: Any) -> None:
    created = create_set(svc, value=30.0)  # 4 * 30% = 1.2 -> 2
    assert created["computedDesiredCount"] == 2
    fake.advance(10)
    now = task_set(svc, created["taskSetArn"])
    assert (now["runningCount"], now["pendingCount"]) == (2, 0)
    assert now["stabilityStatus"] == "STEADY_STATE"
    assert now["stabilityStatusAt"] > now["createdAt"]
    tasks = running_tasks(svc)
    assert len(tasks) == 2
    assert {t["startedBy"] for t in tasks} == {created["id"]}
    assert {t["group"] for t in tasks} == {f"service:{SERVICE}"}
    assert service(svc)["runningCount"] == 2

    svc.update_task_set(
        cluster=CLUSTER, service=SERVICE, taskSet=created["id"], scale={"value": 100.0}
    )
    assert task_set(svc, created["id"])["stabilityStatus"] == "STABILIZING"
    fake.advance(10)
    assert task_set(svc, created["id"])["runningCount"] == 4
    svc.update_service(cluster=CLUSTER, service=SERVICE, desiredCount=1)
    fake.advance(10)
    now = task_set(svc, created["id"])
    assert (now["computedDesiredCount"], now["runningCount"]) == (1, 1)
    assert len(running_tasks(svc)) == 1


def test_a_task_that_stops_is_replaced(fake: Any, svc: Any) -> None:
    created = create_set(svc, value=50.0)
    fake.advance(10)
    victim = running_tasks(svc)[0]["taskArn"]
    svc.stop_task(cluster=CLUSTER, task=victim)
    fake.advance(10)
    tasks = running_tasks(svc)
    assert len(tasks) == 2 and victim not in {t["taskArn"] for t in tasks}
    assert task_set(svc, created["id"])["runningCount"] == 2


def test_the_primary_task_set_gives_the_service_its_settings(fake: Any, svc: Any) -> None:
    svc.register_task_definition(**fargate_task_definition())  # worker:2
    blue = create_set(svc, taskDefinition="worker:1")
    green = create_set(svc, value=0.0, taskDefinition="worker:2", externalId="green")
    answer = svc.update_service_primary_task_set(
        cluster=CLUSTER, service=SERVICE, primaryTaskSet=blue["taskSetArn"]
    )["taskSet"]
    assert answer["status"] == "PRIMARY"
    described = service(svc)
    assert described["taskDefinition"].endswith("worker:1")
    assert described["launchType"] == "FARGATE"
    assert described["networkConfiguration"] == blue["networkConfiguration"]

    svc.update_service_primary_task_set(
        cluster=CLUSTER, service=SERVICE, primaryTaskSet=green["id"]
    )
    statuses = {ts["id"]: ts["status"] for ts in service(svc)["taskSets"]}
    assert statuses == {blue["id"]: "ACTIVE", green["id"]: "PRIMARY"}
    assert service(svc)["taskDefinition"].endswith("worker:2")
    assert task_set(svc, green["id"])["externalId"] == "green"


def test_deleting_a_task_set_drains_its_tasks_then_it_is_gone(fake: Any, svc: Any) -> None:
    created = create_set(svc, value=50.0)
    svc.update_service_primary_task_set(
        cluster=CLUSTER, service=SERVICE, primaryTaskSet=created["id"]
    )
    fake.advance(10)
    with pytest.raises(ClientError) as exc:
        svc.delete_task_set(cluster=CLUSTER, service=SERVICE, taskSet=created["id"])
    assert code_of(exc) == "InvalidParameterException"
    assert "PRIMARY" in exc.value.response["Error"]["Message"]

    deleted = svc.delete_task_set(
        cluster=CLUSTER, service=SERVICE, taskSet=created["id"], force=True
    )["taskSet"]
    assert (deleted["status"], deleted["computedDesiredCount"]) == ("DRAINING", 0)
    assert "taskDefinition" not in service(svc)  # no primary task set any more
    fake.advance(2)
    assert task_set(svc, created["id"])["status"] == "DRAINING"
    fake.advance(30)
    answer = svc.describe_task_sets(cluster=CLUSTER, service=SERVICE, taskSets=[created["id"]])
    assert answer["taskSets"] == []
    assert answer["failures"] == [{"arn": created["taskSetArn"], "reason": "MISSING"}]
    assert running_tasks(svc) == []
    with pytest.raises(ClientError) as exc:
        svc.update_task_set(
            cluster=CLUSTER, service=SERVICE, taskSet=created["id"], scale={"value": 1.0}
        )
    assert code_of(exc) == "TaskSetNotFoundException"


def test_an_active_task_set_is_deleted_without_force(fake: Any, svc: Any) -> None:
    created = create_set(svc, value=25.0)
    fake.advance(10)
    svc.delete_task_set(cluster=CLUSTER, service=SERVICE, taskSet=created["taskSetArn"])
    fake.advance(30)
    assert svc.describe_task_sets(cluster=CLUSTER, service=SERVICE)["taskSets"] == []


def test_describe_task_sets_filters_and_includes_tags(svc: Any) -> None:
    one = create_set(svc, tags=[{"key": "team", "value": "a"}])
    create_set(svc)
    everything = svc.describe_task_sets(cluster=CLUSTER, service=SERVICE)["taskSets"]
    assert len(everything) == 2 and "tags" not in everything[0]
    tagged = svc.describe_task_sets(
        cluster=CLUSTER, service=SERVICE, taskSets=[one["id"], "ecs-svc/1"], include=["TAGS"]
    )
    assert [ts["tags"] for ts in tagged["taskSets"]] == [[{"key": "team", "value": "a"}]]
    assert tagged["failures"][0]["reason"] == "MISSING"
    assert tagged["failures"][0]["arn"].endswith(f"task-set/{CLUSTER}/{SERVICE}/ecs-svc/1")


def test_a_client_token_makes_creation_idempotent(svc: Any) -> None:
    first = create_set(svc, clientToken="token-1")
    again = create_set(svc, clientToken="token-1")
    assert again["id"] == first["id"]
    assert len(svc.describe_task_sets(cluster=CLUSTER, service=SERVICE)["taskSets"]) == 1
    with pytest.raises(ClientError) as exc:
        create_set(svc, value=10.0, clientToken="token-1")
    assert code_of(exc) == "InvalidParameterException"


def test_a_client_token_longer_than_36_characters_is_refused(svc: Any) -> None:
    create_set(svc, clientToken="t" * 36)
    with pytest.raises(ClientError) as exc:
        create_set(svc, clientToken="t" * 37)
    assert code_of(exc) == "InvalidParameterException"
    assert "1-36 characters" in exc.value.response["Error"]["Message"]


def test_a_service_holds_at_most_five_task_sets(svc: Any) -> None:
    for _ in range(5):
        create_set(svc)
    with pytest.raises(ClientError) as exc:
        create_set(svc)
    assert code_of(exc) == "InvalidParameterException"
    assert "exceeds the maximum limit" in exc.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"service": "nope"}, "ServiceNotFoundException"),
        ({"cluster": "nope"}, "ClusterNotFoundException"),
        ({"scale": {"value": 150.0, "unit": "PERCENT"}}, "InvalidParameterException"),
        ({"taskDefinition": "missing"}, "ClientException"),
    ],
)
def test_create_task_set_refuses_what_ecs_refuses(
    svc: Any, change: dict[str, Any], code: str
) -> None:
    params = {
        "cluster": CLUSTER,
        "service": SERVICE,
        "taskDefinition": "worker",
        "launchType": "FARGATE",
        "networkConfiguration": network(svc),
        **change,
    }
    with pytest.raises(ClientError) as exc:
        svc.create_task_set(**params)
    assert code_of(exc) == code


def test_task_sets_need_the_external_controller(ecs: Any) -> None:
    ecs.create_service(
        cluster=CLUSTER,
        serviceName="rolling",
        taskDefinition="worker",
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=network(ecs),
    )
    with pytest.raises(ClientError) as exc:
        ecs.create_task_set(cluster=CLUSTER, service="rolling", taskDefinition="worker")
    assert code_of(exc) == "InvalidParameterException"
    assert "external deployment controllers" in exc.value.response["Error"]["Message"]


def test_service_level_task_settings_are_refused_for_external_services(svc: Any) -> None:
    with pytest.raises(ClientError) as exc:
        svc.create_service(
            cluster=CLUSTER,
            serviceName="other",
            desiredCount=1,
            taskDefinition="worker",
            deploymentController={"type": "EXTERNAL"},
        )
    assert code_of(exc) == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        svc.update_service(cluster=CLUSTER, service=SERVICE, taskDefinition="worker")
    assert code_of(exc) == "InvalidParameterException"
    assert "CreateTaskSet" in exc.value.response["Error"]["Message"]


def test_deleting_the_service_drains_its_task_sets(fake: Any, svc: Any) -> None:
    create_set(svc, value=50.0)
    fake.advance(10)
    svc.delete_service(cluster=CLUSTER, service=SERVICE, force=True)
    fake.advance(2)
    draining = service(svc)
    assert draining["status"] in ("DRAINING", "INACTIVE")
    assert all(ts["status"] == "DRAINING" for ts in draining["taskSets"])
    fake.advance(30)
    gone = service(svc)
    assert (gone["status"], gone["taskSets"]) == ("INACTIVE", [])
    assert running_tasks(svc) == []


def test_task_sets_survive_a_restart_of_the_fake(tmp_path: Any) -> None:
    from fakeecs import FakeECS

    fake = FakeECS(clock="manual", seed=0, state=tmp_path / "state.json").start()
    try:
        ecs = client(fake)
        ecs.create_cluster(clusterName=CLUSTER)
        ecs.register_task_definition(**fargate_task_definition())
        ecs.create_service(
            cluster=CLUSTER,
            serviceName=SERVICE,
            desiredCount=2,
            deploymentController={"type": "EXTERNAL"},
        )
        created = create_set(ecs, value=100.0, tags=[{"key": "k", "value": "v"}])
        ecs.update_service_primary_task_set(
            cluster=CLUSTER, service=SERVICE, primaryTaskSet=created["id"]
        )
        before = ecs.describe_task_sets(cluster=CLUSTER, service=SERVICE, include=["TAGS"])
        fake = fake.restart()
        after = ecs.describe_task_sets(cluster=CLUSTER, service=SERVICE, include=["TAGS"])
        assert after["taskSets"] == before["taskSets"]
        fake.advance(10)
        now = task_set(ecs, created["id"])
        assert (now["status"], now["runningCount"]) == ("PRIMARY", 2)
    finally:
        fake.stop()


# property: convergence under any sequence of scale and desiredCount changes ----------------

changes = st.lists(
    st.tuples(
        st.sampled_from(["scale-a", "scale-b", "desired"]),
        st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 1)),
        st.integers(0, 6),
        st.floats(1.0, 20.0),
    ),
    min_size=1,
    max_size=8,
)


def _ok(engine: Engine, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    status, answer = call(engine, operation, params)
    assert status == 200, (operation, answer)
    return answer


def _observe(engine: Engine, ids: list[str]) -> list[dict[str, Any]]:
    answer = _ok(
        engine, "DescribeTaskSets", {"cluster": CLUSTER, "service": SERVICE, "taskSets": ids}
    )
    return answer["taskSets"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=changes, desired=st.integers(0, 6))
def test_task_sets_converge_and_never_keep_more_than_asked(
    steps: list[tuple[str, float, int, float]], desired: int
) -> None:
    engine = Engine(seed=0)
    _ok(engine, "CreateCluster", {"clusterName": CLUSTER})
    _ok(engine, "RegisterTaskDefinition", fargate_task_definition())
    _ok(
        engine,
        "CreateService",
        {
            "cluster": CLUSTER,
            "serviceName": SERVICE,
            "desiredCount": desired,
            "deploymentController": {"type": "EXTERNAL"},
        },
    )
    ids = []
    for value in (50.0, 50.0):
        created = _ok(
            engine,
            "CreateTaskSet",
            {
                "cluster": CLUSTER,
                "service": SERVICE,
                "taskDefinition": "worker",
                "launchType": "FARGATE",
                "networkConfiguration": moto_backend.default_network("us-east-1"),
                "scale": {"value": value, "unit": "PERCENT"},
            },
        )
        ids.append(created["taskSet"]["id"])
    scales = {ids[0]: 50.0, ids[1]: 50.0}
    for kind, value, count, wait in steps:
        if kind == "desired":
            _ok(
                engine,
                "UpdateService",
                {"cluster": CLUSTER, "service": SERVICE, "desiredCount": count},
            )
            desired = count
        else:
            target = ids[0] if kind == "scale-a" else ids[1]
            _ok(
                engine,
                "UpdateTaskSet",
                {
                    "cluster": CLUSTER,
                    "service": SERVICE,
                    "taskSet": target,
                    "scale": {"value": value, "unit": "PERCENT"},
                },
            )
            scales[target] = value
        engine.advance(wait)  # at least the scheduler's one-second delay
        for seen in _observe(engine, ids):
            asked = math.ceil(desired * scales[seen["id"]] / 100)
            assert seen["computedDesiredCount"] == asked
            assert seen["runningCount"] + seen["pendingCount"] <= asked
    engine.advance(60)
    for seen in _observe(engine, ids):
        assert seen["runningCount"] == seen["computedDesiredCount"]
        assert seen["pendingCount"] == 0
        assert seen["stabilityStatus"] == "STEADY_STATE"


def test_a_capacity_provider_strategy_is_echoed_instead_of_a_launch_type(
    fake: Any, ecs: Any
) -> None:
    ecs.create_cluster(clusterName="spot", capacityProviders=["FARGATE", "FARGATE_SPOT"])
    ecs.create_service(
        cluster="spot",
        serviceName=SERVICE,
        desiredCount=2,
        deploymentController={"type": "EXTERNAL"},
    )
    created = ecs.create_task_set(
        cluster="spot",
        service=SERVICE,
        taskDefinition="worker",
        networkConfiguration=network(ecs),
        capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
        scale={"value": 100.0, "unit": "PERCENT"},
    )["taskSet"]
    assert "launchType" not in created
    assert created["capacityProviderStrategy"][0]["capacityProvider"] == "FARGATE_SPOT"
    fake.advance(10)
    described = ecs.describe_task_sets(cluster="spot", service=SERVICE)["taskSets"][0]
    assert described["runningCount"] == 2


def test_a_task_definition_used_by_a_task_set_is_in_use_until_the_set_has_drained(
    fake: Any, svc: Any
) -> None:
    """DeleteTaskDefinitions waits for a task set that is not DRAINING-and-empty, as for a
    service deployment: even one scaled to 0% could start tasks from it again."""
    svc.register_task_definition(**fargate_task_definition(family="blue"))
    arn = svc.describe_task_definition(taskDefinition="blue")["taskDefinition"]["taskDefinitionArn"]
    blue = create_set(svc, value=0.0, taskDefinition="blue")
    svc.deregister_task_definition(taskDefinition=arn)
    deleted = svc.delete_task_definitions(taskDefinitions=[arn])["taskDefinitions"][0]
    assert deleted["status"] == "DELETE_IN_PROGRESS"
    fake.advance(600)  # no task uses it, the task set still does
    kept = svc.describe_task_definition(taskDefinition=arn)["taskDefinition"]
    assert kept["status"] == "DELETE_IN_PROGRESS"
    svc.update_task_set(
        cluster=CLUSTER,
        service=SERVICE,
        taskSet=blue["id"],
        scale={"value": 50.0, "unit": "PERCENT"},
    )
    fake.advance(30)
    assert len(running_tasks(svc)) == 2  # its tasks still start from the revision
    svc.delete_task_set(cluster=CLUSTER, service=SERVICE, taskSet=blue["id"], force=True)
    fake.advance(60)  # the set drains: its tasks stop, it goes away
    assert svc.describe_task_sets(cluster=CLUSTER, service=SERVICE)["taskSets"] == []
    fake.advance(120)
    with pytest.raises(ClientError):
        svc.describe_task_definition(taskDefinition=arn)
