"""Clusters and task definitions through boto3, with ECS's rules and errors."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.fakeecs.conftest import CLUSTER, client, fargate_task_definition, run


def code_of(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return exc.value.response["Error"]["Code"]


def test_create_describe_list_delete_cluster(fake: Any) -> None:
    ecs = client(fake)
    made = ecs.create_cluster(clusterName="library", tags=[{"key": "env", "value": "stage"}])[
        "cluster"
    ]
    assert made["status"] == "ACTIVE"
    assert made["clusterArn"] == "arn:aws:ecs:us-east-1:123456789012:cluster/library"
    described = ecs.describe_clusters(clusters=["library", "ghost"], include=["TAGS", "SETTINGS"])
    assert described["clusters"][0]["tags"] == [{"key": "env", "value": "stage"}]
    assert described["clusters"][0]["settings"] == [
        {"name": "containerInsights", "value": "disabled"}
    ]
    assert described["failures"][0]["reason"] == "MISSING"
    assert ecs.list_clusters()["clusterArns"] == [made["clusterArn"]]
    deleted = ecs.delete_cluster(cluster="library")["cluster"]
    assert deleted["status"] == "INACTIVE"
    assert ecs.list_clusters()["clusterArns"] == [made["clusterArn"]]  # still discoverable
    assert ecs.describe_clusters(clusters=["library"])["clusters"][0]["status"] == "INACTIVE"


def test_a_cluster_with_active_tasks_cannot_be_deleted(fake: Any, ecs: Any) -> None:
    run(ecs)
    with pytest.raises(ClientError) as exc:
        ecs.delete_cluster(cluster=CLUSTER)
    assert code_of(exc) == "ClusterContainsTasksException"
    fake.advance(120)
    assert ecs.delete_cluster(cluster=CLUSTER)["cluster"]["status"] == "INACTIVE"


def test_an_invalid_cluster_name_is_refused(fake: Any) -> None:
    with pytest.raises(ClientError) as exc:
        client(fake).create_cluster(clusterName="has spaces")
    assert code_of(exc) == "InvalidParameterException"


def test_revisions_count_up_per_family(ecs: Any) -> None:
    second = ecs.register_task_definition(**fargate_task_definition())["taskDefinition"]
    assert second["revision"] == 2
    assert second["taskDefinitionArn"].endswith("task-definition/worker:2")
    assert second["compatibilities"] == ["EC2", "FARGATE"]
    assert second["containerDefinitions"][0]["essential"] is True
    assert ecs.describe_task_definition(taskDefinition="worker")["taskDefinition"]["revision"] == 2
    assert (
        ecs.describe_task_definition(taskDefinition="worker:1")["taskDefinition"]["revision"] == 1
    )
    by_arn = ecs.describe_task_definition(taskDefinition=second["taskDefinitionArn"])
    assert by_arn["taskDefinition"]["revision"] == 2


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"networkMode": "bridge"}, "awsvpc"),
        ({"cpu": "256", "memory": "4096"}, "No Fargate configuration"),
        ({"cpu": None}, "cpu"),
        ({"memory": None}, "memory"),
        (
            {
                "containerDefinitions": [
                    {
                        "name": "m",
                        "image": "i",
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {"awslogs-group": "/g"},
                        },
                    }
                ]
            },
            "execution role",
        ),
        ({"containerDefinitions": [{"name": "m", "image": "i", "essential": False}]}, "essential"),
    ],
)
def test_fargate_rules_at_registration(fake: Any, change: dict[str, Any], words: str) -> None:
    params = fargate_task_definition(**change)
    params = {k: v for k, v in params.items() if v is not None}
    with pytest.raises(ClientError) as exc:
        client(fake).register_task_definition(**params)
    assert code_of(exc) == "ClientException"
    assert words in exc.value.response["Error"]["Message"]


def test_cpu_and_memory_accept_units(fake: Any) -> None:
    td = client(fake).register_task_definition(
        **fargate_task_definition(cpu="1 vCPU", memory="2 GB")
    )
    assert (td["taskDefinition"]["cpu"], td["taskDefinition"]["memory"]) == ("1024", "2048")


def test_deregistered_revisions_stay_describable(ecs: Any) -> None:
    ecs.register_task_definition(**fargate_task_definition())
    gone = ecs.deregister_task_definition(taskDefinition="worker:1")["taskDefinition"]
    assert gone["status"] == "INACTIVE" and "deregisteredAt" in gone
    assert (
        ecs.describe_task_definition(taskDefinition="worker:1")["taskDefinition"]["status"]
        == "INACTIVE"
    )
    assert ecs.list_task_definitions(familyPrefix="worker")["taskDefinitionArns"] == [
        "arn:aws:ecs:us-east-1:123456789012:task-definition/worker:2"
    ]
    inactive = ecs.list_task_definitions(status="INACTIVE")["taskDefinitionArns"]
    assert inactive == ["arn:aws:ecs:us-east-1:123456789012:task-definition/worker:1"]


def test_list_families(ecs: Any) -> None:
    ecs.register_task_definition(**fargate_task_definition("retired"))
    ecs.deregister_task_definition(taskDefinition="retired:1")
    assert ecs.list_task_definition_families()["families"] == ["worker"]
    assert ecs.list_task_definition_families(status="INACTIVE")["families"] == ["retired"]
    assert ecs.list_task_definition_families(status="ALL")["families"] == ["retired", "worker"]
    assert ecs.list_task_definition_families(familyPrefix="ret", status="ALL")["families"] == [
        "retired"
    ]


def test_task_definition_tags(ecs: Any) -> None:
    ecs.register_task_definition(**fargate_task_definition("t", tags=[{"key": "a", "value": "b"}]))
    described = ecs.describe_task_definition(taskDefinition="t", include=["TAGS"])
    assert described["tags"] == [{"key": "a", "value": "b"}]
    arn = described["taskDefinition"]["taskDefinitionArn"]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "c", "value": "d"}])
    assert len(ecs.list_tags_for_resource(resourceArn=arn)["tags"]) == 2


def test_unknown_revision_is_a_client_error(ecs: Any) -> None:
    with pytest.raises(ClientError) as exc:
        ecs.describe_task_definition(taskDefinition="worker:99")
    assert code_of(exc) == "ClientException"


def test_update_cluster_settings_merge_by_name_and_show_in_describe(fake: Any) -> None:
    ecs = client(fake)
    ecs.create_cluster(clusterName="library")
    updated = ecs.update_cluster_settings(
        cluster="library", settings=[{"name": "containerInsights", "value": "enhanced"}]
    )["cluster"]
    assert updated["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    described = ecs.describe_clusters(clusters=["library"], include=["SETTINGS"])["clusters"][0]
    assert described["settings"] == [{"name": "containerInsights", "value": "enhanced"}]


def test_update_cluster_sets_settings_and_configuration(fake: Any) -> None:
    ecs = client(fake)
    ecs.create_cluster(clusterName="library")
    configuration = {"executeCommandConfiguration": {"logging": "DEFAULT"}}
    updated = ecs.update_cluster(
        cluster="library",
        settings=[{"name": "containerInsights", "value": "enabled"}],
        configuration=configuration,
    )["cluster"]
    assert updated["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert updated["configuration"] == configuration
    described = ecs.describe_clusters(clusters=["library"], include=["CONFIGURATIONS"])
    assert described["clusters"][0]["configuration"] == configuration


@pytest.mark.parametrize("operation", ["update_cluster", "update_cluster_settings"])
def test_updating_a_missing_or_deleted_cluster_is_cluster_not_found(
    fake: Any, operation: str
) -> None:
    ecs = client(fake)
    ecs.create_cluster(clusterName="gone")
    ecs.delete_cluster(cluster="gone")
    settings = [{"name": "containerInsights", "value": "enabled"}]
    for name in ("gone", "never"):
        with pytest.raises(ClientError) as exc:
            getattr(ecs, operation)(cluster=name, settings=settings)
        assert code_of(exc) == "ClusterNotFoundException"


def test_an_unknown_container_insights_value_is_refused_and_changes_nothing(fake: Any) -> None:
    ecs = client(fake)
    ecs.create_cluster(clusterName="library")
    with pytest.raises(ClientError) as exc:
        ecs.update_cluster_settings(
            cluster="library", settings=[{"name": "containerInsights", "value": "on"}]
        )
    assert code_of(exc) == "InvalidParameterException"
    assert "enabled, disabled, enhanced" in exc.value.response["Error"]["Message"]
    described = ecs.describe_clusters(clusters=["library"], include=["SETTINGS"])["clusters"][0]
    assert described["settings"] == [{"name": "containerInsights", "value": "disabled"}]
