"""ListServicesByNamespace through boto3: the services of every cluster whose Service Connect
configuration names a namespace (fakeecs has no Cloud Map: a namespace is known while some
service names it)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.fakeecs.conftest import CLUSTER, network

NAMESPACE = "internal.example"


def create(ecs: Any, name: str, cluster: str = CLUSTER, **connect: Any) -> str:
    params: dict[str, Any] = {
        "cluster": cluster,
        "serviceName": name,
        "taskDefinition": "worker",
        "desiredCount": 0,
        "launchType": "FARGATE",
        "networkConfiguration": network(ecs),
    }
    if connect:
        params["serviceConnectConfiguration"] = connect
    return ecs.create_service(**params)["service"]["serviceArn"]


def test_services_of_every_cluster_in_the_namespace_are_listed(ecs: Any) -> None:
    ecs.create_cluster(clusterName="other")
    one = create(ecs, "a", enabled=True, namespace=NAMESPACE)
    two = create(ecs, "b", cluster="other", enabled=True, namespace=NAMESPACE)
    create(ecs, "c", enabled=True, namespace="elsewhere")
    create(ecs, "d")
    answer = ecs.list_services_by_namespace(namespace=NAMESPACE)
    assert answer["serviceArns"] == sorted([one, two])
    assert "nextToken" not in answer


def test_an_unknown_namespace_is_not_found(ecs: Any) -> None:
    create(ecs, "a", enabled=True, namespace=NAMESPACE)
    with pytest.raises(ClientError) as exc:
        ecs.list_services_by_namespace(namespace="nobody.example")
    assert exc.value.response["Error"]["Code"] == "NamespaceNotFoundException"


def test_a_service_that_turned_service_connect_off_or_was_deleted_leaves_the_list(
    fake: Any, ecs: Any
) -> None:
    create(ecs, "a", enabled=True, namespace=NAMESPACE)
    kept = create(ecs, "b", enabled=True, namespace=NAMESPACE)
    ecs.update_service(
        cluster=CLUSTER,
        service="a",
        serviceConnectConfiguration={"enabled": False, "namespace": NAMESPACE},
    )
    assert ecs.list_services_by_namespace(namespace=NAMESPACE)["serviceArns"] == [kept]
    ecs.delete_service(cluster=CLUSTER, service="b")
    fake.advance(10)  # b is INACTIVE: the namespace is still known, and empty
    assert ecs.list_services_by_namespace(namespace=NAMESPACE)["serviceArns"] == []


def test_pages_follow_max_results_and_next_token(ecs: Any) -> None:
    arns = sorted(create(ecs, f"s{i}", enabled=True, namespace=NAMESPACE) for i in range(5))
    seen, token = [], None
    while True:
        kwargs: dict[str, Any] = {"namespace": NAMESPACE, "maxResults": 2}
        if token:
            kwargs["nextToken"] = token
        answer = ecs.list_services_by_namespace(**kwargs)
        assert len(answer["serviceArns"]) <= 2
        seen += answer["serviceArns"]
        token = answer.get("nextToken")
        if not token:
            break
    assert seen == arns
    pages = ecs.get_paginator("list_services_by_namespace").paginate(namespace=NAMESPACE)
    assert [a for p in pages for a in p["serviceArns"]] == arns
    with pytest.raises(ClientError) as exc:
        ecs.list_services_by_namespace(namespace=NAMESPACE, maxResults=101)
    assert exc.value.response["Error"]["Code"] == "InvalidParameterException"


def test_the_namespace_survives_a_restart(tmp_path: Any) -> None:
    from fakeecs import FakeECS
    from tests.fakeecs.conftest import client, fargate_task_definition

    fake = FakeECS(clock="manual", seed=0, state=tmp_path / "state.json").start()
    try:
        ecs = client(fake)
        ecs.create_cluster(clusterName=CLUSTER)
        ecs.register_task_definition(**fargate_task_definition())
        arn = create(ecs, "a", enabled=True, namespace=NAMESPACE)
        fake = fake.restart()
        assert ecs.list_services_by_namespace(namespace=NAMESPACE)["serviceArns"] == [arn]
    finally:
        fake.stop()
