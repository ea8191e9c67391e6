"""PutAttributes, DeleteAttributes and ListAttributes on container instances through boto3;
custom attributes steer placement at once."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from fakeecs import FakeECS
from tests.fakeecs.conftest import CLUSTER
from tests.fakeecs.ec2_instances import ec2_definition, register


def code(exc: Any) -> str:
    return exc.value.response["Error"]["Code"]


def custom(ecs: Any, **extra: Any) -> list[dict[str, Any]]:
    answer = ecs.list_attributes(cluster=CLUSTER, targetType="container-instance", **extra)
    return [a for a in answer["attributes"] if not a["name"].startswith(("ecs.", "com.amazonaws"))]


def test_put_list_delete(fake: FakeECS, ecs: Any) -> None:
    arn = register(fake, ecs)["containerInstanceArn"]
    short = arn.rsplit("/", 1)[-1]
    put = ecs.put_attributes(
        cluster=CLUSTER,
        attributes=[
            {"name": "stack", "value": "prod", "targetId": arn},
            {
                "name": "team",
                "value": "data eng",
                "targetType": "container-instance",
                "targetId": short,
            },
        ],
    )
    assert [a["name"] for a in put["attributes"]] == ["stack", "team"]
    assert custom(ecs) == [
        {"name": "stack", "value": "prod", "targetType": "container-instance", "targetId": arn},
        {"name": "team", "value": "data eng", "targetType": "container-instance", "targetId": arn},
    ]
    assert [a["name"] for a in custom(ecs, attributeName="stack", attributeValue="prod")] == [
        "stack"
    ]
    assert custom(ecs, attributeName="stack", attributeValue="dev") == []
    os_type = ecs.list_attributes(
        cluster=CLUSTER, targetType="container-instance", attributeName="ecs.os-type"
    )["attributes"]
    assert os_type == [
        {
            "name": "ecs.os-type",
            "value": "linux",
            "targetType": "container-instance",
            "targetId": arn,
        }
    ]
    ecs.put_attributes(
        cluster=CLUSTER, attributes=[{"name": "stack", "value": "dev", "targetId": arn}]
    )
    assert custom(ecs, attributeName="stack")[0]["value"] == "dev"  # replaced, not added
    ecs.delete_attributes(cluster=CLUSTER, attributes=[{"name": "stack", "targetId": arn}])
    assert [a["name"] for a in custom(ecs)] == ["team"]


def test_list_pages(fake: FakeECS, ecs: Any) -> None:
    register(fake, ecs)
    first = ecs.list_attributes(cluster=CLUSTER, targetType="container-instance", maxResults=5)
    assert len(first["attributes"]) == 5
    rest = ecs.list_attributes(
        cluster=CLUSTER, targetType="container-instance", nextToken=first["nextToken"]
    )
    names = [a["name"] for a in first["attributes"] + rest["attributes"]]
    assert len(names) == len(set(names)) and "ecs.instance-type" in names


@pytest.mark.parametrize(
    ("attribute", "expected"),
    [
        ({"name": "bad name", "value": "x"}, "InvalidParameterException"),
        ({"name": "n", "value": " leading"}, "InvalidParameterException"),
        ({"name": "n", "value": "x" * 129}, "InvalidParameterException"),
        ({"name": "n", "value": "semi;colon"}, "InvalidParameterException"),
        ({"name": "n", "value": "v", "targetId": "0123"}, "InvalidParameterException"),
        (
            {"name": "n", "targetType": "container-instance", "targetId": "0123"},
            "TargetNotFoundException",
        ),
    ],
)
def test_bad_attributes_are_refused(
    fake: FakeECS, ecs: Any, attribute: dict[str, Any], expected: str
) -> None:
    arn = register(fake, ecs)["containerInstanceArn"]
    attribute.setdefault("targetId", arn)
    with pytest.raises(ClientError) as exc:
        ecs.put_attributes(cluster=CLUSTER, attributes=[attribute])
    assert code(exc) == expected
    assert custom(ecs) == []


def test_limits_per_call_and_per_instance(fake: FakeECS, ecs: Any) -> None:
    arn = register(fake, ecs)["containerInstanceArn"]
    many = [{"name": f"a{i}", "value": "v", "targetId": arn} for i in range(11)]
    with pytest.raises(ClientError) as exc:
        ecs.put_attributes(cluster=CLUSTER, attributes=many)
    assert code(exc) == "InvalidParameterException"
    ecs.put_attributes(cluster=CLUSTER, attributes=many[:10])
    with pytest.raises(ClientError) as exc:
        ecs.put_attributes(cluster=CLUSTER, attributes=many[10:])
    assert code(exc) == "AttributeLimitExceededException"
    assert len(custom(ecs)) == 10
    with pytest.raises(ClientError) as exc:
        ecs.list_attributes(cluster=CLUSTER, targetType="container-instance", attributeValue="v")
    assert code(exc) == "InvalidParameterException"


def test_custom_attributes_steer_placement_and_filters(fake: FakeECS, ecs: Any) -> None:
    plain = register(fake, ecs)["containerInstanceArn"]
    gpu = register(fake, ecs)["containerInstanceArn"]
    ecs.put_attributes(cluster=CLUSTER, attributes=[{"name": "accelerated", "targetId": gpu}])
    ec2_definition(ecs, memory=64)
    answer = ecs.run_task(
        cluster=CLUSTER,
        taskDefinition="web",
        launchType="EC2",
        count=3,
        placementConstraints=[{"type": "memberOf", "expression": "attribute:accelerated exists"}],
    )
    assert {t["containerInstanceArn"] for t in answer["tasks"]} == {gpu}
    listed = ecs.list_container_instances(cluster=CLUSTER, filter="attribute:accelerated !exists")
    assert listed["containerInstanceArns"] == [plain]
