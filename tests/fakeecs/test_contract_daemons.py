"""Daemons through boto3: daemon task definitions, one daemon task on each container instance of
the daemon's capacity providers, deployments and revisions on the clock, the errors ECS answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from fakeecs import FakeECS
from tests.fakeecs.conftest import CLUSTER, client
from tests.fakeecs.ec2_instances import moto_group, register_instance

PROVIDER_ARN = "arn:aws:ecs:us-east-1:123456789012:capacity-provider/{}"


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def daemon_definition(ecs: Any, family: str = "agent", image: str = "example/agent:1") -> str:
    return ecs.register_daemon_task_definition(
        family=family, containerDefinitions=[{"name": "agent", "image": image, "memory": 64}]
    )["daemonTaskDefinitionArn"]


def hosts(fake: FakeECS, ecs: Any, size: int = 2, name: str = "hosts") -> list[str]:
    """A capacity provider `name` on a moto Auto Scaling group of `size` instances, associated
    with the cluster, its instances registered; their container instance ARNs."""
    group = moto_group(fake, size, name=f"{name}-asg")
    ecs.create_capacity_provider(
        name=name, autoScalingGroupProvider={"autoScalingGroupArn": group["AutoScalingGroupARN"]}
    )
    current = ecs.describe_clusters(clusters=[CLUSTER])["clusters"][0]["capacityProviders"]
    ecs.put_cluster_capacity_providers(
        cluster=CLUSTER, capacityProviders=[*current, name], defaultCapacityProviderStrategy=[]
    )
    return [register_instance(fake, ecs, i["InstanceId"]) for i in group["Instances"]]


def create(ecs: Any, td_arn: str, name: str = "monitor", **extra: Any) -> dict[str, Any]:
    params = {
        "daemonName": name,
        "clusterArn": CLUSTER,
        "daemonTaskDefinitionArn": td_arn,
        "capacityProviderArns": [PROVIDER_ARN.format("hosts")],
    }
    return ecs.create_daemon(**{**params, **extra})


def daemon_tasks(ecs: Any, desired: str = "RUNNING") -> list[dict[str, Any]]:
    arns = ecs.list_tasks(cluster=CLUSTER, desiredStatus=desired)["taskArns"]
    tasks = ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if arns else []
    return [t for t in tasks if t.get("group", "").startswith("daemon:")]


def deployment(ecs: Any, arn: str) -> dict[str, Any]:
    return ecs.describe_daemon_deployments(daemonDeploymentArns=[arn])["daemonDeployments"][0]


# daemon task definitions ----------------------------------------------------------------------


def test_daemon_task_definitions_register_describe_list_and_delete(fake: FakeECS, ecs: Any) -> None:
    first = daemon_definition(ecs)
    second = daemon_definition(ecs, image="example/agent:2")
    daemon_definition(ecs, family="logs")
    assert first == "arn:aws:ecs:us-east-1:123456789012:daemon-task-definition/agent:1"
    assert second.endswith("daemon-task-definition/agent:2")
    latest = ecs.describe_daemon_task_definition(daemonTaskDefinition="agent")[
        "daemonTaskDefinition"
    ]
    assert (latest["revision"], latest["status"]) == (2, "ACTIVE")
    assert latest["containerDefinitions"][0]["image"] == "example/agent:2"
    assert latest["containerDefinitions"][0]["essential"] is True
    assert latest["registeredBy"].startswith("arn:aws:iam::123456789012:")

    def listed(**params: Any) -> list[str]:
        return [
            d["arn"] for d in ecs.list_daemon_task_definitions(**params)["daemonTaskDefinitions"]
        ]

    assert [a.rsplit("/", 1)[-1] for a in listed()] == ["agent:1", "agent:2", "logs:1"]
    assert [a.rsplit("/", 1)[-1] for a in listed(family="agent", sort="DESC")] == [
        "agent:2",
        "agent:1",
    ]
    assert [a.rsplit("/", 1)[-1] for a in listed(revision="LAST_REGISTERED")] == [
        "agent:2",
        "logs:1",
    ]
    assert [a.rsplit("/", 1)[-1] for a in listed(familyPrefix="lo")] == ["logs:1"]
    page = ecs.list_daemon_task_definitions(maxResults=2)
    assert len(page["daemonTaskDefinitions"]) == 2
    rest = ecs.list_daemon_task_definitions(maxResults=2, nextToken=page["nextToken"])
    assert [d["arn"] for d in rest["daemonTaskDefinitions"]] == [listed()[2]]

    deleted = ecs.delete_daemon_task_definition(daemonTaskDefinition="agent:1")
    assert deleted["daemonTaskDefinitionArn"] == first
    deleting = ecs.describe_daemon_task_definition(daemonTaskDefinition="agent:1")
    assert deleting["daemonTaskDefinition"]["status"] == "DELETE_IN_PROGRESS"
    assert "deleteRequestedAt" in deleting["daemonTaskDefinition"]
    assert listed(status="DELETE_IN_PROGRESS") == [first]
    fake.advance(120)  # nothing runs it: ECS finishes the deletion
    assert first not in listed(status="ALL")
    with pytest.raises(ClientError) as exc:
        ecs.describe_daemon_task_definition(daemonTaskDefinition="agent:1")
    assert error(exc) == ("ClientException", "Unable to describe daemon task definition.")


@pytest.mark.parametrize(
    ("params", "words"),
    [
        (
            {"containerDefinitions": [{"name": "a", "image": "x"}]},
            "'memory' or 'memoryReservation'",
        ),
        (
            {"containerDefinitions": [{"name": "a", "image": "x", "memory": 8}] * 2},
            "Container names must be unique",
        ),
        (
            {
                "containerDefinitions": [
                    {
                        "name": "a",
                        "image": "x",
                        "memory": 8,
                        "mountPoints": [{"sourceVolume": "logs", "containerPath": "/l"}],
                    }
                ]
            },
            "unknown volume 'logs'",
        ),
        (
            {
                "containerDefinitions": [{"name": "a", "image": "x", "memory": 8}],
                "volumes": [{"name": "v", "logDriverVolumeConfiguration": {"driver": "awslogs"}}],
            },
            "the only supported value is json-file",
        ),
    ],
)
def test_register_refuses_what_ecs_refuses(ecs: Any, params: dict[str, Any], words: str) -> None:
    with pytest.raises(ClientError) as exc:
        ecs.register_daemon_task_definition(family="agent", **params)
    code, message = error(exc)
    assert code == "ClientException" and words in message
    assert ecs.list_daemon_task_definitions(status="ALL")["daemonTaskDefinitions"] == []


def test_delete_and_list_refusals(ecs: Any) -> None:
    daemon_definition(ecs)
    with pytest.raises(ClientError) as exc:
        ecs.delete_daemon_task_definition(daemonTaskDefinition="agent")
    assert error(exc)[0] == "ClientException" and "family:revision" in error(exc)[1]
    ecs.delete_daemon_task_definition(daemonTaskDefinition="agent:1")
    with pytest.raises(ClientError) as exc:
        ecs.delete_daemon_task_definition(daemonTaskDefinition="agent:1")
    assert error(exc)[0] == "ClientException" and "DELETE_IN_PROGRESS" in error(exc)[1]
    with pytest.raises(ClientError) as exc:
        ecs.list_daemon_task_definitions(family="agent", familyPrefix="a")
    assert error(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        ecs.describe_daemon_task_definition(daemonTaskDefinition="agent:x")
    assert error(exc) == ("ClientException", "Invalid revision number. Number: x")


# daemons ---------------------------------------------------------------------------------------


def test_a_daemon_runs_one_task_on_each_instance_of_its_provider(fake: FakeECS, ecs: Any) -> None:
    instances = hosts(fake, ecs, size=2)
    created = create(ecs, daemon_definition(ecs), tags=[{"key": "team", "value": "ops"}])
    assert created["daemonArn"] == "arn:aws:ecs:us-east-1:123456789012:daemon/test-cluster/monitor"
    assert created["status"] == "ACTIVE"
    assert deployment(ecs, created["deploymentArn"])["status"] == "PENDING"
    assert daemon_tasks(ecs) == []  # the scheduler acts a second after the call
    fake.advance(1)
    assert deployment(ecs, created["deploymentArn"])["status"] == "IN_PROGRESS"
    fake.advance(60)
    tasks = daemon_tasks(ecs)
    assert sorted(t["containerInstanceArn"] for t in tasks) == sorted(instances)
    assert {t["lastStatus"] for t in tasks} == {"RUNNING"}
    assert {t["launchType"] for t in tasks} == {"EC2"}
    assert {t["startedBy"] for t in tasks} == {"ecs-daemon/monitor"}
    assert {t["taskDefinitionArn"] for t in tasks} == {
        "arn:aws:ecs:us-east-1:123456789012:daemon-task-definition/agent:1"
    }
    done = deployment(ecs, created["deploymentArn"])
    assert done["status"] == "SUCCESSFUL" and "finishedAt" in done
    assert done["targetDaemonRevision"]["totalRunningInstanceCount"] == 2
    assert done["targetDaemonRevision"]["totalWithoutDaemonInstanceCount"] == 0
    assert done["circuitBreaker"]["status"] == "MONITORING_COMPLETE"
    assert done["alarms"]["status"] == "DISABLED"
    daemon = ecs.describe_daemon(daemonArn=created["daemonArn"])["daemon"]
    [current] = daemon["currentRevisions"]
    assert current["totalRunningCount"] == 2 and current["totalWithoutDaemonCount"] == 0
    assert current["capacityProviders"] == [
        {"arn": PROVIDER_ARN.format("hosts"), "runningCount": 2, "withoutDaemonCount": 0}
    ]
    assert ecs.list_tags_for_resource(resourceArn=created["daemonArn"])["tags"] == [
        {"key": "team", "value": "ops"}
    ]
    summaries = ecs.list_daemons(clusterArn=CLUSTER)["daemonSummariesList"]
    assert [s["daemonArn"] for s in summaries] == [created["daemonArn"]]
    assert (
        ecs.list_daemons(clusterArn=CLUSTER, capacityProviderArns=["other"])["daemonSummariesList"]
        == []
    )


def test_an_instance_that_registers_later_gets_its_daemon_task(fake: FakeECS, ecs: Any) -> None:
    hosts(fake, ecs, size=1)
    create(ecs, daemon_definition(ecs))
    fake.advance(60)
    assert len(daemon_tasks(ecs)) == 1
    group = client(fake, "autoscaling")
    group.set_desired_capacity(AutoScalingGroupName="hosts-asg", DesiredCapacity=2)
    [described] = group.describe_auto_scaling_groups(AutoScalingGroupNames=["hosts-asg"])[
        "AutoScalingGroups"
    ]
    new = [i["InstanceId"] for i in described["Instances"]][-1]
    arn = register_instance(fake, ecs, new)
    fake.advance(60)
    assert arn in {t["containerInstanceArn"] for t in daemon_tasks(ecs)}
    assert len(daemon_tasks(ecs)) == 2


def test_an_update_replaces_every_task_with_a_new_revision(fake: FakeECS, ecs: Any) -> None:
    hosts(fake, ecs, size=2)
    created = create(ecs, daemon_definition(ecs))
    fake.advance(60)
    old = {t["taskArn"] for t in daemon_tasks(ecs)}
    new_td = daemon_definition(ecs, image="example/agent:2")
    updated = ecs.update_daemon(
        daemonArn=created["daemonArn"],
        daemonTaskDefinitionArn=new_td,
        capacityProviderArns=["hosts"],
        enableExecuteCommand=True,
        deploymentConfiguration={"bakeTimeInMinutes": 5},
    )
    assert updated["deploymentArn"] != created["deploymentArn"]
    assert updated["updatedAt"] >= updated["createdAt"] == created["createdAt"]
    fake.advance(120)
    tasks = daemon_tasks(ecs)
    assert len(tasks) == 2 and not old & {t["taskArn"] for t in tasks}
    assert {t["taskDefinitionArn"] for t in tasks} == {new_td}
    stopped = [t for t in daemon_tasks(ecs, "STOPPED") if t["taskArn"] in old]
    assert len(stopped) == 2 and {t["stopCode"] for t in stopped} == {"ServiceSchedulerInitiated"}
    baking = deployment(ecs, updated["deploymentArn"])
    assert baking["status"] == "IN_PROGRESS"  # converged, baking for 5 minutes
    assert baking["deploymentConfiguration"]["bakeTimeInMinutes"] == 5
    [source] = baking["sourceDaemonRevisions"]
    fake.advance(300)
    assert deployment(ecs, updated["deploymentArn"])["status"] == "SUCCESSFUL"
    revisions = ecs.describe_daemon_revisions(
        daemonRevisionArns=[source["arn"], baking["targetDaemonRevision"]["arn"], "arn:nope"]
    )
    old_rev, new_rev = revisions["daemonRevisions"]
    assert old_rev["containerImages"] == [{"containerName": "agent", "image": "example/agent:1"}]
    assert (new_rev["enableExecuteCommand"], old_rev["enableExecuteCommand"]) == (True, False)
    assert new_rev["daemonTaskDefinitionArn"] == new_td and new_rev["critical"] is True
    assert revisions["failures"] == [{"arn": "arn:nope", "reason": "MISSING"}]
    listed = ecs.list_daemon_deployments(daemonArn=created["daemonArn"])["daemonDeployments"]
    assert [d["daemonDeploymentArn"] for d in listed] == [
        updated["deploymentArn"],
        created["deploymentArn"],
    ]
    only_new = ecs.list_daemon_deployments(
        daemonArn=created["daemonArn"], createdAt={"after": listed[1]["createdAt"]}
    )["daemonDeployments"]
    assert [d["daemonDeploymentArn"] for d in only_new] == [updated["deploymentArn"]]


def test_a_newer_deployment_supersedes_one_in_progress(fake: FakeECS, ecs: Any) -> None:
    hosts(fake, ecs, size=1)
    created = create(ecs, daemon_definition(ecs))
    ecs.update_daemon(
        daemonArn=created["daemonArn"],
        daemonTaskDefinitionArn=daemon_definition(ecs, image="example/agent:2"),
        capacityProviderArns=["hosts"],
    )
    first = deployment(ecs, created["deploymentArn"])
    assert first["status"] == "STOPPED" and "superseded" in first["statusReason"]
    assert (
        ecs.list_daemon_deployments(daemonArn=created["daemonArn"], status=["STOPPED"])[
            "daemonDeployments"
        ][0]["daemonDeploymentArn"]
        == created["deploymentArn"]
    )


def test_a_failing_update_rolls_back_to_the_previous_revision(fake: FakeECS, ecs: Any) -> None:
    hosts(fake, ecs, size=2)
    created = create(ecs, daemon_definition(ecs))
    fake.advance(60)
    fake.behaviour("broken", failToStart="CannotPullContainerError: image not found")
    updated = ecs.update_daemon(
        daemonArn=created["daemonArn"],
        daemonTaskDefinitionArn=daemon_definition(ecs, family="broken"),
        capacityProviderArns=["hosts"],
    )
    fake.advance(600)
    rolled = deployment(ecs, updated["deploymentArn"])
    assert rolled["status"] == "ROLLBACK_SUCCESSFUL"
    assert rolled["circuitBreaker"]["status"] == "TRIGGERED"
    assert rolled["circuitBreaker"]["failureCount"] >= rolled["circuitBreaker"]["threshold"] == 3
    source = rolled["sourceDaemonRevisions"][0]["arn"]
    assert rolled["rollback"]["rollbackTargetDaemonRevisionArn"] == source
    tasks = daemon_tasks(ecs)
    assert len(tasks) == 2 and {t["taskDefinitionArn"] for t in tasks} == {
        "arn:aws:ecs:us-east-1:123456789012:daemon-task-definition/agent:1"
    }


def test_delete_stops_the_tasks_and_the_daemon_goes_away(fake: FakeECS, ecs: Any) -> None:
    hosts(fake, ecs, size=2)
    td = daemon_definition(ecs)
    created = create(ecs, td)
    fake.advance(60)
    deleted = ecs.delete_daemon(daemonArn=created["daemonArn"])
    assert deleted["status"] == "DELETE_IN_PROGRESS"
    for call in (
        lambda: ecs.delete_daemon(daemonArn=created["daemonArn"]),
        lambda: ecs.update_daemon(
            daemonArn=created["daemonArn"],
            daemonTaskDefinitionArn=td,
            capacityProviderArns=["hosts"],
        ),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc)[0] == "DaemonNotActiveException"
    with pytest.raises(ClientError) as exc:
        create(ecs, td)
    assert error(exc)[0] == "InvalidParameterException" and "still being deleted" in error(exc)[1]
    fake.advance(120)
    assert daemon_tasks(ecs) == []
    with pytest.raises(ClientError) as exc:
        ecs.describe_daemon(daemonArn=created["daemonArn"])
    assert error(exc)[0] == "DaemonNotFoundException"
    assert deployment(ecs, deleted["deploymentArn"])["status"] == "SUCCESSFUL"
    assert (
        len(ecs.list_daemon_deployments(daemonArn=created["daemonArn"])["daemonDeployments"]) == 2
    )
    create(ecs, td)  # the name is free again


def test_a_deleted_definition_stays_deleting_while_a_daemon_runs_it(
    fake: FakeECS, ecs: Any
) -> None:
    hosts(fake, ecs, size=1)
    td = daemon_definition(ecs)
    created = create(ecs, td)
    ecs.delete_daemon_task_definition(daemonTaskDefinition=td)
    with pytest.raises(ClientError) as exc:
        create(ecs, td, name="other")
    assert error(exc)[0] == "ClientException" and "DELETE_IN_PROGRESS" in error(exc)[1]
    fake.advance(600)
    assert len(daemon_tasks(ecs)) == 1  # existing daemons keep running it
    status = ecs.describe_daemon_task_definition(daemonTaskDefinition=td)["daemonTaskDefinition"]
    assert status["status"] == "DELETE_IN_PROGRESS"
    ecs.delete_daemon(daemonArn=created["daemonArn"])
    fake.advance(600)
    assert ecs.list_daemon_task_definitions(status="ALL")["daemonTaskDefinitions"] == []


def test_create_refuses_what_ecs_refuses(fake: FakeECS, ecs: Any) -> None:
    hosts(fake, ecs, size=1)
    td = daemon_definition(ecs)
    ecs.create_capacity_provider(
        name="loose",
        autoScalingGroupProvider={
            "autoScalingGroupArn": "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:"
            "0b5c4b6e-1111-2222-3333-444455556666:autoScalingGroupName/loose"
        },
    )
    cases = [
        ({"clusterArn": "nope"}, "ClusterNotFoundException", "Cluster not found."),
        ({"daemonName": "bad name"}, "InvalidParameterException", "Daemon name"),
        ({"daemonTaskDefinitionArn": "missing:1"}, "ClientException", "Unable to describe"),
        ({"capacityProviderArns": []}, "InvalidParameterException", "can not be empty"),
        ({"capacityProviderArns": ["FARGATE"]}, "InvalidParameterException", "Managed Instances"),
        ({"capacityProviderArns": ["ghost"]}, "InvalidParameterException", "ghost was not found"),
        ({"capacityProviderArns": ["loose"]}, "InvalidParameterException", "not associated"),
        ({"clientToken": "x" * 37}, "InvalidParameterException", "clientToken"),
        (
            {"deploymentConfiguration": {"bakeTimeInMinutes": 5000}},
            "InvalidParameterException",
            "bakeTimeInMinutes",
        ),
    ]
    for extra, code, words in cases:
        with pytest.raises(ClientError) as exc:
            create(ecs, td, **extra)
        assert error(exc)[0] == code and words in error(exc)[1], extra
    assert ecs.list_daemons(clusterArn=CLUSTER)["daemonSummariesList"] == []
    first = create(ecs, td, clientToken="token-1")
    assert create(ecs, td, clientToken="token-1")["deploymentArn"] == first["deploymentArn"]
    with pytest.raises(ClientError) as exc:
        create(ecs, td, clientToken="token-2")
    assert error(exc) == ("InvalidParameterException", "Creation of daemon was not idempotent.")


def test_unknown_daemons_and_deployments(ecs: Any) -> None:
    missing = "arn:aws:ecs:us-east-1:123456789012:daemon/test-cluster/ghost"
    for call in (
        lambda: ecs.describe_daemon(daemonArn=missing),
        lambda: ecs.delete_daemon(daemonArn=missing),
        lambda: ecs.update_daemon(
            daemonArn=missing, daemonTaskDefinitionArn="agent:1", capacityProviderArns=["hosts"]
        ),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc)[0] == "DaemonNotFoundException"
    with pytest.raises(ClientError) as exc:
        ecs.describe_daemon(daemonArn="ghost")
    assert error(exc)[0] == "InvalidParameterException" and "daemon/CLUSTER/NAME" in error(exc)[1]
    with pytest.raises(ClientError) as exc:
        ecs.describe_daemon(daemonArn=missing.replace("test-cluster", "gone"))
    assert error(exc)[0] == "ClusterNotFoundException"
    assert ecs.list_daemon_deployments(daemonArn=missing)["daemonDeployments"] == []
    described = ecs.describe_daemon_deployments(daemonDeploymentArns=[missing + "-deployment"])
    assert described["failures"] == [{"arn": missing + "-deployment", "reason": "MISSING"}]
    with pytest.raises(ClientError) as exc:
        ecs.describe_daemon_deployments(daemonDeploymentArns=[])
    assert error(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        ecs.list_daemons(clusterArn="gone")
    assert error(exc)[0] == "ClusterNotFoundException"


def test_daemons_survive_a_restart_and_reset_forgets_them(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with FakeECS(clock="manual", seed=7, state=path) as fake:
        ecs = client(fake)
        ecs.create_cluster(clusterName=CLUSTER)
        # its own Auto Scaling group: moto's state is shared with the module's running fake
        hosts(fake, ecs, size=1, name="kept")
        created = create(ecs, daemon_definition(ecs), capacityProviderArns=["kept"])
        fake.advance(60)
        before = ecs.describe_daemon(daemonArn=created["daemonArn"])["daemon"]
        tasks_before = daemon_tasks(ecs)
    with FakeECS(clock="manual", seed=8, state=path) as fake:
        ecs = client(fake)
        assert ecs.describe_daemon(daemonArn=created["daemonArn"])["daemon"] == before
        assert daemon_tasks(ecs) == tasks_before
        assert deployment(ecs, created["deploymentArn"])["status"] == "SUCCESSFUL"
        assert (
            ecs.describe_daemon_task_definition(daemonTaskDefinition="agent")[
                "daemonTaskDefinition"
            ]["revision"]
            == 1
        )
        ecs.update_daemon(  # the scheduler carries on from the saved state
            daemonArn=created["daemonArn"],
            daemonTaskDefinitionArn=daemon_definition(ecs, image="example/agent:2"),
            capacityProviderArns=["kept"],
        )
        fake.advance(120)
        [task] = daemon_tasks(ecs)
        assert task["taskDefinitionArn"].endswith("agent:2")
        fake.reset()
        ecs.create_cluster(clusterName=CLUSTER)
        assert ecs.list_daemons(clusterArn=CLUSTER)["daemonSummariesList"] == []
        assert ecs.list_daemon_task_definitions(status="ALL")["daemonTaskDefinitions"] == []
