"""A cluster's serviceConnectDefaults through boto3: CreateCluster and UpdateCluster store the
default namespace (shown as its ARN, as ECS shows it), a service that turns Service Connect on
without a namespace joins it, and ListServicesByNamespace finds it by name or ARN."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from fakeecs import FakeECS
from tests.fakeecs.conftest import CLUSTER, client, fargate_task_definition
from tests.fakeecs.test_contract_services_by_namespace import NAMESPACE, create

NAMESPACE_ARN = re.compile(r"^arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-\w+$")


def defaults(ecs: Any, cluster: str = CLUSTER) -> dict[str, str] | None:
    return ecs.describe_clusters(clusters=[cluster])["clusters"][0].get("serviceConnectDefaults")


def listed(ecs: Any, namespace: str) -> list[str]:
    return ecs.list_services_by_namespace(namespace=namespace)["serviceArns"]


def test_create_cluster_stores_the_default_namespace_as_its_arn(ecs: Any) -> None:
    created = ecs.create_cluster(clusterName="sc", serviceConnectDefaults={"namespace": NAMESPACE})[
        "cluster"
    ]
    arn = created["serviceConnectDefaults"]["namespace"]
    assert NAMESPACE_ARN.match(arn)
    assert defaults(ecs, "sc") == {"namespace": arn}
    assert defaults(ecs) is None  # a cluster without one shows none
    again = ecs.create_cluster(clusterName="other", serviceConnectDefaults={"namespace": NAMESPACE})
    assert again["cluster"]["serviceConnectDefaults"]["namespace"] == arn  # one name, one ARN


def test_a_service_connect_service_without_a_namespace_joins_the_clusters_default(
    ecs: Any,
) -> None:
    ecs.update_cluster(cluster=CLUSTER, serviceConnectDefaults={"namespace": NAMESPACE})
    arn = defaults(ecs)["namespace"]
    joined = create(ecs, "a", enabled=True)
    own = create(ecs, "b", enabled=True, namespace="elsewhere")
    create(ecs, "c", enabled=False)
    assert listed(ecs, NAMESPACE) == [joined]
    assert listed(ecs, arn) == [joined]  # the name and its ARN are one namespace
    assert listed(ecs, "elsewhere") == [own]
    with pytest.raises(ClientError) as exc:
        listed(ecs, "nobody.example")
    assert exc.value.response["Error"]["Code"] == "NamespaceNotFoundException"


def test_update_cluster_with_an_empty_namespace_removes_the_default(ecs: Any) -> None:
    ecs.update_cluster(cluster=CLUSTER, serviceConnectDefaults={"namespace": NAMESPACE})
    assert listed(ecs, NAMESPACE) == []  # a cluster's default namespace exists, empty
    updated = ecs.update_cluster(cluster=CLUSTER, serviceConnectDefaults={"namespace": ""})
    assert "serviceConnectDefaults" not in updated["cluster"]
    with pytest.raises(ClientError) as exc:
        create(ecs, "a", enabled=True)
    assert exc.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "no default Service Connect namespace" in exc.value.response["Error"]["Message"]
    assert ecs.list_services(cluster=CLUSTER)["serviceArns"] == []


def test_update_service_turning_service_connect_on_uses_the_default(ecs: Any) -> None:
    ecs.update_cluster(cluster=CLUSTER, serviceConnectDefaults={"namespace": NAMESPACE})
    arn = create(ecs, "a")
    ecs.update_service(cluster=CLUSTER, service="a", serviceConnectConfiguration={"enabled": True})
    assert listed(ecs, NAMESPACE) == [arn]


def test_a_namespace_made_in_moto_cloud_map_is_resolved_by_name(fake: FakeECS, ecs: Any) -> None:
    cloud_map = client(fake, "servicediscovery")
    cloud_map.create_http_namespace(Name="mapped.example")
    [namespace] = cloud_map.list_namespaces()["Namespaces"]
    ecs.update_cluster(cluster=CLUSTER, serviceConnectDefaults={"namespace": "mapped.example"})
    assert defaults(ecs) == {"namespace": namespace["Arn"]}
    assert listed(ecs, namespace["Arn"]) == []  # known to Cloud Map: found, and empty
    assert listed(ecs, "mapped.example") == []
    arn = create(ecs, "a", enabled=True, namespace=namespace["Arn"])
    assert listed(ecs, "mapped.example") == [arn]


@pytest.mark.parametrize("bad", ["a/b", 'quote"d', "x" * 1025])
def test_bad_namespace_names_are_refused(ecs: Any, bad: str) -> None:
    with pytest.raises(ClientError) as exc:
        ecs.update_cluster(cluster=CLUSTER, serviceConnectDefaults={"namespace": bad})
    assert exc.value.response["Error"]["Code"] == "InvalidParameterException"
    assert defaults(ecs) is None


def test_the_default_namespace_survives_a_restart(tmp_path: Path) -> None:
    with FakeECS(clock="manual", seed=1, state=tmp_path / "state.json") as fake:
        ecs = client(fake)
        ecs.create_cluster(clusterName=CLUSTER, serviceConnectDefaults={"namespace": NAMESPACE})
        ecs.register_task_definition(**fargate_task_definition())
        before = defaults(ecs)
    with FakeECS(clock="manual", seed=2, state=tmp_path / "state.json") as fake:
        ecs = client(fake)
        assert defaults(ecs) == before
        arn = create(ecs, "a", enabled=True)
        assert listed(ecs, NAMESPACE) == [arn]
