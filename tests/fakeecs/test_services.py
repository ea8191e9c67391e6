"""Services through boto3: the scheduler converges on the virtual clock, deployments roll, waiters succeed."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError

from fakeecs import FakeECS
from tests.fakeecs.conftest import CLUSTER, FAMILY, client, fargate_task_definition, network
from tests.fakeecs.ec2_instances import register

SERVICE = "web"
FAST = {"Delay": 0.01, "MaxAttempts": 5}


def create(ecs: Any, name: str = SERVICE, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "cluster": CLUSTER,
        "serviceName": name,
        "taskDefinition": FAMILY,
        "desiredCount": 2,
        "launchType": "FARGATE",
        "networkConfiguration": network(ecs),
    }
    params.update(extra)
    return ecs.create_service(**{k: v for k, v in params.items() if v is not None})["service"]


def describe(ecs: Any, name: str = SERVICE) -> dict[str, Any]:
    return ecs.describe_services(cluster=CLUSTER, services=[name])["services"][0]


def service_tasks(ecs: Any, name: str = SERVICE, desired: str = "RUNNING") -> list[dict[str, Any]]:
    arns = ecs.list_tasks(cluster=CLUSTER, serviceName=name, desiredStatus=desired)["taskArns"]
    return ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if arns else []


def code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return exc.value.response["Error"]["Code"]


def test_create_service_answers_as_ecs_and_starts_nothing_until_time_moves(
    ecs: Any, fake: FakeECS
) -> None:
    service = create(ecs)

    assert service["serviceArn"] == f"arn:aws:ecs:us-east-1:123456789012:service/{CLUSTER}/web"
    assert service["status"] == "ACTIVE"
    assert (service["desiredCount"], service["runningCount"], service["pendingCount"]) == (2, 0, 0)
    assert service["launchType"] == "FARGATE"
    assert service["platformVersion"] == "LATEST"
    assert service["schedulingStrategy"] == "REPLICA"
    assert service["networkConfiguration"] == {
        "awsvpcConfiguration": {**network(ecs)["awsvpcConfiguration"], "assignPublicIp": "DISABLED"}
    }
    [deployment] = service["deployments"]
    assert re.fullmatch(r"ecs-svc/\d{19}", deployment["id"])
    assert deployment["status"] == "PRIMARY"
    assert deployment["rolloutState"] == "IN_PROGRESS"
    assert deployment["platformVersion"] == "1.4.0"
    assert deployment["taskDefinition"].endswith(f"task-definition/{FAMILY}:1")
    assert service_tasks(ecs) == []
    assert describe(ecs)["runningCount"] == 0  # reading moved nothing


def test_scheduler_starts_tasks_of_the_deployment_until_running_equals_desired(
    ecs: Any, fake: FakeECS
) -> None:
    deployment_id = create(ecs)["deployments"][0]["id"]

    fake.advance(1)
    service = describe(ecs)
    assert (service["runningCount"], service["pendingCount"]) == (0, 2)
    assert service["events"][0]["message"].startswith("(service web) has started 2 tasks:")

    fake.advance(10)
    service = describe(ecs)
    assert (service["runningCount"], service["pendingCount"]) == (2, 0)
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"
    assert service["deployments"][0]["runningCount"] == 2
    assert service["events"][0]["message"] == "(service web) has reached a steady state."
    tasks = service_tasks(ecs)
    assert len(tasks) == 2
    assert {t["startedBy"] for t in tasks} == {deployment_id}
    assert {t["group"] for t in tasks} == {"service:web"}
    assert {t["lastStatus"] for t in tasks} == {"RUNNING"}
    assert {t["launchType"] for t in tasks} == {"FARGATE"}


def test_services_stable_waiter_succeeds_while_the_clock_moves(ecs: Any, fake: FakeECS) -> None:
    create(ecs)
    waiter = client(fake).get_waiter("services_stable")
    outcome: list[BaseException | None] = []

    def wait() -> None:
        try:
            waiter.wait(
                cluster=CLUSTER,
                services=[SERVICE],
                WaiterConfig={"Delay": 0.01, "MaxAttempts": 2000},
            )
            outcome.append(None)
        except BaseException as exc:  # handed to the test thread
            outcome.append(exc)

    thread = threading.Thread(target=wait)
    thread.start()
    for _ in range(100):
        if outcome:
            break
        fake.advance(1)
    thread.join(timeout=30)
    assert outcome == [None]
    assert describe(ecs)["runningCount"] == 2


def test_services_stable_waiter_fails_on_an_unknown_service(ecs: Any) -> None:
    from botocore.exceptions import WaiterError

    with pytest.raises(WaiterError, match="MISSING"):
        ecs.get_waiter("services_stable").wait(
            cluster=CLUSTER, services=["nope"], WaiterConfig=FAST
        )


def test_a_stopped_task_is_replaced(ecs: Any, fake: FakeECS) -> None:
    create(ecs, desiredCount=1)
    fake.advance(10)
    [task] = service_tasks(ecs)

    ecs.stop_task(cluster=CLUSTER, task=task["taskArn"], reason="testing")
    fake.advance(15)

    [replacement] = service_tasks(ecs)
    assert replacement["taskArn"] != task["taskArn"]
    assert replacement["lastStatus"] == "RUNNING"
    assert describe(ecs)["runningCount"] == 1


def test_reading_between_a_stop_and_a_clock_move_changes_nothing(ecs: Any, fake: FakeECS) -> None:
    create(ecs, desiredCount=1)
    fake.advance(10)
    [task] = service_tasks(ecs)
    ecs.stop_task(cluster=CLUSTER, task=task["taskArn"])

    for _ in range(3):
        assert describe(ecs)["pendingCount"] == 0
        assert service_tasks(ecs) == []
    fake.advance(1)
    assert describe(ecs)["pendingCount"] == 1


def test_a_task_whose_container_exits_is_replaced(ecs: Any, fake: FakeECS) -> None:
    fake.behaviour(FAMILY, runSeconds=20, exitCode=1)
    create(ecs, desiredCount=1)
    fake.advance(10)
    [first] = service_tasks(ecs)

    fake.advance(30)

    stopped = ecs.describe_tasks(cluster=CLUSTER, tasks=[first["taskArn"]])["tasks"][0]
    assert stopped["stopCode"] == "EssentialContainerExited"
    started = [e for e in describe(ecs)["events"] if "has started 1 tasks" in e["message"]]
    assert len(started) == 2


def test_service_tasks_run_until_stopped_when_nothing_is_scripted(ecs: Any, fake: FakeECS) -> None:
    create(ecs, desiredCount=1)
    fake.advance(10)
    [task] = service_tasks(ecs)
    fake.advance(24 * 3600)
    assert service_tasks(ecs)[0]["taskArn"] == task["taskArn"]


def test_scaling_to_zero_drains_with_service_scheduler_initiated(ecs: Any, fake: FakeECS) -> None:
    create(ecs)
    fake.advance(10)
    arns = [t["taskArn"] for t in service_tasks(ecs)]

    updated = ecs.update_service(cluster=CLUSTER, service=SERVICE, desiredCount=0)["service"]
    assert updated["desiredCount"] == 0
    assert len(updated["deployments"]) == 1  # a count change is not a new deployment
    fake.advance(10)

    stopped = ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"]
    assert {t["lastStatus"] for t in stopped} == {"STOPPED"}
    assert {t["stopCode"] for t in stopped} == {"ServiceSchedulerInitiated"}
    assert {t["desiredStatus"] for t in stopped} == {"STOPPED"}
    service = describe(ecs)
    assert (service["runningCount"], service["pendingCount"]) == (0, 0)
    assert service_tasks(ecs) == []
    ecs.get_waiter("services_stable").wait(cluster=CLUSTER, services=[SERVICE], WaiterConfig=FAST)


def test_scaling_up_and_down_keeps_the_oldest_tasks(ecs: Any, fake: FakeECS) -> None:
    create(ecs, desiredCount=1)
    fake.advance(10)
    [first] = service_tasks(ecs)
    ecs.update_service(cluster=CLUSTER, service=SERVICE, desiredCount=3)
    fake.advance(10)
    assert describe(ecs)["runningCount"] == 3
    ecs.update_service(cluster=CLUSTER, service=SERVICE, desiredCount=1)
    fake.advance(10)
    assert [t["taskArn"] for t in service_tasks(ecs)] == [first["taskArn"]]


def test_force_new_deployment_rolls_every_task(ecs: Any, fake: FakeECS) -> None:
    create(ecs)
    fake.advance(10)
    old_id = describe(ecs)["deployments"][0]["id"]
    old_arns = {t["taskArn"] for t in service_tasks(ecs)}

    updated = ecs.update_service(cluster=CLUSTER, service=SERVICE, forceNewDeployment=True)[
        "service"
    ]
    statuses = [(d["status"], d["rolloutState"]) for d in updated["deployments"]]
    assert statuses == [("PRIMARY", "IN_PROGRESS"), ("ACTIVE", "COMPLETED")]
    new_id = updated["deployments"][0]["id"]
    assert new_id != old_id

    fake.advance(3)  # new tasks pending, the old ones still serve
    service = describe(ecs)
    assert len(service["deployments"]) == 2
    assert service["deployments"][1]["runningCount"] == 2
    assert service["deployments"][0]["pendingCount"] == 2

    fake.advance(20)
    service = describe(ecs)
    [deployment] = service["deployments"]
    assert (deployment["id"], deployment["status"], deployment["rolloutState"]) == (
        new_id,
        "PRIMARY",
        "COMPLETED",
    )
    tasks = service_tasks(ecs)
    assert {t["startedBy"] for t in tasks} == {new_id}
    assert not old_arns & {t["taskArn"] for t in tasks}
    old = ecs.describe_tasks(cluster=CLUSTER, tasks=sorted(old_arns))["tasks"]
    assert {(t["lastStatus"], t["stopCode"]) for t in old} == {
        ("STOPPED", "ServiceSchedulerInitiated")
    }
    ecs.get_waiter("services_stable").wait(cluster=CLUSTER, services=[SERVICE], WaiterConfig=FAST)


def test_old_tasks_keep_serving_while_new_ones_cannot_start(ecs: Any, fake: FakeECS) -> None:
    create(ecs, desiredCount=1)
    fake.advance(10)
    [old] = service_tasks(ecs)
    fake.behaviour(FAMILY, failToStart="CannotPullContainerError: image not found")
    ecs.update_service(cluster=CLUSTER, service=SERVICE, forceNewDeployment=True)

    fake.advance(60)

    service = describe(ecs)
    assert len(service["deployments"]) == 2
    assert service["deployments"][0]["failedTasks"] >= 2
    assert service["deployments"][1]["runningCount"] == 1
    still = ecs.describe_tasks(cluster=CLUSTER, tasks=[old["taskArn"]])["tasks"][0]
    assert still["lastStatus"] == "RUNNING"


def test_a_deployment_without_room_stays_in_progress_as_on_ecs(ecs: Any, fake: FakeECS) -> None:
    """maximumPercent rounds down and minimumHealthyPercent up: 1 task at 150/100 cannot roll."""
    create(
        ecs,
        desiredCount=1,
        deploymentConfiguration={"maximumPercent": 150, "minimumHealthyPercent": 100},
    )
    fake.advance(10)
    ecs.update_service(cluster=CLUSTER, service=SERVICE, forceNewDeployment=True)
    fake.advance(600)
    service = describe(ecs)
    assert [(d["status"], d["runningCount"]) for d in service["deployments"]] == [
        ("PRIMARY", 0),
        ("ACTIVE", 1),
    ]
    assert service["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    ecs.update_service(
        cluster=CLUSTER,
        service=SERVICE,
        deploymentConfiguration={"maximumPercent": 200, "minimumHealthyPercent": 100},
    )
    fake.advance(20)
    assert [d["status"] for d in describe(ecs)["deployments"]] == ["PRIMARY"]


def _broken_deployment(ecs: Any, fake: FakeECS, rollback: bool) -> None:
    breaker = {"deploymentCircuitBreaker": {"enable": True, "rollback": rollback}}
    create(ecs, desiredCount=2, deploymentConfiguration=breaker)
    fake.advance(10)
    ecs.register_task_definition(**fargate_task_definition(family="broken"))
    fake.behaviour("broken", failToStart="CannotPullContainerError: no such image")
    ecs.update_service(cluster=CLUSTER, service=SERVICE, taskDefinition="broken")


def test_circuit_breaker_fails_the_deployment_and_rolls_back(ecs: Any, fake: FakeECS) -> None:
    _broken_deployment(ecs, fake, rollback=True)
    failed_id = describe(ecs)["deployments"][0]["id"]

    for _ in range(60):
        fake.advance(1)
        service = describe(ecs)
        failed = next(d for d in service["deployments"] if d["id"] == failed_id)
        if failed["rolloutState"] == "FAILED":
            break
    assert failed["rolloutStateReason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert failed["failedTasks"] >= 3
    assert service["deployments"][0]["id"] != failed_id  # the rollback is the new PRIMARY
    assert any(
        "deployment failed: tasks failed to start" in e["message"] for e in service["events"]
    )

    fake.advance(30)
    service = describe(ecs)
    [deployment] = service["deployments"]
    assert deployment["rolloutState"] == "COMPLETED"
    assert deployment["taskDefinition"].endswith(f"{FAMILY}:1")
    assert service["taskDefinition"].endswith(f"{FAMILY}:1")
    assert service["runningCount"] == 2
    ecs.get_waiter("services_stable").wait(cluster=CLUSTER, services=[SERVICE], WaiterConfig=FAST)


def test_circuit_breaker_without_rollback_stops_trying(ecs: Any, fake: FakeECS) -> None:
    _broken_deployment(ecs, fake, rollback=False)
    fake.advance(120)
    service = describe(ecs)
    primary = service["deployments"][0]
    assert primary["rolloutState"] == "FAILED"
    started = sum(1 for e in service["events"] if "has started" in e["message"])
    fake.advance(600)
    again = describe(ecs)
    assert sum(1 for e in again["events"] if "has started" in e["message"]) == started
    assert again["deployments"][1]["runningCount"] == 2  # the old tasks keep serving


def test_new_task_definition_starts_a_deployment_with_it(ecs: Any, fake: FakeECS) -> None:
    create(ecs, desiredCount=1)
    fake.advance(10)
    ecs.register_task_definition(**fargate_task_definition(cpu="512", memory="1024"))

    updated = ecs.update_service(cluster=CLUSTER, service=SERVICE, taskDefinition=f"{FAMILY}:2")[
        "service"
    ]
    assert updated["taskDefinition"].endswith(f"{FAMILY}:2")
    assert updated["deployments"][0]["taskDefinition"].endswith(f"{FAMILY}:2")
    assert updated["deployments"][1]["taskDefinition"].endswith(f"{FAMILY}:1")
    fake.advance(20)

    [task] = service_tasks(ecs)
    assert task["taskDefinitionArn"].endswith(f"{FAMILY}:2")
    assert task["cpu"] == "512"


def test_new_network_configuration_is_echoed_and_used(ecs: Any, fake: FakeECS) -> None:
    create(ecs, desiredCount=1)
    fake.advance(10)
    ec2 = client(fake, "ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    subnet = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="172.31.192.0/20")["Subnet"]
    new = {"awsvpcConfiguration": {"subnets": [subnet["SubnetId"]], "assignPublicIp": "ENABLED"}}

    updated = ecs.update_service(cluster=CLUSTER, service=SERVICE, networkConfiguration=new)[
        "service"
    ]
    assert len(updated["deployments"]) == 2
    assert updated["networkConfiguration"]["awsvpcConfiguration"]["subnets"] == [subnet["SubnetId"]]
    fake.advance(20)

    [task] = service_tasks(ecs)
    details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
    assert details["subnetId"] == subnet["SubnetId"]


def test_delete_service_needs_force_while_scaled_up(ecs: Any, fake: FakeECS) -> None:
    create(ecs)
    with pytest.raises(ClientError) as exc:
        ecs.delete_service(cluster=CLUSTER, service=SERVICE)
    assert code(exc) == "InvalidParameterException"
    assert describe(ecs)["status"] == "ACTIVE"


def test_delete_service_with_force_drains_then_inactive(ecs: Any, fake: FakeECS) -> None:
    create(ecs)
    fake.advance(10)
    arns = [t["taskArn"] for t in service_tasks(ecs)]

    deleted = ecs.delete_service(cluster=CLUSTER, service=SERVICE, force=True)["service"]
    assert deleted["status"] == "DRAINING"
    assert deleted["desiredCount"] == 0
    fake.advance(5)

    assert describe(ecs)["status"] == "INACTIVE"
    ecs.get_waiter("services_inactive").wait(cluster=CLUSTER, services=[SERVICE], WaiterConfig=FAST)
    stopped = ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"]
    assert {t["stopCode"] for t in stopped} == {"ServiceSchedulerInitiated"}
    assert ecs.list_services(cluster=CLUSTER)["serviceArns"] == []
    with pytest.raises(ClientError) as exc:
        ecs.update_service(cluster=CLUSTER, service=SERVICE, desiredCount=1)
    assert code(exc) == "ServiceNotActiveException"

    fake.advance(3600)
    answer = ecs.describe_services(cluster=CLUSTER, services=[SERVICE])
    assert answer["services"] == []
    assert answer["failures"][0]["reason"] == "MISSING"


def test_services_inactive_waiter_waits_for_draining(ecs: Any, fake: FakeECS) -> None:
    create(ecs, desiredCount=1)
    fake.advance(10)
    ecs.delete_service(cluster=CLUSTER, service=SERVICE, force=True)
    done = threading.Event()

    def wait() -> None:
        client(fake).get_waiter("services_inactive").wait(
            cluster=CLUSTER, services=[SERVICE], WaiterConfig={"Delay": 0.01, "MaxAttempts": 2000}
        )
        done.set()

    thread = threading.Thread(target=wait, daemon=True)
    thread.start()
    assert not done.wait(0.2)  # still DRAINING: the clock has not moved
    fake.advance(10)
    assert done.wait(30)


def test_a_service_can_be_created_again_once_inactive(ecs: Any, fake: FakeECS) -> None:
    create(ecs, desiredCount=0)
    ecs.delete_service(cluster=CLUSTER, service=SERVICE)
    with pytest.raises(ClientError) as exc:
        create(ecs)
    assert "Draining" in str(exc.value)
    fake.advance(2)
    again = create(ecs, desiredCount=1)
    assert again["status"] == "ACTIVE"
    fake.advance(10)
    assert describe(ecs)["runningCount"] == 1


def test_errors_name_what_is_wrong(ecs: Any, fake: FakeECS) -> None:
    create(ecs)
    ecs.register_task_definition(
        family="ec2only", containerDefinitions=[{"name": "m", "image": "i", "memory": 64}]
    )
    cases = [
        (lambda: create(ecs), "InvalidParameterException"),
        (lambda: create(ecs, name="x", cluster="nope"), "ClusterNotFoundException"),
        (lambda: create(ecs, name="bad name"), "InvalidParameterException"),
        (lambda: create(ecs, name="x", taskDefinition="nope"), "ClientException"),
        (lambda: create(ecs, name="x", networkConfiguration=None), "InvalidParameterException"),
        (lambda: ecs.update_service(cluster=CLUSTER, service="nope"), "ServiceNotFoundException"),
        (
            lambda: ecs.update_service(cluster=CLUSTER, service=SERVICE, taskDefinition="ec2only"),
            "InvalidParameterException",
        ),
        (lambda: ecs.delete_service(cluster=CLUSTER, service="nope"), "ServiceNotFoundException"),
        (lambda: ecs.delete_cluster(cluster=CLUSTER), "ClusterContainsServicesException"),
        (
            lambda: ecs.describe_services(cluster=CLUSTER, services=[f"s{i}" for i in range(11)]),
            "InvalidParameterException",
        ),
    ]
    for call, expected in cases:
        with pytest.raises(ClientError) as exc:
            call()
        assert code(exc) == expected, exc.value


def test_describe_services_reports_unknown_ones_as_missing(ecs: Any) -> None:
    create(ecs)
    answer = ecs.describe_services(cluster=CLUSTER, services=[SERVICE, "nope"])
    assert [s["serviceName"] for s in answer["services"]] == [SERVICE]
    assert answer["failures"] == [
        {"arn": "arn:aws:ecs:us-east-1:123456789012:service/nope", "reason": "MISSING"}
    ]
    by_arn = ecs.describe_services(cluster=CLUSTER, services=[answer["services"][0]["serviceArn"]])
    assert by_arn["services"][0]["serviceName"] == SERVICE


def test_list_services_pages_and_filters(ecs: Any) -> None:
    for i in range(12):
        create(ecs, name=f"svc-{i:02d}", desiredCount=0)
    first = ecs.list_services(cluster=CLUSTER)
    assert len(first["serviceArns"]) == 10
    rest = ecs.list_services(cluster=CLUSTER, nextToken=first["nextToken"])
    assert len(rest["serviceArns"]) == 2
    assert "nextToken" not in rest
    assert ecs.list_services(cluster=CLUSTER, launchType="EC2")["serviceArns"] == []
    pages = ecs.get_paginator("list_services").paginate(cluster=CLUSTER)
    assert len([a for p in pages for a in p["serviceArns"]]) == 12


def test_cluster_counts_active_services(ecs: Any) -> None:
    create(ecs, desiredCount=0)
    cluster = ecs.describe_clusters(clusters=[CLUSTER])["clusters"][0]
    assert cluster["activeServicesCount"] == 1


def test_tags_propagate_from_the_service_to_its_tasks(ecs: Any, fake: FakeECS) -> None:
    service = create(
        ecs, desiredCount=1, tags=[{"key": "team", "value": "data"}], propagateTags="SERVICE"
    )
    fake.advance(10)
    assert ecs.list_tags_for_resource(resourceArn=service["serviceArn"])["tags"] == [
        {"key": "team", "value": "data"}
    ]
    arns = ecs.list_tasks(cluster=CLUSTER, serviceName=SERVICE)["taskArns"]
    task = ecs.describe_tasks(cluster=CLUSTER, tasks=arns, include=["TAGS"])["tasks"][0]
    assert task["tags"] == [{"key": "team", "value": "data"}]
    tagged = ecs.describe_services(cluster=CLUSTER, services=[SERVICE], include=["TAGS"])
    assert tagged["services"][0]["tags"] == [{"key": "team", "value": "data"}]


def test_managed_tags_and_task_definition_tags_reach_the_tasks(fake: FakeECS) -> None:
    ecs = client(fake)
    ecs.create_cluster(clusterName=CLUSTER)
    ecs.register_task_definition(**fargate_task_definition(tags=[{"key": "td", "value": "1"}]))
    create(ecs, desiredCount=1, enableECSManagedTags=True, propagateTags="TASK_DEFINITION")
    fake.advance(10)
    arns = ecs.list_tasks(cluster=CLUSTER, serviceName=SERVICE)["taskArns"]
    task = ecs.describe_tasks(cluster=CLUSTER, tasks=arns, include=["TAGS"])["tasks"][0]
    assert {t["key"]: t["value"] for t in task["tags"]} == {
        "td": "1",
        "aws:ecs:clusterName": CLUSTER,
        "aws:ecs:serviceName": SERVICE,
    }


def test_create_service_with_the_same_client_token_is_idempotent(ecs: Any, fake: FakeECS) -> None:
    first = create(ecs, clientToken="tok-1")
    again = create(ecs, clientToken="tok-1")
    assert again["serviceArn"] == first["serviceArn"]
    assert again["deployments"][0]["id"] == first["deployments"][0]["id"]


def test_ec2_services_without_awsvpc(fake: FakeECS) -> None:
    ecs = client(fake)
    ecs.create_cluster(clusterName=CLUSTER)
    register(fake, ecs)  # EC2 service tasks are placed on container instances
    ecs.register_task_definition(
        family="bridge", containerDefinitions=[{"name": "m", "image": "i", "memory": 64}]
    )
    service = ecs.create_service(
        cluster=CLUSTER, serviceName="b", taskDefinition="bridge", desiredCount=1
    )["service"]
    assert service["launchType"] == "EC2"
    assert "platformVersion" not in service
    fake.advance(10)
    assert describe(ecs, "b")["runningCount"] == 1


def test_a_capacity_provider_strategy_is_echoed_instead_of_a_launch_type(
    ecs: Any, fake: FakeECS
) -> None:
    ecs.put_cluster_capacity_providers(
        cluster=CLUSTER, capacityProviders=["FARGATE_SPOT"], defaultCapacityProviderStrategy=[]
    )
    strategy = [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    service = create(ecs, desiredCount=1, launchType=None, capacityProviderStrategy=strategy)

    assert "launchType" not in service
    assert service["capacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}
    ]
    assert (
        service["deployments"][0]["capacityProviderStrategy"] == service["capacityProviderStrategy"]
    )
    fake.advance(10)
    [task] = service_tasks(ecs)
    assert task["launchType"] == "FARGATE"
    with pytest.raises(ClientError, match="you must force a new deployment"):
        ecs.update_service(cluster=CLUSTER, service=SERVICE, capacityProviderStrategy=[])


def test_settings_fakeecs_does_not_act_on_are_echoed(ecs: Any) -> None:
    balancer = {
        "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1",
        "containerName": "main",
        "containerPort": 8080,
    }
    # ECS Exec needs a task role (CreateService refuses enableExecuteCommand without one)
    ecs.register_task_definition(
        **fargate_task_definition(taskRoleArn="arn:aws:iam::123456789012:role/task")
    )
    service = create(
        ecs, loadBalancers=[balancer], healthCheckGracePeriodSeconds=30, enableExecuteCommand=True
    )
    assert service["loadBalancers"] == [balancer]
    assert service["healthCheckGracePeriodSeconds"] == 30
    assert service["enableExecuteCommand"] is True
    assert service["placementStrategy"] == []
    updated = ecs.update_service(
        cluster=CLUSTER, service=SERVICE, placementStrategy=[{"type": "random"}]
    )["service"]
    assert updated["placementStrategy"] == [{"type": "random"}]
    assert updated["loadBalancers"] == [balancer]


def _trace(seed: int) -> list[Any]:
    with FakeECS(clock="manual", seed=seed) as fake:
        ecs = client(fake)
        ecs.create_cluster(clusterName=CLUSTER)
        ecs.register_task_definition(**fargate_task_definition())
        create(ecs)
        fake.advance(10)
        ecs.update_service(cluster=CLUSTER, service=SERVICE, forceNewDeployment=True)
        fake.advance(30)
        service = describe(ecs)
        return [service["deployments"], service["events"], service_tasks(ecs)]


def test_same_seed_same_calls_same_services() -> None:
    assert _trace(3) == _trace(3)
    assert _trace(3) != _trace(4)
