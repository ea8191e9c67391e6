"""Express services through boto3: an ordinary service underneath (its tasks, deployments and
events show through the ordinary calls), the Express view of it, updates as new revisions,
deletion, and the errors ECS answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from fakeecs import FakeECS
from tests.fakeecs.conftest import CLUSTER, client, network

ROLE = "arn:aws:iam::123456789012:role/ecsInfrastructureRole"
SERVICE_ARN = f"arn:aws:ecs:us-east-1:123456789012:service/{CLUSTER}/shop"


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def create(ecs: Any, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "cluster": CLUSTER,
        "serviceName": "shop",
        "infrastructureRoleArn": ROLE,
        "primaryContainer": {"image": "example/shop:1", "containerPort": 8080},
    }
    return ecs.create_express_gateway_service(**{**params, **extra})["service"]


def describe(ecs: Any, **extra: Any) -> dict[str, Any]:
    return ecs.describe_express_gateway_service(serviceArn=SERVICE_ARN, **extra)["service"]


def ordinary(ecs: Any) -> dict[str, Any]:
    return ecs.describe_services(cluster=CLUSTER, services=["shop"])["services"][0]


def running(ecs: Any) -> list[dict[str, Any]]:
    arns = ecs.list_tasks(cluster=CLUSTER, serviceName="shop")["taskArns"]
    return ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if arns else []


def test_an_express_service_without_subnets_runs_in_the_default_vpc(
    fake: FakeECS, ecs: Any
) -> None:
    [config] = create(ecs)["activeConfigurations"]
    default = fake.default_network()["awsvpcConfiguration"]
    assert config["networkConfiguration"] == default
    underneath = ordinary(ecs)["networkConfiguration"]["awsvpcConfiguration"]
    assert underneath["subnets"] == default["subnets"]


def test_an_express_service_is_an_ordinary_service_underneath(fake: FakeECS, ecs: Any) -> None:
    created = create(
        ecs,
        scalingTarget={"minTaskCount": 2, "maxTaskCount": 4},
        tags=[{"key": "team", "value": "shop"}],
    )
    assert created["serviceArn"] == SERVICE_ARN
    assert created["status"] == {"statusCode": "ACTIVE"}
    assert created["infrastructureRoleArn"] == ROLE
    [config] = created["activeConfigurations"]
    assert (config["cpu"], config["memory"], config["cpuArchitecture"]) == ("256", "512", "X86_64")
    assert config["healthCheckPath"] == "/ping"
    assert config["scalingTarget"]["minTaskCount"] == 2
    assert config["ingressPaths"][0]["endpoint"].startswith("https://shop-")
    assert config["serviceRevisionArn"].startswith(
        "arn:aws:ecs:us-east-1:123456789012:service-revision/"
    )
    td = ecs.describe_task_definition(taskDefinition=config["taskDefinitionArn"])["taskDefinition"]
    assert td["family"] == "express-shop"
    [main] = td["containerDefinitions"]
    assert (main["name"], main["image"]) == ("Main", "example/shop:1")
    assert main["portMappings"][0]["containerPort"] == 8080
    assert td["requiresCompatibilities"] == ["FARGATE"]

    service = ordinary(ecs)
    assert (service["desiredCount"], service["launchType"]) == (2, "FARGATE")
    assert service["taskDefinition"] == config["taskDefinitionArn"]
    fake.advance(120)
    tasks = running(ecs)
    assert [t["lastStatus"] for t in tasks] == ["RUNNING", "RUNNING"]
    assert any("steady state" in e["message"] for e in ordinary(ecs)["events"])
    [deployment] = ecs.list_service_deployments(cluster=CLUSTER, service="shop")[
        "serviceDeployments"
    ]
    assert describe(ecs)["currentDeployment"] == deployment["serviceDeploymentArn"]
    assert "tags" not in describe(ecs)
    assert describe(ecs, include=["TAGS"])["tags"] == [{"key": "team", "value": "shop"}]


def test_update_rolls_out_a_new_revision(fake: FakeECS, ecs: Any) -> None:
    create(ecs)
    fake.advance(120)
    updated = ecs.update_express_gateway_service(
        serviceArn=SERVICE_ARN,
        primaryContainer={"image": "example/shop:2"},
        cpu="512",
        memory="1024",
        scalingTarget={"minTaskCount": 3},
    )["service"]
    target = updated["targetConfiguration"]
    assert (target["cpu"], target["memory"]) == ("512", "1024")
    assert target["taskDefinitionArn"].endswith("task-definition/express-shop:2")
    assert ordinary(ecs)["desiredCount"] == 3
    assert len(describe(ecs)["activeConfigurations"]) == 2  # old tasks still run
    fake.advance(600)
    [config] = describe(ecs)["activeConfigurations"]
    assert config["serviceRevisionArn"] == target["serviceRevisionArn"]
    images = {
        c["image"] for t in running(ecs) if t["desiredStatus"] == "RUNNING" for c in t["containers"]
    }
    assert images == {"example/shop:2"}
    scaled = ecs.update_express_gateway_service(
        serviceArn=SERVICE_ARN, scalingTarget={"minTaskCount": 1}
    )["service"]
    assert scaled["targetConfiguration"]["taskDefinitionArn"] == target["taskDefinitionArn"]
    assert ordinary(ecs)["desiredCount"] == 1


def test_an_express_service_on_a_task_definition_of_ones_own(fake: FakeECS, ecs: Any) -> None:
    own = {
        "family": "own",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [
            {
                "name": "Main",
                "image": "example/shop:1",
                "portMappings": [{"containerPort": 80, "name": "web"}],
            },
            {"name": "sidecar", "image": "example/proxy:1", "essential": False},
        ],
    }
    td_arn = ecs.register_task_definition(**own)["taskDefinition"]["taskDefinitionArn"]
    params = {"cluster": CLUSTER, "serviceName": "shop", "infrastructureRoleArn": ROLE}
    created = ecs.create_express_gateway_service(**params, taskDefinitionArn=td_arn)["service"]
    assert created["activeConfigurations"][0]["taskDefinitionArn"] == td_arn
    assert ordinary(ecs)["taskDefinition"] == td_arn
    with pytest.raises(ClientError) as exc:
        ecs.update_express_gateway_service(serviceArn=SERVICE_ARN, cpu="512")
    assert error(exc)[0] == "InvalidParameterException"
    bad = {**own, "family": "bad", "containerDefinitions": [{"name": "app", "image": "x"}]}
    bad_arn = ecs.register_task_definition(**bad)["taskDefinition"]["taskDefinitionArn"]
    with pytest.raises(ClientError) as exc:
        ecs.create_express_gateway_service(
            **{**params, "serviceName": "b"}, taskDefinitionArn=bad_arn
        )
    assert error(exc)[0] == "InvalidParameterException"
    assert "container named Main" in error(exc)[1]


def test_delete_drains_the_service(fake: FakeECS, ecs: Any) -> None:
    create(ecs)
    fake.advance(120)
    deleted = ecs.delete_express_gateway_service(serviceArn=SERVICE_ARN)["service"]
    assert deleted["status"]["statusCode"] == "DRAINING"
    fake.advance(300)
    assert all(t["lastStatus"] == "STOPPED" for t in running(ecs))
    assert describe(ecs)["status"]["statusCode"] == "INACTIVE"
    with pytest.raises(ClientError) as exc:
        ecs.update_express_gateway_service(serviceArn=SERVICE_ARN, cpu="512")
    assert error(exc)[0] == "ServiceNotActiveException"
    with pytest.raises(ClientError) as exc:
        ecs.delete_express_gateway_service(serviceArn=SERVICE_ARN)
    assert error(exc)[0] == "ServiceNotActiveException"


@pytest.mark.parametrize(
    ("params", "code", "words"),
    [
        ({"serviceName": "bad name"}, "InvalidParameterException", "serviceName"),
        ({"primaryContainer": None}, "InvalidParameterException", "primaryContainer"),
        (
            {"taskDefinitionArn": "own:1", "cpu": "512"},
            "InvalidParameterException",
            "can't also specify",
        ),
        ({"healthCheckPath": "ping"}, "InvalidParameterException", "forward slash"),
        (
            {"scalingTarget": {"minTaskCount": 5, "maxTaskCount": 2}},
            "InvalidParameterException",
            "minTaskCount",
        ),
        ({"cluster": "gone"}, "ClusterNotFoundException", ""),
    ],
)
def test_create_refuses_bad_requests(
    fake: FakeECS, ecs: Any, params: dict[str, Any], code: str, words: str
) -> None:
    given = {
        "cluster": CLUSTER,
        "serviceName": "shop",
        "infrastructureRoleArn": ROLE,
        "primaryContainer": {"image": "example/shop:1"},
        **params,
    }
    with pytest.raises(ClientError) as exc:
        ecs.create_express_gateway_service(**{k: v for k, v in given.items() if v is not None})
    assert error(exc)[0] == code
    assert words in error(exc)[1]
    assert ecs.list_services(cluster=CLUSTER)["serviceArns"] == []


def test_unknown_and_ordinary_services(fake: FakeECS, ecs: Any) -> None:
    with pytest.raises(ClientError) as exc:
        describe(ecs)
    assert error(exc)[0] == "ResourceNotFoundException"
    for call in (ecs.update_express_gateway_service, ecs.delete_express_gateway_service):
        with pytest.raises(ClientError) as exc:
            call(serviceArn=SERVICE_ARN)
        assert error(exc)[0] == "ServiceNotFoundException"
    with pytest.raises(ClientError) as exc:
        ecs.describe_express_gateway_service(serviceArn="shop")
    assert error(exc)[0] == "InvalidParameterException"
    create(ecs)
    with pytest.raises(ClientError) as exc:
        create(ecs)
    assert error(exc)[0] == "InvalidParameterException"
    assert "already exists" in error(exc)[1]
    ecs.create_service(  # an ordinary service is not an Express one
        cluster=CLUSTER,
        serviceName="plain",
        taskDefinition="worker",
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=network(ecs),
    )
    with pytest.raises(ClientError) as exc:
        ecs.describe_express_gateway_service(serviceArn=SERVICE_ARN.replace("/shop", "/plain"))
    assert error(exc)[0] == "ResourceNotFoundException"


def test_express_services_survive_a_restart_and_reset_forgets_them(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with FakeECS(clock="manual", seed=7, state=path) as fake:
        ecs = client(fake)
        ecs.create_cluster(clusterName=CLUSTER)
        create(ecs)
        fake.advance(120)
        before = describe(ecs, include=["TAGS"])
    with FakeECS(clock="manual", seed=8, state=path) as fake:
        ecs = client(fake)
        assert describe(ecs, include=["TAGS"]) == before
        ecs.update_express_gateway_service(
            serviceArn=SERVICE_ARN, primaryContainer={"image": "example/shop:2"}
        )
        fake.advance(600)
        [config] = describe(ecs)["activeConfigurations"]
        assert config["primaryContainer"]["image"] == "example/shop:2"
        fake.reset()
        ecs.create_cluster(clusterName=CLUSTER)
        with pytest.raises(ClientError) as exc:
            describe(ecs)
        assert error(exc)[0] == "ResourceNotFoundException"
