"""Gateways through boto3: create, update on the clock, cluster associations, the routes that
services with a gateway connector get, the infrastructure reported for them, the errors ECS answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from fakeecs import FakeECS
from tests.fakeecs.conftest import (
    CLUSTER,
    FAMILY,
    client,
    fargate_task_definition,
    network,
)

ROLE = "arn:aws:iam::123456789012:role/ecsInfrastructureRole"
GATEWAY_ARN = "arn:aws:ecs:us-east-1:123456789012:gateway/{}"
CLUSTER_ARN = f"arn:aws:ecs:us-east-1:123456789012:cluster/{CLUSTER}"


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def create(ecs: Any, name: str = "edge", **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "name": name,
        "infrastructureRoleArn": ROLE,
        "configuration": {"hostSharedAlb": {}},
    }
    return ecs.create_gateway(**{**params, **extra})


def web_service(ecs: Any, name: str = "web", **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "cluster": CLUSTER,
        "serviceName": name,
        "taskDefinition": f"{FAMILY}:1",
        "desiredCount": 1,
        "launchType": "FARGATE",
        "networkConfiguration": network(ecs),
        "gatewayConnectors": [{"portName": "http"}],
    }
    return ecs.create_service(**{**params, **extra})["service"]


def routes(ecs: Any, **filters: Any) -> list[dict[str, Any]]:
    return ecs.list_gateway_routes(**filters)["gatewayRoutes"]


def associations(ecs: Any, **filters: Any) -> list[dict[str, Any]]:
    return ecs.list_gateway_cluster_associations(**filters)["gatewayClusterAssociations"]


def test_create_describe_and_list_gateways(fake: FakeECS, ecs: Any) -> None:
    created = create(ecs, tags=[{"key": "team", "value": "data"}])
    assert created == {
        "gatewayArn": GATEWAY_ARN.format("edge"),
        "name": "edge",
        "status": "ACTIVE",
        "ResponseMetadata": created["ResponseMetadata"],
    }
    create(ecs, "inside", configuration={"hostSharedAlb": {"scheme": "internal"}})
    gateway = ecs.describe_gateway(gateway="edge")["gateway"]
    assert gateway["accessType"] == "PUBLIC"
    assert gateway["deletionProtection"] is False
    assert gateway["propagateTags"] == "GATEWAY"
    assert gateway["tags"] == [{"key": "team", "value": "data"}]
    alb = gateway["configuration"]["hostSharedAlb"]
    assert (alb["port"], alb["protocol"], alb["scheme"]) == (443, "HTTPS", "internet-facing")
    assert (alb["maxAlbCount"], alb["currentAlbCount"]) == (10, 0)
    assert alb["networkConfiguration"]["ipAddressType"] == "dualstack"
    by_arn = ecs.describe_gateway(gateway=GATEWAY_ARN.format("inside"))["gateway"]
    assert by_arn["accessType"] == "PRIVATE"
    assert [g["name"] for g in ecs.list_gateways()["gateways"]] == ["edge", "inside"]
    assert [g["name"] for g in ecs.list_gateways(names=["inside"])["gateways"]] == ["inside"]
    first = ecs.list_gateways(maxResults=1)
    assert [g["name"] for g in first["gateways"]] == ["edge"]
    rest = ecs.list_gateways(maxResults=1, nextToken=first["nextToken"])
    assert [g["name"] for g in rest["gateways"]] == ["inside"]
    assert "nextToken" not in rest
    token = "same-request"
    again = create(ecs, "tok", clientToken=token)
    assert create(ecs, "tok", clientToken=token)["gatewayArn"] == again["gatewayArn"]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"name": "bad name!"}, "Gateway name must be 1-255 characters"),
        ({"configuration": {"hostSharedAlb": {"port": 80}}}, "port 443 only"),
        ({"configuration": {"hostSharedAlb": {"protocol": "HTTP"}}}, "port 443 only"),
        ({"configuration": {"hostSharedAlb": {"maxAlbCount": 0}}}, "maxAlbCount"),
    ],
)
def test_create_gateway_refuses_bad_requests(
    fake: FakeECS, ecs: Any, params: dict[str, Any], words: str
) -> None:
    with pytest.raises(ClientError) as exc:
        create(ecs, **params)
    code, message = error(exc)
    assert code == "InvalidParameterException"
    assert words in message


def test_a_gateway_name_is_unique(fake: FakeECS, ecs: Any) -> None:
    create(ecs)
    with pytest.raises(ClientError) as exc:
        create(ecs)
    assert error(exc)[0] == "InvalidParameterException"
    assert "already exists" in error(exc)[1]


def test_update_gateway_is_in_progress_until_the_clock_moves(fake: FakeECS, ecs: Any) -> None:
    create(ecs)
    answer = ecs.update_gateway(
        gateway="edge",
        deletionProtection=True,
        configuration={"hostSharedAlb": {"maxAlbCount": 3, "httpDesync": "strictest"}},
    )
    assert answer["status"] == "UPDATE_IN_PROGRESS"
    assert ecs.list_gateways(status=["UPDATE_IN_PROGRESS"])["gateways"][0]["name"] == "edge"
    fake.advance(31)
    gateway = ecs.describe_gateway(gateway="edge")["gateway"]
    assert gateway["status"] == "UPDATE_COMPLETE"
    assert gateway["deletionProtection"] is True
    alb = gateway["configuration"]["hostSharedAlb"]
    assert (alb["maxAlbCount"], alb["httpDesync"], alb["port"]) == (3, "strictest", 443)
    with pytest.raises(ClientError) as exc:
        ecs.update_gateway(gateway="edge", configuration={"hostSharedAlb": {"maxAlbCount": 0}})
    assert error(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        ecs.update_gateway(gateway="gone")
    assert error(exc)[0] == "GatewayNotFoundException"


def test_associations_routes_and_reported_infrastructure(fake: FakeECS, ecs: Any) -> None:
    create(ecs)
    associated = ecs.associate_gateway_with_cluster(gateway="edge", cluster=CLUSTER)
    assert (associated["clusterArn"], associated["status"]) == (CLUSTER_ARN, "ACTIVE")
    assert associations(ecs, cluster=CLUSTER) == [
        {"gatewayArn": GATEWAY_ARN.format("edge"), "clusterArn": CLUSTER_ARN, "status": "ACTIVE"}
    ]
    resources = ecs.describe_gateway_resources(gateway="edge")["gatewayResources"]
    assert resources["resources"]["hostSharedAlb"] == []  # nothing uses the gateway yet
    service = web_service(ecs)
    web_service(
        ecs,
        "private-only",
        gatewayConnectors=[{"portName": "http", "filters": {"accessTypes": ["PRIVATE"]}}],
    )
    web_service(ecs, "no-ingress", gatewayConnectors=[])
    [route] = routes(ecs, gateway="edge")
    assert route["serviceArn"] == service["serviceArn"]
    assert (route["serviceContainerPortName"], route["status"]) == ("http", "ACTIVE")
    assert route["clusterArn"] == CLUSTER_ARN
    assert routes(ecs, service="web", cluster=CLUSTER, serviceContainerPortName="http") == [route]
    assert routes(ecs, serviceContainerPortName="grpc") == []
    described = ecs.describe_gateway_route(gatewayRouteArn=route["gatewayRouteArn"])["gatewayRoute"]
    assert described["serviceUrl"].startswith("https://web-")
    [alb] = described["resources"]["hostSharedAlb"]
    assert alb["loadBalancerArn"].startswith("arn:aws:elasticloadbalancing:us-east-1:")
    [group] = ecs.describe_gateway_resources(gateway="edge")["gatewayResources"]["resources"][
        "hostSharedAlb"
    ]
    assert group["loadBalancerArn"] == alb["loadBalancerArn"]
    assert group["gatewayRouteArns"] == [route["gatewayRouteArn"]]
    alb_config = ecs.describe_gateway(gateway="edge")["gateway"]["configuration"]["hostSharedAlb"]
    assert alb_config["currentAlbCount"] == 1

    with pytest.raises(ClientError) as exc:
        ecs.delete_gateway(gateway="edge")
    assert error(exc)[0] == "ClientException"
    assert "DisassociateGatewayFromCluster" in error(exc)[1]
    answer = ecs.disassociate_gateway_from_cluster(gateway="edge", cluster=CLUSTER)
    assert answer["status"] == "DISASSOCIATING"  # the route of `web` keeps it
    assert associations(ecs, status=["DISASSOCIATING"])[0]["clusterArn"] == CLUSTER_ARN
    ecs.update_service(cluster=CLUSTER, service="web", gatewayConnectors=[])
    assert routes(ecs) == []
    assert associations(ecs) == []
    with pytest.raises(ClientError) as exc:
        ecs.describe_gateway_route(gatewayRouteArn=route["gatewayRouteArn"])
    assert error(exc)[0] == "ResourceNotFoundException"
    deleted = ecs.delete_gateway(gateway="edge")
    assert deleted["status"] == "DELETED"
    with pytest.raises(ClientError) as exc:
        ecs.describe_gateway(gateway="edge")
    assert error(exc)[0] == "GatewayNotFoundException"


def test_gateway_errors(fake: FakeECS, ecs: Any) -> None:
    for call in (
        lambda: ecs.describe_gateway(gateway="gone"),
        lambda: ecs.delete_gateway(gateway="gone"),
        lambda: ecs.describe_gateway_resources(gateway="gone"),
        lambda: ecs.list_gateway_routes(gateway="gone"),
        lambda: ecs.associate_gateway_with_cluster(gateway="gone", cluster=CLUSTER),
        lambda: ecs.disassociate_gateway_from_cluster(gateway="gone", cluster=CLUSTER),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc)[0] == "GatewayNotFoundException"
    create(ecs, deletionProtection=True)
    with pytest.raises(ClientError) as exc:
        ecs.delete_gateway(gateway="edge")
    assert error(exc)[0] == "ClientException"
    assert "deletion protection" in error(exc)[1]
    with pytest.raises(ClientError) as exc:
        ecs.associate_gateway_with_cluster(gateway="edge", cluster="gone")
    assert error(exc)[0] == "ClusterNotFoundException"
    with pytest.raises(ClientError) as exc:
        ecs.disassociate_gateway_from_cluster(gateway="edge", cluster=CLUSTER)
    assert error(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        ecs.list_gateways(names=[f"g{i}" for i in range(11)])
    assert error(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        ecs.describe_gateway_resources(gateway="edge", maxResults=21)
    assert error(exc)[0] == "InvalidParameterException"
    for i in range(5):
        create(ecs, f"g{i}")
        ecs.associate_gateway_with_cluster(gateway=f"g{i}", cluster=CLUSTER)
    with pytest.raises(ClientError) as exc:
        ecs.associate_gateway_with_cluster(gateway="edge", cluster=CLUSTER)
    assert error(exc)[0] == "InvalidParameterException"
    assert "5 gateways" in error(exc)[1]


def test_gateways_survive_a_restart_and_reset_forgets_them(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with FakeECS(clock="manual", seed=7, state=path) as fake:
        ecs = client(fake)
        ecs.create_cluster(clusterName=CLUSTER)
        ecs.register_task_definition(**fargate_task_definition())
        create(ecs)
        ecs.associate_gateway_with_cluster(gateway="edge", cluster=CLUSTER)
        web_service(ecs)
        ecs.update_gateway(gateway="edge", deletionProtection=True)
        before = ecs.describe_gateway(gateway="edge")["gateway"]
        routes_before = routes(ecs)
    with FakeECS(clock="manual", seed=8, state=path) as fake:
        ecs = client(fake)
        assert ecs.describe_gateway(gateway="edge")["gateway"] == before
        assert routes(ecs) == routes_before
        assert associations(ecs)[0]["status"] == "ACTIVE"
        fake.advance(31)  # the update carries on from the saved state
        assert ecs.describe_gateway(gateway="edge")["gateway"]["status"] == "UPDATE_COMPLETE"
        fake.reset()
        assert ecs.list_gateways()["gateways"] == []
        assert associations(ecs) == []
